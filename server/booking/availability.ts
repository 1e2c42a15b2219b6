// What the booking page shows and the push sends: per department and day, each slot's places and
// how many are free. Availability only — never who took a place.
import type { Queryable } from '../../fhir/index.ts';
import { addDays, daysBetween, minutesOf, type Calendar } from './calendar.ts';
import { departmentWindow, type BookingSettings } from './settings.ts';
import { periodOf } from './template.ts';
import type { AvailabilityTime } from '../push/events.ts';

/** The push sends these very objects (server/push/events.ts). */
export type { AvailabilityTime };

export interface AvailabilityQuery {
  service: string;
  from: string;
  to: string;
  role?: string;
}

interface Row { slot_id: string; schedule_id: string; role_id: string | null; start_at: Date | string; end_at: Date | string; capacity: number; status: string; taken: number }

export async function availability(db: Queryable, calendar: Calendar, query: AvailabilityQuery): Promise<Map<string, AvailabilityTime[]>> {
  const [from] = calendar.dayBounds(query.from);
  const [, to] = calendar.dayBounds(query.to);
  const params: unknown[] = [query.service, from.toISOString(), to.toISOString()];
  if (query.role) params.push(query.role);
  const rows = (await db.query<Row>(
    `SELECT s.slot_id, s.schedule_id, s.role_id, s.start_at, s.end_at, s.capacity, s.status,
            (SELECT count(*)::integer FROM booking_claim c WHERE c.slot_id = s.slot_id AND (c.appointment_id IS NOT NULL OR c.expires_at > now())) AS taken
       FROM booking_slot s
      WHERE s.service_id = $1 AND s.start_at >= $2 AND s.start_at < $3 ${query.role ? 'AND s.role_id = $4' : ''}
      ORDER BY s.start_at, s.role_id, s.slot_id`, params)).rows;
  const days = new Map<string, AvailabilityTime[]>();
  for (let d = query.from; d <= query.to; d = addDays(d, 1)) days.set(d, []);
  for (const r of rows) {
    const start = new Date(r.start_at);
    const date = calendar.dateOf(start);
    const closed = r.status === 'busy-unavailable' || r.status === 'entered-in-error';
    days.get(date)?.push({
      schedule: r.schedule_id, role: r.role_id ?? '', slot: r.slot_id,
      start: calendar.format(start), end: calendar.format(new Date(r.end_at)),
      period: periodOf(calendar.timeOf(start)),
      capacity: closed ? 0 : r.capacity,
      free: closed || start.getTime() <= Date.now() ? 0 : Math.max(0, r.capacity - r.taken),
    });
  }
  return days;
}

/**
 * The last day open for booking now (放号): a department with a 14-day window and a 15:00 release
 * opens the day 14 days ahead at 15:00 today; before 15:00 only 13 days ahead are open.
 */
export function releasedThrough(settings: BookingSettings, serviceId: string | null, calendar: Calendar, now = new Date()): string {
  const { windowDays, releaseTime } = departmentWindow(settings, serviceId);
  const today = calendar.dateOf(now);
  const beforeRelease = minutesOf(calendar.timeOf(now)) < minutesOf(releaseTime);
  return addDays(today, beforeRelease ? windowDays - 1 : windowDays);
}

/** When the next day opens, as an instant. */
export function nextRelease(settings: BookingSettings, serviceId: string | null, calendar: Calendar, now = new Date()): Date {
  const { releaseTime } = departmentWindow(settings, serviceId);
  const today = calendar.dateOf(now);
  const at = calendar.instant(today, releaseTime);
  return at.getTime() > now.getTime() ? at : calendar.instant(addDays(today, 1), releaseTime);
}

/** Whether a day can be booked online now: not too soon, and already released. */
export function isBookableDay(settings: BookingSettings, serviceId: string | null, calendar: Calendar, day: string, now = new Date()): 'ok' | 'too-soon' | 'not-released' {
  const ahead = daysBetween(calendar.dateOf(now), day);
  if (ahead < settings.minDaysAhead) return 'too-soon';
  if (day > releasedThrough(settings, serviceId, calendar, now)) return 'not-released';
  return 'ok';
}
