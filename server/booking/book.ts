// $hold, $book and reschedule: each one database transaction. The place itself is guaranteed by
// booking_claim's key (claims.ts); the rules (window, real name, limits, bans) are checked under a
// per-patient lock in the same transaction.
import { randomUUID } from 'node:crypto';
import { FhirError, type Queryable, type Repository, type Resource } from '../../fhir/index.ts';
import { buildAppointment, type SlotRow } from './appointment.ts';
import { isBookableDay } from './availability.ts';
import { claimPlace, releaseHolds, syncSlotStatus } from './claims.ts';
import type { Actor, BookingContext } from './context.ts';
import { bookingError } from './errors.ts';
import { checkLimits, hasIdentityDocument, lockPatient } from './rules.ts';
import { appointmentPatient, appointmentSlots } from './slot-resource.ts';

/**
 * Before any transaction: the slot as it stands, and whether a place is left at all. Under a
 * release-time rush most callers lose, and they learn it from this one indexed read instead of a
 * transaction. (The claim itself checks again, under the key that decides.)
 */
async function preflight(ctx: BookingContext, sql: Queryable, slotId: string, patientId: string, useCache = false): Promise<SlotRow> {
  // Only $hold trusts the memory of full slots: a $book may come from the patient holding a place there.
  if (useCache && ctx.full.isFull(slotId)) throw slotTaken(slotId);
  const slot = (await sql.query<SlotRow & { left: number }>(
    `SELECT s.slot_id, s.schedule_id, s.service_id, s.role_id, s.start_at, s.end_at, s.capacity, s.first_number, s.status,
            s.capacity - (SELECT count(*) FROM booking_claim c WHERE c.slot_id = s.slot_id
                           AND (c.appointment_id IS NOT NULL OR (c.expires_at > now() AND c.patient_id <> $2)))::integer AS left
       FROM booking_slot s WHERE s.slot_id = $1`, [slotId, patientId])).rows[0];
  if (!slot) throw new FhirError('not-found', `Slot/${slotId} is not known`, { expression: ['Parameters.parameter.where(name=\'slot\')'] });
  if (slot.status === 'busy-unavailable' || slot.status === 'entered-in-error') throw bookingError('slot-closed', `Slot/${slotId} is closed (停诊): the clinic does not take patients then`);
  if (new Date(slot.start_at).getTime() <= Date.now()) throw bookingError('slot-past', `Slot/${slotId} has already begun`);
  if (slot.left <= 0) {
    ctx.full.markFull(slotId);
    throw slotTaken(slotId);
  }
  return slot;
}

