// Places in slots. Each place taken — by a booked Appointment or a patient's short hold — is one
// row of booking_claim keyed (slot, position). The key is what guarantees that no place is given
// twice: two transactions choosing the same free place collide in the database (INSERT … ON
// CONFLICT waits for the other to commit, then finds the place taken), whatever path wrote the
// Appointment. Application code only chooses a candidate place and retries on a lost race.
import { FhirError, type Queryable, type Repository, type Resource } from '../../fhir/index.ts';
import { slotStatusFor, type SlotStatus } from './slot-resource.ts';

/** Statuses of a Slot that offer no places at all. */
const CLOSED = ['busy-unavailable', 'entered-in-error'];

// The free places in order (queue numbers follow booking order); of those, the first no other
// transaction is claiming right now
// (a transaction-scoped advisory try-lock per place: it never waits, so a crowd on one slot spreads
// over its places instead of queueing); then the claim itself, which the key makes exclusive.
const claimStatement = `
WITH cand AS MATERIALIZED (
  SELECT p FROM booking_slot s, generate_series(1, s.capacity) p
   WHERE s.slot_id = $1 AND s.status <> ALL($6::text[])
     AND NOT EXISTS (SELECT 1 FROM booking_claim c WHERE c.slot_id = $1 AND c.position = p
                      AND (c.appointment_id IS NOT NULL OR c.expires_at > now()))
   ORDER BY p),
picked AS MATERIALIZED (SELECT p FROM cand WHERE pg_try_advisory_xact_lock(hashtext($1), p) LIMIT 1),
ins AS (
  INSERT INTO booking_claim (slot_id, position, patient_id, appointment_id, status, expires_at)
  SELECT $1, p, $2, $3, $4, CASE WHEN $5::integer IS NULL THEN NULL ELSE now() + $5::integer * interval '1 second' END FROM picked
  ON CONFLICT (slot_id, position) DO UPDATE SET patient_id = excluded.patient_id, appointment_id = excluded.appointment_id,
    status = excluded.status, expires_at = excluded.expires_at, claimed_at = now()
  WHERE booking_claim.appointment_id IS NULL AND booking_claim.expires_at <= now()
  RETURNING position)
SELECT (SELECT count(*) FROM cand)::integer AS candidates, (SELECT p FROM picked) AS picked, (SELECT position FROM ins) AS position`;

export interface ClaimRequest {
  slotId: string;
  patientId: string;
  /** Null for a hold. */
  appointmentId: string | null;
  status: string;
  /** Holds only: seconds until the hold lapses. */
  holdSeconds?: number;
}

/**
 * Takes a place in the slot and returns its position (1-based), or null when none is left. A booking
 * by the patient who holds a place in the slot takes that held place.
 */
export async function claimPlace(tx: Queryable, request: ClaimRequest): Promise<number | null> {
  if (request.appointmentId) {
    const own = (await tx.query<{ position: number }>(
      `UPDATE booking_claim SET appointment_id = $3, status = $4, expires_at = NULL, claimed_at = now()
        WHERE (slot_id, position) = (SELECT slot_id, position FROM booking_claim
                                       WHERE slot_id = $1 AND patient_id = $2 AND appointment_id IS NULL AND expires_at > now()
                                       ORDER BY position LIMIT 1 FOR UPDATE)
        RETURNING position`, [request.slotId, request.patientId, request.appointmentId, request.status])).rows[0];
    if (own) return own.position;
  }
  // No candidate: the slot is full. Candidates but none picked: every free place is being claimed by
  // another transaction at this moment — taken, as far as this booking can know. Picked but not
  // inserted: another transaction committed that place after this statement's snapshot: choose again.
  for (let attempt = 0; attempt < 50; attempt++) {
    const row = (await tx.query<{ candidates: number; picked: number | null; position: number | null }>(claimStatement,
      [request.slotId, request.patientId, request.appointmentId, request.status, request.holdSeconds ?? null, CLOSED])).rows[0];
    if (!row || row.candidates === 0 || row.picked === null) return null;
    if (row.position !== null) return row.position;
  }
  throw new FhirError('conflict', `Slot/${request.slotId} is contended: try again`);
}

/** Ends the holds a patient has (a patient holds one place at a time); returns the slots affected. */
export async function releaseHolds(tx: Queryable, patientId: string): Promise<string[]> {
  const rows = (await tx.query<{ slot_id: string }>(
    'DELETE FROM booking_claim WHERE patient_id = $1 AND appointment_id IS NULL RETURNING slot_id', [patientId])).rows;
  return [...new Set(rows.map((r) => r.slot_id))];
}

/** Removes holds that have lapsed; returns the slots affected. */
export async function expireHolds(tx: Queryable): Promise<string[]> {
  const rows = (await tx.query<{ slot_id: string }>(
    'DELETE FROM booking_claim WHERE appointment_id IS NULL AND expires_at <= now() RETURNING slot_id')).rows;
  return [...new Set(rows.map((r) => r.slot_id))];
}

/**
 * Makes each Slot's status tell the truth about its places (free / busy-tentative / busy). Inside a
 * booking it counts without locking, so that bookings of one slot do not queue behind each other:
 * two transactions filling the last two places at once may each miss the other's place, and the
 * reconciliation after commit (`lock: true`, BookingService) settles the status then. Locked, the
 * projection rows are taken first, so that counts of one slot follow each other.
 */
export async function syncSlotStatus(repo: Repository, tx: Queryable, slotIds: readonly string[], options: { lock?: boolean } = {}): Promise<void> {
  if (slotIds.length === 0) return;
  const ids = [...slotIds].sort();
  // The lock first, in a statement of its own: under READ COMMITTED the count that follows then sees
  // every transaction that committed while this one waited (one statement would count from a
  // snapshot taken before the wait, and could write back a status already out of date).
  if (options.lock) await tx.query('SELECT slot_id FROM booking_slot WHERE slot_id = ANY($1::text[]) ORDER BY slot_id FOR UPDATE', [ids]);
  const rows = (await tx.query<{ slot_id: string; capacity: number; status: SlotStatus; booked: number; held: number }>(
    `WITH locked AS (SELECT slot_id, capacity, status FROM booking_slot WHERE slot_id = ANY($1::text[]))
     SELECT l.slot_id, l.capacity, l.status,
            (SELECT count(*)::integer FROM booking_claim c WHERE c.slot_id = l.slot_id AND c.appointment_id IS NOT NULL) AS booked,
            (SELECT count(*)::integer FROM booking_claim c WHERE c.slot_id = l.slot_id AND c.appointment_id IS NULL AND c.expires_at > now()) AS held
       FROM locked l`, [ids])).rows;
  for (const row of rows) {
    if (CLOSED.includes(row.status)) continue;
    const wanted = slotStatusFor(row.capacity, row.booked, row.held);
    if (wanted === row.status) continue;
    const current = await repo.read('Slot', row.slot_id);
    const slot = JSON.parse(current.json!) as Resource & { status: string };
    await repo.update({ ...slot, status: wanted });
  }
}
