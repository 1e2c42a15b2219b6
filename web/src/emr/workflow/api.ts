// The workflow pages' calls: the EMR JSON routes (clinic list, catalogue, bed board, MAR, dashboard)
// and the FHIR operations of the outpatient and inpatient workflows (docs: /work/notes/emr-api.md),
// plus plain FHIR create / read / update / search. Shapes are written out here: the web app imports
// no server module (only the /wards event types, type-only).
import { ApiError, requestJson } from '../../shared/http.ts';

const q = encodeURIComponent;
const fhirJson = 'application/fhir+json';

export interface Named { code: string; zh: string; en: string }
export interface Drug {
  key: string; atc: string; zh: string; en: string; strength: string;
  route: Named; dose?: { value: number; code: string; unit: string }; frequency: string; days: number;
}
export interface Frequency extends Named { repeat?: { frequency: number; period: number; periodUnit: string; when?: string[] } }
export interface Catalogue {
  diagnoses: Named[]; drugs: Drug[]; frequencies: Frequency[]; routes: Named[]; labPanels: Named[];
  imaging: (Named & { modality: string })[];
}

export type ClinicState = 'booked' | 'arrived' | 'in-consultation' | 'done' | 'no-show' | 'cancelled';
export interface ClinicPatient { id: string; name: string; gender?: string; birthDate?: string; mrn?: string }
export interface ClinicItem {
  appointmentId: string; queueNumber?: number; start: string; state: ClinicState; patient: ClinicPatient;
  encounterId?: string; arrivedAt?: string; waitedMinutes?: number;
}
export interface ClinicList { date: string; practitioner: { id: string; name: string }; items: ClinicItem[] }

export type BedStatus = 'free' | 'occupied' | 'cleaning' | 'closed';
export interface Occupant {
  encounterId: string; patient: { id: string; name: string; gender?: string; birthDate?: string };
  since?: string; lengthOfStayDays?: number; attending?: string;
}
export interface BoardBed { id: string; name: string; status: BedStatus; occupant?: Occupant }
export interface BoardWard {
  id: string; name: string; nameEn?: string; occupied: number; total: number; free: number; cleaning: number; closed: number;
  rooms: { id: string; name: string; beds: BoardBed[] }[];
}
export interface BedBoard { at: string; wards: BoardWard[] }

export type DoseState = 'given' | 'held' | 'refused' | 'due' | 'overdue' | 'upcoming';
export interface MarDose { scheduled: string; state: DoseState; administration?: { id: string; status: string; at: string; by: string; reason?: string } }
export interface MarRow { request: { id: string; medication: string; dose?: string; route?: string; frequency?: string; asNeeded?: boolean }; doses: MarDose[] }
export interface Mar { date: string; rows: MarRow[] }

export interface Dashboard {
  from: string; to: string;
  bookingsPerHour: { hour: number; count: number }[];
  noShowRate: number; averageWaitMinutes: number;
  waitsPerDay: { date: string; minutes: number }[];
  occupancy: { ward: string; name: string; occupied: number; total: number }[];
  admissionsPerDay: { date: string; admissions: number; discharges: number }[];
}

export interface Reference { reference: string; display?: string }
export interface Resource { resourceType: string; id?: string; meta?: { versionId?: string; lastUpdated?: string }; [key: string]: unknown }
interface Bundle<T> { entry?: { resource?: T; search?: { mode?: string } }[] }
type Parameter = { name: string; valueReference?: Reference; valueCode?: string; valueString?: string; resource?: Resource };

const auth = { auth: true } as const;

/**
 * A JSON route's answer. A path the server does not (yet) route falls to the app's /emr/{path*}
 * page, which answers 200 with index.html: that is a missing route, not data.
 */
async function view<T>(url: string): Promise<T> {
  const answer = await requestJson<unknown>(url, auth);
  if (typeof answer !== 'object' || answer === null) throw new ApiError(404, 'not-found', `${url.split('?')[0]} is not available`);
  return answer as T;
}

let catalogue: Promise<Catalogue> | null = null;

