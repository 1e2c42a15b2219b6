// Places in slots. Each place taken — by a booked Appointment or a patient's short hold — is one
// row of booking_claim keyed (slot, position). The key is what guarantees that no place is given
// twice: two transactions choosing the same free place collide in the database (INSERT … ON
// CONFLICT waits for the other to commit, then finds the place taken), whatever path wrote the
// Appointment. Application code only chooses a candidate place and retries on a lost race.
import { FhirError, type Queryable, type Repository, type Resource } from '../../fhir/index.ts';
import { slotStatusFor, type SlotStatus } from './slot-resource.ts';

/** Statuses of a Slot that offer no places at all. */
const CLOSED = ['busy-unavailable', 'entered-in-error'];

const claimStatement = `
WITH cand AS (
  SELECT p FROM booking_slot s, generate_series(1, s.capacity) p
   WHERE s.slot_id = $1 AND s.status <> ALL($6::text[])
     AND NOT EXISTS (SELECT 1 FROM booking_claim c WHERE c.slot_id = $1 AND c.position = p
                      AND (c.appointment_id IS NOT NULL OR c.expires_at > now()))
   ORDER BY p LIMIT 1),
ins AS (
  INSERT INTO booking_claim (slot_id, position, patient_id, appointment_id, status, expires_at)
  SELECT $1, p, $2, $3, $4, CASE WHEN $5::integer IS NULL THEN NULL ELSE now() + $5::integer * interval '1 second' END FROM cand
  ON CONFLICT (slot_id, position) DO UPDATE SET patient_id = excluded.patient_id, appointment_id = excluded.appointment_id,
    status = excluded.status, expires_at = excluded.expires_at, claimed_at = now()
  WHERE booking_claim.appointment_id IS NULL AND booking_claim.expires_at <= now()
  RETURNING position)
SELECT (SELECT p FROM cand) AS candidate, (SELECT position FROM ins) AS position`;

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
  // A lost race (another transaction took the chosen place first) shows as a candidate without a
  // position: choose again; the next statement sees the committed winner.
  for (let attempt = 0; attempt < 50; attempt++) {
    const row = (await tx.query<{ candidate: number | null; position: number | null }>(claimStatement,
      [request.slotId, request.patientId, request.appointmentId, request.status, request.holdSeconds ?? null, CLOSED])).rows[0];
    if (!row || row.candidate === null) return null;
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
 * Makes each Slot's status tell the truth about its places (free / busy-tentative / busy). The
 * projection rows are locked first, so that two transactions filling the last two places of a slot
 * count one after the other and the later one sees the slot full.
 */
export async function syncSlotStatus(repo: Repository, tx: Queryable, slotIds: readonly string[]): Promise<void> {
  if (slotIds.length === 0) return;
  const rows = (await tx.query<{ slot_id: string; capacity: number; status: SlotStatus; booked: number; held: number }>(
    `WITH locked AS (SELECT slot_id, capacity, status FROM booking_slot WHERE slot_id = ANY($1::text[]) ORDER BY slot_id FOR UPDATE)
     SELECT l.slot_id, l.capacity, l.status,
            (SELECT count(*)::integer FROM booking_claim c WHERE c.slot_id = l.slot_id AND c.appointment_id IS NOT NULL) AS booked,
            (SELECT count(*)::integer FROM booking_claim c WHERE c.slot_id = l.slot_id AND c.appointment_id IS NULL AND c.expires_at > now()) AS held
       FROM locked l`, [[...slotIds].sort()])).rows;
  for (const row of rows) {
    if (CLOSED.includes(row.status)) continue;
    const wanted = slotStatusFor(row.capacity, row.booked, row.held);
    if (wanted === row.status) continue;
    const current = await repo.read('Slot', row.slot_id);
    const slot = JSON.parse(current.json!) as Resource & { status: string };
    await repo.update({ ...slot, status: wanted });
  }
}

/** Positions held by an Appointment, by slot (for its queue number). */
export async function claimedPositions(tx: Queryable, appointmentId: string): Promise<Map<string, number>> {
  const rows = (await tx.query<{ slot_id: string; position: number }>(
    'SELECT slot_id, position FROM booking_claim WHERE appointment_id = $1', [appointmentId])).rows;
  return new Map(rows.map((r) => [r.slot_id, r.position]));
}
