// A doctor's clinic list for a day (门诊患者列表): the Appointments booked with any of the doctor's
// PractitionerRoles, with the queue number, the patient, and where each visit stands — read from
// the Appointment and the Encounter that check-in opened.
import { FhirError, type Repository, type Resource } from '../../../fhir/index.ts';
import { queueNumberOf } from '../../booking/appointment.ts';
import type { Calendar } from '../../booking/calendar.ts';
import { MRN_SYSTEM } from '../../seed/systems.ts';
import { idOf } from '../beds/bed-resources.ts';
import { nameOf } from '../clinician.ts';
import type { Json } from '../stay.ts';

export type VisitState = 'booked' | 'arrived' | 'in-consultation' | 'done' | 'no-show' | 'cancelled';

export interface ClinicItem {
  appointmentId: string;
  queueNumber?: number;
  start?: string;
  state: VisitState;
  patient: { id: string; name?: string; gender?: string; birthDate?: string; mrn?: string };
  encounterId?: string;
  arrivedAt?: string;
  waitedMinutes?: number;
}

const entries = (versions: { json?: string | null }[]): Json[] => versions.map((v) => JSON.parse(v.json!) as Json);

function stateOf(appointment: Json, encounter: Json | undefined): VisitState {
  if (appointment.status === 'noshow') return 'no-show';
  if (appointment.status === 'cancelled' || appointment.status === 'entered-in-error') return 'cancelled';
  if (appointment.status === 'fulfilled' || encounter?.status === 'finished') return 'done';
  if (encounter?.status === 'in-progress') return 'in-consultation';
  if (appointment.status === 'arrived' || appointment.status === 'checked-in' || encounter?.status === 'arrived') return 'arrived';
  return 'booked';
}

/** Minutes from arrival to being seen (or to now, while still waiting). */
function waited(encounter: Json | undefined, now: Date): { arrivedAt?: string; waitedMinutes?: number } {
  const arrival = (encounter?.statusHistory as Json[] | undefined)?.find((h) => h.status === 'arrived');
  if (!arrival?.period?.start) return {};
  const end = arrival.period.end ? new Date(arrival.period.end) : now;
  return { arrivedAt: arrival.period.start, waitedMinutes: Math.max(0, Math.round((end.getTime() - new Date(arrival.period.start).getTime()) / 60_000)) };
}

export async function clinicList(repo: Repository, calendar: Calendar, practitionerId: string, date: string, now = new Date()): Promise<{ date: string; practitioner: { id: string; name?: string }; items: ClinicItem[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new FhirError('invalid-request', 'date is YYYY-MM-DD');
  const practitioner = JSON.parse((await repo.read('Practitioner', practitionerId)).json!) as Json;
  const roles = entries((await repo.search('PractitionerRole', new URLSearchParams({ practitioner: `Practitioner/${practitionerId}`, _count: '50' }))).versions);
  const [from, to] = calendar.dayBounds(date);
  const actors = [`Practitioner/${practitionerId}`, ...roles.map((r) => `PractitionerRole/${r.id}`)];
  const found = await repo.search('Appointment', new URLSearchParams([
    ['actor', actors.join(',')], ['date', `ge${from.toISOString()}`], ['date', `lt${to.toISOString()}`],
    ['_count', '1000'], ['_include', 'Appointment:patient'],
  ]));
  const appointments: Json[] = [];
  const patients = new Map<string, Json>();
  for (const r of entries([...found.versions, ...found.included])) {
    if (r.resourceType === 'Appointment') appointments.push(r);
    else if (r.resourceType === 'Patient') patients.set(r.id, r);
  }
  const encounters = new Map<string, Json>();
  for (let i = 0; i < appointments.length; i += 100) {
    const refs = appointments.slice(i, i + 100).map((a) => `Appointment/${a.id}`).join(',');
    const page = await repo.search('Encounter', new URLSearchParams({ appointment: refs, _count: '1000' }));
    for (const e of entries(page.versions)) {
      for (const ref of (e.appointment as Json[] | undefined) ?? []) {
        const id = idOf(ref.reference, 'Appointment');
        if (id) encounters.set(id, e);
      }
    }
  }
  const items = appointments.map((a): ClinicItem => {
    const patientId = ((a.participant as Json[] | undefined) ?? []).map((p) => idOf(p.actor?.reference, 'Patient')).find(Boolean) ?? '';
    const patient = patients.get(patientId);
    const encounter = encounters.get(a.id);
    const queueNumber = queueNumberOf(a as Resource);
    const mrn = (patient?.identifier as Json[] | undefined)?.find((i) => i.system === MRN_SYSTEM)?.value;
    return {
      appointmentId: a.id,
      ...(queueNumber !== undefined ? { queueNumber } : {}),
      ...(a.start ? { start: a.start } : {}),
      state: stateOf(a, encounter),
      patient: {
        id: patientId,
        ...(nameOf(patient) ? { name: nameOf(patient) } : {}),
        ...(patient?.gender ? { gender: patient.gender } : {}),
        ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}),
        ...(mrn ? { mrn } : {}),
      },
      ...(encounter ? { encounterId: encounter.id } : {}),
      ...waited(encounter, now),
    };
  }).sort((x, y) => String(x.start).localeCompare(String(y.start)) || (x.queueNumber ?? 0) - (y.queueNumber ?? 0));
  return { date, practitioner: { id: practitionerId, ...(nameOf(practitioner) ? { name: nameOf(practitioner) } : {}) }, items };
}
