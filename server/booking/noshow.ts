// No-shows (爽约): a booked appointment not checked in by the end of its clinic session (plus a
// grace) becomes `noshow` (http://hl7.org/fhir/R4/valueset-appointmentstatus.html). No-shows feed
// the escalating booking bans in rules.ts.
import type { Resource } from '../../fhir/index.ts';
import type { BookingContext } from './context.ts';

export async function markNoShows(ctx: BookingContext, limit = 500): Promise<string[]> {
  const grace = ctx.settings().noShowGraceMinutes;
  const tz = ctx.calendar.timeZone;
  const due = (await ctx.db.query<{ appointment_id: string }>(
    `WITH due AS (
       SELECT c.appointment_id, s.schedule_id, (s.start_at AT TIME ZONE $1)::date AS day,
              extract(hour FROM s.start_at AT TIME ZONE $1) < 12 AS morning
         FROM booking_claim c JOIN booking_slot s ON s.slot_id = c.slot_id
        WHERE c.status = 'booked' AND c.appointment_id IS NOT NULL AND s.end_at < now())
     SELECT DISTINCT d.appointment_id FROM due d
      WHERE now() > (SELECT max(s2.end_at) FROM booking_slot s2
                      WHERE s2.schedule_id = d.schedule_id AND (s2.start_at AT TIME ZONE $1)::date = d.day
                        AND (extract(hour FROM s2.start_at AT TIME ZONE $1) < 12) = d.morning) + ($2::integer * interval '1 minute')
      LIMIT $3`, [tz, grace, limit])).rows.map((r) => r.appointment_id);
  const marked: string[] = [];
  for (const id of due) {
    const changed = await ctx.repo.transaction(async (repo) => {
      const current = JSON.parse((await repo.read('Appointment', id)).json!) as Resource & { status: string };
      if (current.status !== 'booked') return false;
      await repo.update({ ...current, status: 'noshow' });
      return true;
    });
    if (changed) marked.push(id);
  }
  return marked;
}
