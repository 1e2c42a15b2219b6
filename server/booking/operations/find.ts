// Appointment/$find (IHE ITI Scheduling / Argonaut style): free slots of a department or doctor in a
// date range, optionally one period of the day. Public: the booking page shows it before log-in.
import { FhirError, type Operation } from '../../../fhir/index.ts';
import { addDays, daysBetween, isDate } from '../calendar.ts';
import { availability } from '../availability.ts';
import type { BookingService } from '../service.ts';
import { appliesToAppointment, definition } from './definition.ts';
import { parameters, referenceId } from './params.ts';

const AVAILABLE_EXTENSION = 'https://open-his.example.org/fhir/StructureDefinition/slot-available';

export function findOperation(service: BookingService): Operation {
  return {
    definition: definition('find', 'type', false, [
      { name: 'service', use: 'in', min: 1, max: '1', type: 'Reference' },
      { name: 'practitioner-role', use: 'in', min: 0, max: '1', type: 'Reference' },
      { name: 'start', use: 'in', min: 0, max: '1', type: 'date' },
      { name: 'end', use: 'in', min: 0, max: '1', type: 'date' },
      { name: 'period', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
    ]),
    appliesTo: appliesToAppointment,
    async handle(req, ctx) {
      const p = parameters(req);
      const serviceId = referenceId(p.get('service'), 'HealthcareService', 'service')!;
      const role = referenceId(p.get('practitioner-role'), 'PractitionerRole', 'practitioner-role', false);
      const today = service.calendar.dateOf(new Date());
      const start = p.get('start') ?? today;
      const end = p.get('end') ?? addDays(start, service.settings.windowDays);
      for (const [name, value] of [['start', start], ['end', end]] as const) {
        if (!isDate(value)) throw new FhirError('invalid-request', `Parameter ${name} must be a date YYYY-MM-DD`, { expression: [`Parameters.parameter.where(name='${name}')`] });
      }
      if (end < start || daysBetween(start, end) > 62) throw new FhirError('invalid-request', 'end must be on or after start, at most 62 days later');
      const period = p.get('period');
      if (period !== undefined && period !== 'morning' && period !== 'afternoon') throw new FhirError('invalid-request', 'period is morning or afternoon');
      const days = await availability(ctx.db, service.calendar, { service: serviceId, from: start, to: end, role });
      const free = [...days.values()].flat().filter((t) => t.free > 0 && (!period || t.period === period));
      // The Slot resources themselves, by _id in pages of 100 (one search each, not one read per slot).
      const stored = new Map<string, { extension?: { url: string }[] }>();
      for (let i = 0; i < free.length; i += 100) {
        const ids = free.slice(i, i + 100).map((t) => t.slot);
        const found = await ctx.repo.search('Slot', new URLSearchParams({ _id: ids.join(','), _count: String(ids.length) }));
        for (const v of found.versions) stored.set(v.id, JSON.parse(v.json!) as { extension?: { url: string }[] });
      }
      const entry = [];
      for (const t of free) {
        const slot = stored.get(t.slot);
        if (!slot) continue; // deleted since the availability was read
        slot.extension = [...(slot.extension ?? []).filter((e) => e.url !== AVAILABLE_EXTENSION), { url: AVAILABLE_EXTENSION, valueUnsignedInt: t.free } as { url: string }];
        entry.push({ fullUrl: `${ctx.baseUrl}/Slot/${t.slot}`, resource: slot, search: { mode: 'match' } });
      }
      return { status: 200, headers: {}, body: { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry } };
    },
  };
}
