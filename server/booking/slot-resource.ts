// Slot and Appointment as booking writes and reads them (http://hl7.org/fhir/R4/slot.html,
// http://hl7.org/fhir/R4/appointment.html). R4 Slot has no element for a number of places, so
// capacity and the first queue number travel in extensions.
import type { Resource } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

export const SLOT_CAPACITY_EXTENSION = `${OPEN_HIS_BASE}/StructureDefinition/slot-capacity`;
export const SLOT_FIRST_NUMBER_EXTENSION = `${OPEN_HIS_BASE}/StructureDefinition/slot-first-number`;
export const QUEUE_NUMBER_EXTENSION = `${OPEN_HIS_BASE}/StructureDefinition/queue-number`;
export const CANCELLATION_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason';

export type SlotStatus = 'free' | 'busy' | 'busy-unavailable' | 'busy-tentative' | 'entered-in-error';

/**
 * Statuses in which an Appointment occupies its slots' places (a no-show or a finished visit used its
 * place too); the same appointments count towards a patient's booking limits.
 */
export const OCCUPYING_STATUSES: ReadonlySet<string> = new Set(['pending', 'booked', 'arrived', 'fulfilled', 'checked-in', 'noshow']);

interface Extension { url: string; valueUnsignedInt?: number; valuePositiveInt?: number }

export interface SlotFacts {
  id: string;
  scheduleId: string;
  start: Date;
  end: Date;
  status: SlotStatus;
  capacity: number;
  firstNumber: number;
}

export function slotFacts(slot: Resource): SlotFacts | null {
  const s = slot as Resource & { schedule?: { reference?: string }; start?: string; end?: string; status?: SlotStatus; extension?: Extension[] };
  const scheduleId = /^(?:.*\/)?Schedule\/([^/]+)$/.exec(s.schedule?.reference ?? '')?.[1];
  if (!s.id || !scheduleId || !s.start || !s.end || !s.status) return null;
  const capacity = s.extension?.find((e) => e.url === SLOT_CAPACITY_EXTENSION)?.valueUnsignedInt ?? 1;
  const firstNumber = s.extension?.find((e) => e.url === SLOT_FIRST_NUMBER_EXTENSION)?.valuePositiveInt ?? 1;
  return { id: s.id, scheduleId, start: new Date(s.start), end: new Date(s.end), status: s.status, capacity, firstNumber };
}

/** Free while places remain; busy-tentative when only holds fill it; busy when bookings do. */
export function slotStatusFor(capacity: number, booked: number, held: number): 'free' | 'busy' | 'busy-tentative' {
  if (booked >= capacity) return 'busy';
  if (booked + held >= capacity) return 'busy-tentative';
  return 'free';
}

/** The ids of the Slots an Appointment refers to. */
export function appointmentSlots(appointment: Resource | null): string[] {
  const slots = (appointment as { slot?: { reference?: string }[] } | null)?.slot ?? [];
  return slots.map((s) => /^(?:.*\/)?Slot\/([^/]+)$/.exec(s.reference ?? '')?.[1]).filter((id): id is string => id !== undefined);
}

/** The Patient an Appointment is for (its first Patient participant). */
export function appointmentPatient(appointment: Resource | null): string | null {
  const participants = (appointment as { participant?: { actor?: { reference?: string } }[] } | null)?.participant ?? [];
  for (const p of participants) {
    const id = /^(?:.*\/)?Patient\/([^/]+)$/.exec(p.actor?.reference ?? '')?.[1];
    if (id) return id;
  }
  return null;
}

export function appointmentStatus(appointment: Resource | null): string | null {
  return (appointment as { status?: string } | null)?.status ?? null;
}
