// Booking's HTTP routes beside the FHIR operations: the public booking page's compact reads
// (departments, doctors, availability — no patient data) and the administrators' templates,
// closures (停诊) and rules.
import type { Plugin, Request } from '@hapi/hapi';
import { badRequest, notFound } from '@hapi/boom';
import type { Resource } from '../../fhir/index.ts';
import { requireAdmin } from '../auth/admin-routes.ts';
import { addDays, daysBetween, isDate } from './calendar.ts';
import { availability, isBookableDay, nextRelease, releasedThrough } from './availability.ts';
import type { BookingService } from './service.ts';
import { SettingsError } from './settings.ts';
import { TemplateError } from './template.ts';
import { reopenClinic } from './closures.ts';
import { REGISTRATION_FEE_EXTENSION } from '../seed/systems.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function idParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !ID.test(value)) throw badRequest(`${name} must be a resource id`);
  return value;
}

function english(element: unknown): string | undefined {
  const ext = (element as { extension?: { url: string; extension?: { url: string; valueCode?: string; valueString?: string }[] }[] } | undefined)?.extension;
  const translation = ext?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/translation');
  return translation?.extension?.find((e) => e.url === 'content')?.valueString;
}

export const bookingRoutes: Plugin<{ booking: BookingService }> = {
  name: 'open-his-booking-routes',
  register(server, { booking }) {
    const repo = booking.ctx.repo;
    const db = booking.ctx.db;
    const cal = booking.calendar;
    const read = async (type: string, id: string): Promise<Record<string, unknown> | null> => {
      try { return JSON.parse((await repo.read(type, id)).json!) as Record<string, unknown>; } catch { return null; }
    };

    server.route({
      method: 'GET', path: '/booking/departments',
      options: { plugins: { public: true } },
      async handler() {
        const ids = (await db.query<{ service_id: string }>('SELECT DISTINCT service_id FROM booking_slot WHERE service_id IS NOT NULL ORDER BY service_id')).rows;
        const out = [];
        for (const { service_id } of ids) {
          const hcs = await read('HealthcareService', service_id);
          if (!hcs || hcs.active === false) continue;
          const specialty = (hcs.specialty as { text?: string; coding?: { display?: string }[] }[] | undefined)?.[0];
          out.push({ id: service_id, name: { zh: hcs.name, en: english(hcs._name) ?? hcs.name }, specialty: specialty?.coding?.[0]?.display ?? specialty?.text });
        }
        return out;
      },
    });

    server.route({
      method: 'GET', path: '/booking/doctors',
      options: { plugins: { public: true } },
      async handler(request: Request) {
        const service = idParam(request.query.service, 'service');
        const settings = booking.settings;
        const today = cal.dateOf(new Date());
        const first = addDays(today, settings.minDaysAhead);
        const last = releasedThrough(settings, service, cal);
        const days = last >= first ? await availability(db, cal, { service, from: first, to: last }) : new Map();
        const rows = (await db.query<{ role_id: string; schedule_id: string }>(
          'SELECT DISTINCT role_id, schedule_id FROM booking_slot WHERE service_id = $1 AND role_id IS NOT NULL ORDER BY role_id', [service])).rows;
        const out = [];
        for (const row of rows) {
          const role = await read('PractitionerRole', row.role_id);
          if (!role || role.active === false) continue;
          const title = (role.code as { text?: string; _text?: unknown }[] | undefined)?.[1];
          const fee = (role.extension as { url: string; valueMoney?: { value: number; currency: string } }[] | undefined)?.find((e) => e.url === REGISTRATION_FEE_EXTENSION)?.valueMoney;
          const specialty = (role.specialty as { text?: string }[] | undefined)?.[0]?.text;
          let nextFreeDate: string | null = null;
          for (const [date, times] of days) {
            if ((times as { role: string; free: number }[]).some((t) => t.role === row.role_id && t.free > 0)) { nextFreeDate = date; break; }
          }
          out.push({
            role: row.role_id,
            practitioner: (role.practitioner as { reference?: string } | undefined)?.reference?.replace(/^Practitioner\//, '') ?? null,
            name: (role.practitioner as { display?: string } | undefined)?.display ?? row.role_id,
            title: title ? { zh: title.text, en: english(title._text) ?? title.text } : null,
            specialty: specialty ?? null,
            fee: fee ?? null,
            schedule: row.schedule_id,
            nextFreeDate,
          });
        }
        return out;
      },
    });

    server.route({
      method: 'GET', path: '/booking/availability',
      options: { plugins: { public: true } },
      async handler(request: Request) {
        const service = idParam(request.query.service, 'service');
        const role = request.query.role === undefined ? undefined : idParam(request.query.role, 'role');
        const today = cal.dateOf(new Date());
        const from: unknown = request.query.from ?? today;
        if (!isDate(from)) throw badRequest('from and to are dates YYYY-MM-DD');
        const to: unknown = request.query.to ?? addDays(from, booking.settings.windowDays);
        if (!isDate(to)) throw badRequest('from and to are dates YYYY-MM-DD');
        if (to < from || daysBetween(from, to) > 62) throw badRequest('to must be on or after from, at most 62 days later');
        const days = await availability(db, cal, { service, from, to, role });
        return {
          service,
          days: [...days].map(([date, times]) => ({ date, bookable: isBookableDay(booking.settings, service, cal, date) === 'ok', times })),
          releasedThrough: releasedThrough(booking.settings, service, cal),
          nextRelease: nextRelease(booking.settings, service, cal).toISOString(),
        };
      },
    });

    server.route({
      method: 'GET', path: '/booking/settings',
      async handler(request: Request) {
        requireAdmin(request);
        return booking.settings;
      },
    });
    server.route({
      method: 'PUT', path: '/booking/settings',
      async handler(request: Request) {
        requireAdmin(request);
        try {
          return await booking.updateSettings(request.payload);
        } catch (err) {
          if (err instanceof SettingsError) throw badRequest(err.message);
          throw err;
        }
      },
    });

    server.route({
      method: 'GET', path: '/booking/templates/{scheduleId}',
      async handler(request: Request) {
        requireAdmin(request);
        const template = await booking.template(idParam(request.params.scheduleId, 'scheduleId'));
        if (!template) throw notFound('This schedule has no template');
        return template;
      },
    });
    server.route({
      method: 'PUT', path: '/booking/templates/{scheduleId}',
      async handler(request: Request) {
        requireAdmin(request);
        const scheduleId = idParam(request.params.scheduleId, 'scheduleId');
        if (!await read('Schedule', scheduleId)) throw notFound(`Schedule/${scheduleId} is not known`);
        try {
          return { generated: await booking.setTemplate(scheduleId, request.payload) };
        } catch (err) {
          if (err instanceof TemplateError) throw badRequest(err.message);
          throw err;
        }
      },
    });

    server.route({
      method: 'POST', path: '/booking/closures',
      async handler(request: Request, h) {
        requireAdmin(request);
        const body = (request.payload ?? {}) as { schedule?: unknown; day?: unknown; period?: unknown; reason?: unknown };
        const scheduleId = body.schedule === undefined || body.schedule === null ? null : idParam(String(body.schedule).replace(/^Schedule\//, ''), 'schedule');
        if (!isDate(body.day)) throw badRequest('day is a date YYYY-MM-DD');
        const period = body.period ?? 'day';
        if (period !== 'morning' && period !== 'afternoon' && period !== 'day') throw badRequest('period is morning, afternoon or day');
        if (typeof body.reason !== 'string' || body.reason.trim() === '' || body.reason.length > 500) throw badRequest('reason is required (at most 500 characters)');
        if (scheduleId && !await read('Schedule', scheduleId)) throw notFound(`Schedule/${scheduleId} is not known`);
        const result = await booking.closeClinic({ scheduleId, day: body.day, period, reason: body.reason.trim() });
        return h.response({ id: result.id, slots: result.slots.length, cancelled: result.cancelled.map((a: Resource) => a.id) }).code(201);
      },
    });
    server.route({
      method: 'GET', path: '/booking/closures',
      async handler(request: Request) {
        requireAdmin(request);
        // From a day on (default today), optionally of one schedule: the closures still to come, by day.
        const from: unknown = request.query.from ?? cal.dateOf(new Date());
        if (!isDate(from)) throw badRequest('from is a date YYYY-MM-DD');
        const schedule = request.query.schedule === undefined ? null : idParam(String(request.query.schedule).replace(/^Schedule\//, ''), 'schedule');
        const rows = (await db.query<{ id: string; schedule_id: string | null; day: string; period: string; reason: string; created_at: Date | string }>(
          `SELECT id, schedule_id, to_char(day, 'YYYY-MM-DD') AS day, period, reason, created_at FROM booking_closure
            WHERE day >= $1::date AND ($2::text IS NULL OR schedule_id = $2 OR schedule_id IS NULL) ORDER BY day, period, created_at LIMIT 500`,
          [from, schedule])).rows;
        return rows.map((r) => ({ id: r.id, schedule: r.schedule_id, day: r.day, period: r.period, reason: r.reason, created: new Date(r.created_at).toISOString() }));
      },
    });
    server.route({
      method: 'DELETE', path: '/booking/closures/{id}',
      async handler(request: Request) {
        requireAdmin(request);
        const id = request.params.id;
        if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw badRequest('not a closure id');
        if (!await reopenClinic(booking.ctx, id)) throw notFound('No such closure');
        return { reopened: id, generated: await booking.generate() };
      },
    });
  },
};
