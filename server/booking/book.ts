// $hold, $book and reschedule: each one database transaction. The place itself is guaranteed by
// booking_claim's key (claims.ts); the rules (window, real name, limits, bans) are checked under a
// per-patient lock in the same transaction.
import { randomUUID } from 'node:crypto';
import { FhirError, type Queryable, type Repository, type Resource } from '../../fhir/index.ts';
import { buildAppointment, selectSlot, type SlotRow } from './appointment.ts';
import { isBookableDay } from './availability.ts';
import { claimPlace, releaseHolds, syncSlotStatus } from './claims.ts';
import type { Actor, BookingContext } from './context.ts';
import { bookingError } from './errors.ts';
import { checkLimits, hasIdentityDocument, lockPatient } from './rules.ts';
import { appointmentPatient, appointmentSlots } from './slot-resource.ts';

async function loadSlot(sql: Queryable, slotId: string): Promise<SlotRow> {
  const slot = (await sql.query<SlotRow>(selectSlot, [slotId])).rows[0];
  if (!slot) throw new FhirError('not-found', `Slot/${slotId} is not known`, { expression: ['Parameters.parameter.where(name=\'slot\')'] });
  if (slot.status === 'busy-unavailable' || slot.status === 'entered-in-error') throw bookingError('slot-closed', `Slot/${slotId} is closed (停诊): the clinic does not take patients then`);
  if (new Date(slot.start_at).getTime() <= Date.now()) throw bookingError('slot-past', `Slot/${slotId} has already begun`);
  return slot;
}

/**
 * Before any lock: is a place left at all? Under a release-time rush most callers lose, and they
 * learn it from one indexed read instead of queueing for the slot's row locks.
 */
export async function anyPlaceLeft(sql: Queryable, slotId: string, patientId: string): Promise<boolean> {
  const row = (await sql.query<{ left: number | null }>(
    `SELECT s.capacity - (SELECT count(*) FROM booking_claim c WHERE c.slot_id = s.slot_id
                           AND (c.appointment_id IS NOT NULL OR (c.expires_at > now() AND c.patient_id <> $2)))::integer AS left
       FROM booking_slot s WHERE s.slot_id = $1`, [slotId, patientId])).rows[0];
  return row === undefined || (row.left ?? 0) > 0; // an unknown slot gets its 404 from the transaction
}

async function checkPatient(ctx: BookingContext, repo: Repository, sql: Queryable, actor: Actor, patientId: string, slot: SlotRow, excludeAppointment?: string): Promise<void> {
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
  await checkLimits(sql, ctx.calendar, settings, { patientId, serviceId: slot.service_id, day, excludeAppointment });
}

export interface HoldResult { slotId: string; position: number; expires: Date }

export async function hold(ctx: BookingContext, actor: Actor, slotId: string, patientId: string): Promise<HoldResult> {
  if (!await anyPlaceLeft(ctx.db, slotId, patientId)) throw bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`);
  const seconds = ctx.settings().holdMinutes * 60;
  const result = await ctx.repo.transaction(async (repo, sql) => {
    const slot = await loadSlot(sql, slotId);
    await checkPatient(ctx, repo, sql, actor, patientId, slot);
    const released = await releaseHolds(sql, patientId);
    const position = await claimPlace(sql, { slotId, patientId, appointmentId: null, status: 'held', holdSeconds: seconds });
    if (position === null) throw bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`);
    const touched = [...new Set([...released, slotId])];
    await syncSlotStatus(repo, sql, touched);
    return { slotId, position, expires: new Date(Date.now() + seconds * 1000), touched };
  });
  ctx.changed(result.touched);
  return { slotId: result.slotId, position: result.position, expires: result.expires };
}

export async function book(ctx: BookingContext, actor: Actor, slotId: string, patientId: string): Promise<Resource> {
  if (!await anyPlaceLeft(ctx.db, slotId, patientId)) throw bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`);
  return ctx.repo.transaction(async (repo, sql) => {
    const slot = await loadSlot(sql, slotId);
    await checkPatient(ctx, repo, sql, actor, patientId, slot);
    const id = randomUUID();
    const position = await claimPlace(sql, { slotId, patientId, appointmentId: id, status: 'booked' });
    if (position === null) throw bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`);
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
    const slot = await loadSlot(sql, slotId);
    await checkPatient(ctx, repo, sql, actor, patientId, slot, appointmentId);
    const position = await claimPlace(sql, { slotId, patientId, appointmentId, status: current.status });
    if (position === null) throw bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`);
    const moved = await buildAppointment({ id: appointmentId, slot, patientId, position, calendar: ctx.calendar, names: ctx.names, repo, created: current.created, comment: current.comment });
    const written = await repo.update({ ...moved, status: current.status });
    return JSON.parse(written.version.json!) as Resource;
  });
}
