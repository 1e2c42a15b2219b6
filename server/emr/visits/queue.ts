// The outpatient visit after check-in: the doctor calls the next patient of the queue (叫号) or a
// particular one, and closes the visit, which fulfils the Appointment
// (http://hl7.org/fhir/R4/encounter.html#statemachine: arrived → in-progress → finished).
import type { Repository, Resource } from '../../../fhir/index.ts';
import { QUEUE_NUMBER_EXTENSION } from '../../booking/slot-resource.ts';
import { idOf } from '../beds/bed-resources.ts';
import { emrError } from '../errors.ts';
import { ATTENDER, classOf, readJson, save, withStatus, type Json } from '../stay.ts';
import type { PractitionerRef } from '../clinician.ts';

const queueNumber = (encounter: Json): number =>
  (encounter.extension as Json[] | undefined)?.find((e) => e.url === QUEUE_NUMBER_EXTENSION)?.valuePositiveInt ?? Number.MAX_SAFE_INTEGER;

function requireVisit(encounter: Json, status: string, action: string): void {
  if (classOf(encounter) !== 'AMB') throw emrError('wrong-visit-state', `Encounter/${encounter.id} is not an outpatient visit`);
  if (encounter.status !== status) throw emrError('wrong-visit-state', `Encounter/${encounter.id} is ${encounter.status}: only a visit that is ${status} can be ${action}`);
}

/** Marks the doctor who sees the patient as the attender (the booked one may be replaced by a colleague). */
function attendedBy(encounter: Json, doctor: PractitionerRef | undefined): Json {
  if (!doctor) return encounter;
  const participants = (encounter.participant as Json[] | undefined) ?? [];
  if (participants.some((p) => p.individual?.reference === doctor.reference)) return encounter;
  return { ...encounter, participant: [...participants, { type: [ATTENDER], individual: doctor }] };
}

export async function startVisit(repo: Repository, encounterId: string, doctor: PractitionerRef | undefined, now: string): Promise<Json> {
  return repo.transaction(async (tx) => {
    const encounter = await readJson(tx, 'Encounter', encounterId);
    requireVisit(encounter, 'arrived', 'started');
    return save(tx, attendedBy(withStatus(encounter, 'in-progress', now), doctor));
  });
}

/**
 * The next patient: of today's arrived visits with this doctor, the lowest queue number (then the
 * earliest arrival). `dayStart` is the hospital's midnight as an instant.
 */
export async function callNext(repo: Repository, doctor: PractitionerRef, dayStart: string, now: string): Promise<Json> {
  return repo.transaction(async (tx) => {
    const waiting = await tx.search('Encounter', new URLSearchParams({
      participant: doctor.reference, status: 'arrived', class: 'AMB', date: `ge${dayStart}`, _count: '500',
    }));
    const queue = waiting.versions.map((v) => JSON.parse(v.json!) as Json)
      .sort((a, b) => queueNumber(a) - queueNumber(b) || String(a.period?.start).localeCompare(String(b.period?.start)));
    const next = queue[0];
    if (!next) throw emrError('queue-empty', 'Nobody is waiting: every patient checked in today has been seen');
    return save(tx, withStatus(next, 'in-progress', now));
  });
}

/** Closes the visit; the Appointment it came from is fulfilled. */
export async function finishVisit(repo: Repository, encounterId: string, now: string): Promise<Json> {
  return repo.transaction(async (tx) => {
    const encounter = await readJson(tx, 'Encounter', encounterId);
    requireVisit(encounter, 'in-progress', 'finished');
    const finished = await save(tx, { ...withStatus(encounter, 'finished', now), period: { ...encounter.period, end: now } });
    for (const ref of (encounter.appointment as Json[] | undefined) ?? []) {
      const id = idOf(ref.reference, 'Appointment');
      if (!id) continue;
      const appointment = await readJson(tx, 'Appointment', id);
      if (appointment.status === 'arrived' || appointment.status === 'checked-in') {
        await tx.update({ ...appointment, status: 'fulfilled' } as unknown as Resource);
      }
    }
    return finished;
  });
}
