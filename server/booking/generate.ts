// Makes each Schedule's Slots agree with its weekly template for the days the booking window
// reaches: missing slots are created, changed ones updated, slots the template no longer has are
// deleted — unless a place in them is taken: regeneration never drops a booked appointment.
// Slot ids are derived from schedule, day and time, so running it twice (or in two processes at
// once, serialised by an advisory lock) changes nothing the second time.
import type { Database, Repository, Resource } from '../../fhir/index.ts';
import { addDays, type Calendar } from './calendar.ts';
import { syncSlotStatus } from './claims.ts';
import { departmentWindow, type BookingSettings } from './settings.ts';
import { planDay, type Period, type ScheduleTemplate } from './template.ts';
import { SLOT_CAPACITY_EXTENSION, SLOT_FIRST_NUMBER_EXTENSION } from './slot-resource.ts';
import { scheduleActors } from './schedule-actors.ts';
import { lockName } from './advisory-lock.ts';

export interface GenerationResult {
  created: number;
  updated: number;
  deleted: number;
  /** Slots the template dropped that stay because places in them are taken. */
  keptTaken: number;
}

export function slotId(scheduleId: string, date: string, time: string): string {
  return `${scheduleId}-${date.replaceAll('-', '')}-${time.replace(':', '')}`;
}

export interface Closure { scheduleId: string | null; day: string; period: Period | 'day' }

export async function loadClosures(db: Pick<Database, 'query'>, from: string, to: string): Promise<Closure[]> {
  const rows = (await db.query<{ schedule_id: string | null; day: string | Date; period: Period | 'day' }>(
    `SELECT schedule_id, to_char(day, 'YYYY-MM-DD') AS day, period FROM booking_closure WHERE day BETWEEN $1::date AND $2::date`, [from, to])).rows;
  return rows.map((r) => ({ scheduleId: r.schedule_id, day: String(r.day), period: r.period }));
}

export function isClosed(closures: readonly Closure[], scheduleId: string, day: string, period: Period): boolean {
  return closures.some((c) => c.day === day && (c.scheduleId === null || c.scheduleId === scheduleId) && (c.period === 'day' || c.period === period));
}

/** Regenerates one schedule's slots from `today` to the end of its department's window (and the day after, released next). */
export async function generateSchedule(repo: Repository, calendar: Calendar, settings: BookingSettings,
  scheduleId: string, template: ScheduleTemplate, today: string): Promise<GenerationResult> {
  const result: GenerationResult = { created: 0, updated: 0, deleted: 0, keptTaken: 0 };
  await repo.transaction(async (tx, db) => {
    await lockName(db, `booking-generate:${scheduleId}`);
    const actors = await scheduleActors(tx, scheduleId);
    const { windowDays } = departmentWindow(settings, actors.service);
    const last = addDays(today, windowDays + 1);
    const closures = await loadClosures(db, today, last);
    const [from] = calendar.dayBounds(today);
    const [, to] = calendar.dayBounds(last);
    const existing = new Map((await db.query<{ slot_id: string; end_at: Date; capacity: number; first_number: number; status: string; taken: number }>(
      `SELECT s.slot_id, s.end_at, s.capacity, s.first_number, s.status,
              (SELECT count(*)::integer FROM booking_claim c WHERE c.slot_id = s.slot_id AND (c.appointment_id IS NOT NULL OR c.expires_at > now())) AS taken
         FROM booking_slot s WHERE s.schedule_id = $1 AND s.start_at >= $2 AND s.start_at < $3`,
      [scheduleId, from.toISOString(), to.toISOString()])).rows.map((r) => [r.slot_id, r]));
    const resync: string[] = [];
    for (let date = today; date <= last; date = addDays(date, 1)) {
      for (const planned of planDay(template, date)) {
        const id = slotId(scheduleId, date, planned.start);
        const start = calendar.instant(date, planned.start);
        const end = calendar.instant(date, planned.end);
        if (start.getTime() <= Date.now() && !existing.has(id)) continue; // the past is not offered
        const closed = isClosed(closures, scheduleId, date, planned.period);
        const before = existing.get(id);
        existing.delete(id);
        const status = closed ? 'busy-unavailable' : before && before.status !== 'busy-unavailable' ? before.status : 'free';
        if (before && new Date(before.end_at).getTime() === end.getTime() && before.capacity === planned.capacity
          && before.first_number === planned.firstNumber && before.status === status) continue;
        const slot: Resource = {
          resourceType: 'Slot', id,
          extension: [
            { url: SLOT_CAPACITY_EXTENSION, valueUnsignedInt: planned.capacity },
            { url: SLOT_FIRST_NUMBER_EXTENSION, valuePositiveInt: planned.firstNumber },
          ],
          schedule: { reference: `Schedule/${scheduleId}` },
          status, start: calendar.format(start), end: calendar.format(end),
        };
        await tx.update(slot);
        if (before) { result.updated++; if (!closed) resync.push(id); } else result.created++;
      }
    }
    for (const [id, row] of existing) {
      if (row.taken > 0) { result.keptTaken++; continue; }
      await tx.delete('Slot', id);
      result.deleted++;
    }
    await syncSlotStatus(tx, db, resync);
  });
  return result;
}

/** Every templated schedule, one transaction each. */
export async function generateAll(repo: Repository, db: Pick<Database, 'query'>, calendar: Calendar, settings: BookingSettings, today: string): Promise<GenerationResult> {
  const total: GenerationResult = { created: 0, updated: 0, deleted: 0, keptTaken: 0 };
  const rows = (await db.query<{ schedule_id: string; template: unknown }>('SELECT schedule_id, template FROM booking_template ORDER BY schedule_id')).rows;
  for (const row of rows) {
    const template = (typeof row.template === 'string' ? JSON.parse(row.template) : row.template) as ScheduleTemplate;
    const r = await generateSchedule(repo, calendar, settings, row.schedule_id, template, today);
    total.created += r.created; total.updated += r.updated; total.deleted += r.deleted; total.keptTaken += r.keptTaken;
  }
  return total;
}