const slotTaken = (slotId: string) => bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`);

/** The claim found no place: remember the slot as full for a moment, and refuse. */
function fullNow(ctx: BookingContext, slotId: string) {
  ctx.full.markFull(slotId);
  return slotTaken(slotId);
}

/** The online rules, checked after the place is claimed (a loser of the race pays for none of this). */
async function checkPatient(ctx: BookingContext, repo: Repository, sql: Queryable, actor: Actor, patientId: string, slot: SlotRow,
  limits: { exclude?: string; moving?: boolean } = {}): Promise<void> {
  const settings = ctx.settings();
  let patient: Resource;
  try {
    patient = JSON.parse((await repo.read('Patient', patientId)).json!) as Resource;
  } catch (err) {
    if (err instanceof FhirError && (err.code === 'not-found' || err.code === 'deleted')) {
      throw new FhirError('invalid-request', `Patient/${patientId} is not known`, { expression: ['Parameters.parameter.where(name=\'patient\')'] });
    }
    throw err;
  }
  if (actor.kind === 'staff') return; // the desk checks the ID card in person and may book outside the online rules
  const day = ctx.calendar.dateOf(new Date(slot.start_at));
  const bookable = isBookableDay(settings, slot.service_id, ctx.calendar, day);
  if (bookable === 'too-soon') throw bookingError('not-released', `${day} cannot be booked online any more: register at the desk`);
  if (bookable === 'not-released') throw bookingError('not-released', `Places for ${day} are not released yet`);
  if (settings.realName && !hasIdentityDocument(patient)) {
    throw bookingError('real-name-required', 'Booking needs the patient\'s verified identity document (real-name booking)');
  }
  await lockPatient(sql, patientId);
  await checkLimits(sql, ctx.calendar, settings, { patientId, serviceId: slot.service_id, day, excludeAppointment: limits.exclude, moving: limits.moving });
}

export interface HoldResult { slotId: string; position: number; expires: Date }

export async function hold(ctx: BookingContext, actor: Actor, slotId: string, patientId: string): Promise<HoldResult> {
  const slot = await preflight(ctx, ctx.db, slotId, patientId, true);
  const seconds = ctx.settings().holdMinutes * 60;
  const result = await ctx.repo.transaction(async (repo, sql) => {
    const position = await claimPlace(sql, { slotId, patientId, appointmentId: null, status: 'held', holdSeconds: seconds });
    if (position === null) throw fullNow(ctx, slotId);
    await checkPatient(ctx, repo, sql, actor, patientId, slot);
    // One held place at a time: the patient's other holds end.
    const released = (await sql.query<{ slot_id: string }>(
      'DELETE FROM booking_claim WHERE patient_id = $1 AND appointment_id IS NULL AND NOT (slot_id = $2 AND position = $3) RETURNING slot_id',
      [patientId, slotId, position])).rows.map((r) => r.slot_id);
    const touched = [...new Set([...released, slotId])];
    await syncSlotStatus(repo, sql, touched);
    return { slotId, position, expires: new Date(Date.now() + seconds * 1000), touched };
  });
  ctx.changed(result.touched);
  return { slotId: result.slotId, position: result.position, expires: result.expires };
}

export async function book(ctx: BookingContext, actor: Actor, slotId: string, patientId: string): Promise<Resource> {
  const slot = await preflight(ctx, ctx.db, slotId, patientId);
  return ctx.repo.transaction(async (repo, sql) => {
    const id = randomUUID();
    const position = await claimPlace(sql, { slotId, patientId, appointmentId: id, status: 'booked' });
    if (position === null) throw fullNow(ctx, slotId);
    await checkPatient(ctx, repo, sql, actor, patientId, slot, { exclude: id });
    const appointment = await buildAppointment({ id, slot, patientId, position, calendar: ctx.calendar, names: ctx.names, repo });
    const written = await repo.create(appointment, { assignedId: id });
    // The patient's other holds end with a booking: one held place at a time.
    const released = await releaseHolds(sql, patientId);
    await syncSlotStatus(repo, sql, released);
    return { appointment: JSON.parse(written.version.json!) as Resource, released };
  }).then(({ appointment, released }) => {
    if (released.length > 0) ctx.changed(released);
    return appointment;
  });
}

/** Moves a booked appointment to another slot in one transaction: the new place is taken before the old one is freed. */
export async function reschedule(ctx: BookingContext, actor: Actor, appointmentId: string, slotId: string): Promise<Resource> {
  return ctx.repo.transaction(async (repo, sql) => {
    const current = JSON.parse((await repo.read('Appointment', appointmentId)).json!) as Resource & { status: string; created?: string; comment?: string };
    if (current.status !== 'booked' && current.status !== 'pending') {
      throw bookingError('not-cancellable', `Appointment/${appointmentId} is ${current.status}: only booked appointments can be moved`);
    }
    if (appointmentSlots(current).includes(slotId)) return current;
    const patientId = appointmentPatient(current);
    if (!patientId) throw new FhirError('invalid-request', `Appointment/${appointmentId} has no Patient participant`);
    const slot = await preflight(ctx, sql, slotId, patientId);
    const position = await claimPlace(sql, { slotId, patientId, appointmentId, status: current.status });
    if (position === null) throw slotTaken(slotId);
    await checkPatient(ctx, repo, sql, actor, patientId, slot, { exclude: appointmentId, moving: true });
    const moved = await buildAppointment({ id: appointmentId, slot, patientId, position, calendar: ctx.calendar, names: ctx.names, repo, created: current.created, comment: current.comment });
    const written = await repo.update({ ...moved, status: current.status });
    return JSON.parse(written.version.json!) as Resource;
  });
}