export const emr = {
  clinic: (date?: string) => view<ClinicList>(`/emr/clinic-list${date ? `?date=${q(date)}` : ''}`),
  /** Fetched once per page load: the code lists do not change while a doctor works. */
  catalogue(): Promise<Catalogue> {
    catalogue ??= view<Catalogue>('/emr/catalogue').catch((err: unknown) => { catalogue = null; throw err; });
    return catalogue;
  },
  bedBoard: () => view<BedBoard>('/emr/bed-board'),
  mar: (encounter: string, date: string) => view<Mar>(`/emr/encounters/${q(encounter)}/mar?date=${q(date)}`),
  dashboard: (from: string, to: string) => view<Dashboard>(`/emr/dashboard?from=${q(from)}&to=${q(to)}`),
};

export const fhir = {
  read: <T extends Resource>(type: string, id: string) => requestJson<T>(`/fhir/${type}/${q(id)}`, { ...auth, accept: fhirJson }),
  create: <T extends Resource>(resource: T) =>
    requestJson<T>(`/fhir/${resource.resourceType}`, { ...auth, method: 'POST', body: resource, contentType: fhirJson, accept: fhirJson }),
  update: <T extends Resource>(resource: T) =>
    requestJson<T>(`/fhir/${resource.resourceType}/${q(resource.id!)}`, { ...auth, method: 'PUT', body: resource, contentType: fhirJson, accept: fhirJson }),
  /** The matches of a search (included resources left out). */
  async search<T extends Resource>(type: string, query: string): Promise<T[]> {
    const bundle = await requestJson<Bundle<T>>(`/fhir/${type}?${query}`, { ...auth, accept: fhirJson });
    return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type).map((e) => e.resource!);
  },
};

const ref = (type: string, id: string): Reference => ({ reference: `${type}/${id}` });

function operation<T>(path: string, parameter: Parameter[] = []): Promise<T> {
  return requestJson<T>(`/fhir/${path}`, {
    ...auth, method: 'POST', contentType: fhirJson, accept: fhirJson, body: { resourceType: 'Parameters', parameter },
  });
}

export type Encounter = Resource & {
  id: string; status: string; class?: { code?: string }; subject?: Reference; period?: { start?: string; end?: string };
  appointment?: Reference[]; participant?: { individual?: Reference }[]; serviceProvider?: Reference;
  location?: { location: Reference; status?: string; period?: { start?: string; end?: string } }[];
  identifier?: { system?: string; value?: string }[];
};

export const workflow = {
  checkIn: (appointment: string) => operation<Resource>(`Appointment/${q(appointment)}/$check-in`),
  callNext: () => operation<Encounter>('Encounter/$call-next'),
  startVisit: (encounter: string) => operation<Encounter>(`Encounter/${q(encounter)}/$start-visit`),
  finishVisit: (encounter: string) => operation<Encounter>(`Encounter/${q(encounter)}/$finish-visit`),
  admit: (input: { patient: string; bed: string; fromEncounter?: string; diagnosis?: string }) => operation<Encounter>('Encounter/$admit', [
    { name: 'patient', valueReference: ref('Patient', input.patient) },
    { name: 'bed', valueReference: ref('Location', input.bed) },
    ...(input.fromEncounter ? [{ name: 'fromEncounter', valueReference: ref('Encounter', input.fromEncounter) }] : []),
    ...(input.diagnosis ? [{ name: 'diagnosis', valueReference: ref('Condition', input.diagnosis) }] : []),
  ]),
  transfer: (encounter: string, bed: string) => operation<Encounter>(`Encounter/${q(encounter)}/$transfer`, [{ name: 'bed', valueReference: ref('Location', bed) }]),
  discharge: (encounter: string, disposition: string, summary?: string) => operation<Encounter>(`Encounter/${q(encounter)}/$discharge`, [
    { name: 'disposition', valueCode: disposition },
    ...(summary ? [{ name: 'summary', valueReference: ref('Composition', summary) }] : []),
  ]),
  bedStatus: (bed: string, status: 'free' | 'cleaning' | 'closed') => operation<Resource>(`Location/${q(bed)}/$bed-status`, [{ name: 'status', valueCode: status }]),
  sign: (composition: string) => operation<Resource>(`Composition/${q(composition)}/$sign`),
};
