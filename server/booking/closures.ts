// 停诊: a doctor's clinic (or the whole hospital, a holiday) is closed for a day or half-day. Its
// slots become busy-unavailable and every appointment in them is cancelled by the provider, in one
// transaction; the patients are told afterwards (service.ts).
import { randomUUID } from 'node:crypto';
import type { Resource } from '../../fhir/index.ts';
import { cancel } from './cancel.ts';
import type { BookingContext } from './context.ts';
import type { Period } from './template.ts';

export interface ClosureInput {
  scheduleId: string | null;
  day: string;
  period: Period | 'day';
  reason: string;
}

export async function closeClinic(ctx: BookingContext, input: ClosureInput): Promise<{ id: string; cancelled: Resource[]; slots: string[] }> {
  const id = randomUUID();
  const [from, to] = ctx.calendar.dayBounds(input.day);
  return ctx.repo.transaction(async (repo, sql) => {
    await sql.query('INSERT INTO booking_closure (id, schedule_id, day, period, reason) VALUES ($1, $2, $3::date, $4, $5)',
      [id, input.scheduleId, input.day, input.period, input.reason]);
    const slots = (await sql.query<{ slot_id: string; start_at: Date | string }>(
      `SELECT slot_id, start_at FROM booking_slot WHERE ($1::text IS NULL OR schedule_id = $1) AND start_at >= $2 AND start_at < $3 ORDER BY slot_id`,
      [input.scheduleId, from.toISOString(), to.toISOString()])).rows
      .filter((s) => input.period === 'day' || (ctx.calendar.timeOf(new Date(s.start_at)) < '12:00') === (input.period === 'morning'))
      .map((s) => s.slot_id);
    for (const slotId of slots) {
      const slot = JSON.parse((await repo.read('Slot', slotId)).json!) as Resource & { status: string };
      if (slot.status !== 'busy-unavailable') await repo.update({ ...slot, status: 'busy-unavailable', comment: input.reason });
    }
    await sql.query('DELETE FROM booking_claim WHERE slot_id = ANY($1::text[]) AND appointment_id IS NULL', [slots]);
    const appointments = (await sql.query<{ appointment_id: string }>(
      `SELECT DISTINCT appointment_id FROM booking_claim WHERE slot_id = ANY($1::text[]) AND appointment_id IS NOT NULL AND status IN ('booked', 'pending') ORDER BY appointment_id`,
      [slots])).rows.map((r) => r.appointment_id);
    const cancelled: Resource[] = [];
    const inTx = { ...ctx, repo };
    for (const appointmentId of appointments) cancelled.push(await cancel(inTx, { kind: 'staff' }, appointmentId, input.reason, 'prov'));
    return { id, cancelled, slots };
  });
}

/** Lifts a closure: the next regeneration offers its slots again. */
export async function reopenClinic(ctx: BookingContext, closureId: string): Promise<boolean> {
  const rows = (await ctx.db.query('DELETE FROM booking_closure WHERE id = $1 RETURNING id', [closureId])).rows;
  return rows.length > 0;
}
