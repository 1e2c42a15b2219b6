// The Appointment a booking writes (http://hl7.org/fhir/R4/appointment.html): booked for a slot,
// with the patient, the doctor's PractitionerRole and the department's HealthcareService as
// participants, and the queue number (号序) of the place taken.
import type { Repository, Resource } from '../../fhir/index.ts';
import type { Calendar } from './calendar.ts';
import { QUEUE_NUMBER_EXTENSION } from './slot-resource.ts';

export interface SlotRow {
  slot_id: string;
  schedule_id: string;
  service_id: string | null;
  role_id: string | null;
  start_at: Date | string;
  end_at: Date | string;
  capacity: number;
  first_number: number;
  status: string;
}

/** Display names of directory resources, remembered briefly: they change rarely and every booking names them. */
export class DirectoryNames {
  readonly #cache = new Map<string, { name: string | undefined; at: number }>();
  constructor(private readonly ttlMs = 60_000) {}

  /** `repo`: the caller's (inside a transaction on PGlite, reading through another connection would wait for ever). */
  async name(repo: Repository, resourceType: string, id: string): Promise<string | undefined> {
    const key = `${resourceType}/${id}`;
    const hit = this.#cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.name;
    let name: string | undefined;
    try {
      const r = JSON.parse((await repo.read(resourceType, id)).json!) as Record<string, unknown>;
      name = displayOf(r);
    } catch {
      name = undefined;
    }
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, { name, at: Date.now() });
    return name;
  }
}

function displayOf(r: Record<string, unknown>): string | undefined {
  if (typeof r.name === 'string') return r.name;
  const names = r.name as { text?: string; family?: string; given?: string[] }[] | undefined;
  if (Array.isArray(names) && names[0]) return names[0].text ?? (`${names[0].family ?? ''}${(names[0].given ?? []).join('')}` || undefined);
  const practitioner = r.practitioner as { display?: string } | undefined;
  return practitioner?.display;
}

export async function buildAppointment(input: {
  id: string; slot: SlotRow; patientId: string; position: number; calendar: Calendar; names: DirectoryNames; repo: Repository; created?: string; comment?: string;
}): Promise<Resource> {
  const { slot, calendar, names } = input;
  const participant: Record<string, unknown>[] = [
    { actor: { reference: `Patient/${input.patientId}`, display: await names.name(input.repo, 'Patient', input.patientId) }, required: 'required', status: 'accepted' },
  ];
  if (slot.role_id) participant.push({ actor: { reference: `PractitionerRole/${slot.role_id}`, display: await names.name(input.repo, 'PractitionerRole', slot.role_id) }, required: 'required', status: 'accepted' });
  if (slot.service_id) participant.push({ actor: { reference: `HealthcareService/${slot.service_id}`, display: await names.name(input.repo, 'HealthcareService', slot.service_id) }, required: 'information-only', status: 'accepted' });
  for (const p of participant) {
    const actor = p.actor as { display?: string };
    if (actor.display === undefined) delete actor.display;
  }
  const queueNumber = slot.first_number + input.position - 1;
  return {
    resourceType: 'Appointment',
    id: input.id,
    extension: [{ url: QUEUE_NUMBER_EXTENSION, valuePositiveInt: queueNumber }],
    status: 'booked',
    ...(slot.service_id ? { serviceType: [{ text: await names.name(input.repo, 'HealthcareService', slot.service_id) ?? slot.service_id }] } : {}),
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment - default if not valued' }] },
    start: calendar.format(new Date(slot.start_at)),
    end: calendar.format(new Date(slot.end_at)),
    slot: [{ reference: `Slot/${slot.slot_id}` }],
    created: input.created ?? calendar.format(new Date()),
    ...(input.comment ? { comment: input.comment } : {}),
    participant,
  };
}

export function queueNumberOf(appointment: Resource): number | undefined {
  return (appointment as { extension?: { url: string; valuePositiveInt?: number }[] }).extension
    ?.find((e) => e.url === QUEUE_NUMBER_EXTENSION)?.valuePositiveInt;
}
