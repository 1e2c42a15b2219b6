// The booking rules that hold whichever way Slots and Appointments are written (the $operations,
// plain FHIR create/update/patch/delete, transaction Bundles, imports): engine write hooks run
// inside the writing transaction (fhir/storage/write-hooks.ts).
import { FhirError, type Queryable, type Resource, type WriteChange, type WriteHook } from '../../fhir/index.ts';
import { claimPlace, syncSlotStatus } from './claims.ts';
import { bookingError } from './errors.ts';
import { scheduleActors } from './schedule-actors.ts';
import {
  OCCUPYING_STATUSES, appointmentPatient, appointmentSlots, appointmentStatus, slotFacts,
} from './slot-resource.ts';

const parse = (json: string | null): Resource | null => (json ? JSON.parse(json) as Resource : null);

/** Told after commit which slots changed (availability to push). */
export type SlotsChanged = (slotIds: string[]) => void;

/**
 * Slot → booking_slot, the projection availability is read from. The Schedule's actors give the
 * department and doctor; a Slot whose places are taken cannot be deleted.
 */
export function slotProjectionHook(changed: SlotsChanged): WriteHook {
  return {
    types: ['Slot'],
    async beforeCommit(changes, { repo, tx }) {
      const schedules = new Map<string, { service: string | null; role: string | null }>();
      for (const change of changes) {
        const after = parse(change.after);
        const facts = after ? slotFacts(after) : null;
        if (!facts) {
          await removeProjection(tx, change);
          continue;
        }
        let actors = schedules.get(facts.scheduleId);
        if (!actors) schedules.set(facts.scheduleId, actors = await scheduleActors(repo, facts.scheduleId));
        await tx.query(
          `INSERT INTO booking_slot (slot_id, schedule_id, service_id, role_id, start_at, end_at, capacity, first_number, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (slot_id) DO UPDATE SET schedule_id = excluded.schedule_id, service_id = excluded.service_id,
             role_id = excluded.role_id, start_at = excluded.start_at, end_at = excluded.end_at, capacity = excluded.capacity,
             first_number = excluded.first_number, status = excluded.status`,
          [facts.id, facts.scheduleId, actors.service, actors.role, facts.start.toISOString(), facts.end.toISOString(),
            facts.capacity, facts.firstNumber, facts.status]);
      }
    },
    afterCommit(changes) {
      changed(changes.map((c) => c.id));
    },
  };
}

async function removeProjection(tx: Queryable, change: WriteChange): Promise<void> {
  const taken = (await tx.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM booking_claim WHERE slot_id = $1 AND (appointment_id IS NOT NULL OR expires_at > now())`, [change.id])).rows[0]!.n;
  if (taken > 0 && change.after === null) {
    throw new FhirError('conflict', `Slot/${change.id} has ${taken} place(s) taken: cancel or move those appointments before deleting it`);
  }
  await tx.query('DELETE FROM booking_slot WHERE slot_id = $1', [change.id]);
}

/**
 * Appointment → booking_claim: an Appointment in an occupying status holds one place in each of its
 * slots; leaving that status (cancelled, entered-in-error) or the slot frees the place. A write that
 * finds no place left fails with 409, and nothing of it is stored.
 */
export function appointmentClaimsHook(changed: SlotsChanged): WriteHook {
  return {
    types: ['Appointment'],
    async beforeCommit(changes, { repo, tx }) {
      const touched = new Set<string>();
      for (const change of changes) {
        const before = parse(change.before);
        const after = parse(change.after);
        const status = appointmentStatus(after);
        const occupied = after && status && OCCUPYING_STATUSES.has(status) ? appointmentSlots(after) : [];
        for (const s of appointmentSlots(before)) touched.add(s);
        const freed = (await tx.query<{ slot_id: string }>(
          'DELETE FROM booking_claim WHERE appointment_id = $1 AND NOT (slot_id = ANY($2::text[])) RETURNING slot_id',
          [change.id, occupied])).rows;
        for (const r of freed) touched.add(r.slot_id);
        const patient = appointmentPatient(after) ?? '';
        for (const [i, slotId] of [...occupied].sort().entries()) {
          touched.add(slotId);
          const kept = await tx.query('UPDATE booking_claim SET status = $3, patient_id = $4 WHERE appointment_id = $1 AND slot_id = $2 RETURNING position',
            [change.id, slotId, status, patient]);
          if (kept.rows.length > 0) continue;
          const position = await claimPlace(tx, { slotId, patientId: patient, appointmentId: change.id, status: status! });
          if (position === null) {
            const index = appointmentSlots(after).indexOf(slotId);
            throw bookingError('slot-taken', `Slot/${slotId} was taken: no place is left in it`, [`Appointment.slot[${index >= 0 ? index : i}]`]);
          }
        }
      }
      await syncSlotStatus(repo, tx, [...touched]);
    },
    afterCommit(changes) {
      const slots = new Set<string>();
      for (const c of changes) for (const s of [...appointmentSlots(parse(c.before)), ...appointmentSlots(parse(c.after))]) slots.add(s);
      if (slots.size > 0) changed([...slots]);
    },
  };
}
