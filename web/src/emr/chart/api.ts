// The chart's calls: FHIR searches and reads (/fhir), the note operations $sign and $amend
// (/notes/emr-api.md), and the notes' version list (GET /emr/notes/{id}/versions).
import { requestJson } from '../../shared/http.ts';
import { chartSummaryQueries, type ChartQuery } from '../chart-queries.ts';
import {
  LOINC, MRN_SYSTEM, RESIDENT_ID_SYSTEM, matches, included, nextLink,
  type Bundle, type Composition, type Condition, type DiagnosticReport, type Encounter, type Observation, type Patient, type Resource,
} from './fhir.ts';

const q = encodeURIComponent;
const fhirJson = 'application/fhir+json';
const read = { auth: true, accept: fhirJson } as const;

export const fhirGet = <T>(path: string) => requestJson<T>(path.startsWith('/') ? path : `/fhir/${path}`, read);

export type SearchBy = 'auto' | 'name' | 'residentId' | 'phone' | 'mrn';

/** What a typed text is: an 18-character resident ID, an 11-digit mobile number, other digits an MRN, else a name. */
export function classify(text: string): Exclude<SearchBy, 'auto'> {
  if (/^\d{17}[\dXx]$/.test(text)) return 'residentId';
  if (/^1\d{10}$/.test(text)) return 'phone';
  if (/^\d{4,16}$/.test(text)) return 'mrn';
  return 'name';
}

/** One search, 20 at most. Name is FHIR string matching (a prefix of any part, case-insensitive). */
export async function searchPatients(text: string, by: SearchBy): Promise<{ by: Exclude<SearchBy, 'auto'>; patients: Patient[] }> {
  const value = text.trim();
  const kind = by === 'auto' ? classify(value) : by;
  const param = kind === 'residentId' ? `identifier=${q(`${RESIDENT_ID_SYSTEM}|${value.toUpperCase()}`)}`
    : kind === 'phone' ? `phone=${q(value)}`
      : kind === 'mrn' ? `identifier=${q(`${MRN_SYSTEM}|${value}`)}`
        : `name=${q(value)}`;
  const bundle = await fhirGet<Bundle>(`Patient?${param}&_count=20`);
  return { by: kind, patients: matches<Patient>(bundle, 'Patient') };
}

export type Summary = Partial<Record<ChartQuery['key'], Resource[]>>;

/** The summary: exactly chartSummaryQueries, all at once. */
export async function chartSummary(patientId: string, today: string): Promise<Summary> {
  const queries = chartSummaryQueries(patientId, today);
  const answers = await Promise.all(queries.map((query) => fhirGet<Resource | Bundle>(query.path)));
  const summary: Summary = {};
  queries.forEach((query, i) => {
    const answer = answers[i]!;
    summary[query.key] = answer.resourceType === 'Bundle' ? ((answer as Bundle).entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource!).filter(Boolean) : [answer as Resource];
  });
  return summary;
}

export interface Page<T> { items: T[]; next?: string }

/**
 * A page of encounters (newest first) with their diagnoses (_include) and the notes written in them
 * (_revinclude), FHIR R4 search §3.1.1.5.4.
 */
export async function encounterPage(patientId: string, next?: string): Promise<Page<Encounter> & { notes: Composition[]; diagnoses: Condition[] }> {
  const bundle = await fhirGet<Bundle>(next ?? `Encounter?patient=${q(patientId)}&_sort=-date&_count=20&_include=Encounter:diagnosis&_revinclude=Composition:encounter`);
  return {
    items: matches<Encounter>(bundle, 'Encounter'), notes: included<Composition>(bundle, 'Composition'),
    diagnoses: included<Condition>(bundle, 'Condition'), next: nextLink(bundle),
  };
}

export async function notePage(patientId: string, next?: string): Promise<Page<Composition>> {
  const bundle = await fhirGet<Bundle>(next ?? `Composition?patient=${q(patientId)}&_sort=-date&_count=20`);
  return { items: matches<Composition>(bundle, 'Composition'), next: nextLink(bundle) };
}

/** Reports newest first with their Observations (_include=DiagnosticReport:result). */
export async function reportPage(patientId: string, next?: string): Promise<Page<DiagnosticReport> & { observations: Observation[] }> {
  const bundle = await fhirGet<Bundle>(next ?? `DiagnosticReport?patient=${q(patientId)}&_include=DiagnosticReport:result&_sort=-date&_count=20`);
  return { items: matches<DiagnosticReport>(bundle, 'DiagnosticReport'), observations: included<Observation>(bundle, 'Observation'), next: nextLink(bundle) };
}

/** Every Observation of one LOINC code, oldest first (pages followed; a chart shows at most `limit`). */
export async function observationSeries(patientId: string, loinc: string, limit = 1000): Promise<Observation[]> {
  const out: Observation[] = [];
  let path: string | undefined = `Observation?patient=${q(patientId)}&code=${q(`${LOINC}|${loinc}`)}&_sort=date&_count=200`;
  while (path && out.length < limit) {
    const bundle: Bundle = await fhirGet<Bundle>(path);
    out.push(...matches<Observation>(bundle, 'Observation'));
    path = nextLink(bundle);
  }
  return out;
}

// ---- notes ----

const write = (method: string, body: unknown) => ({ method, auth: true, contentType: fhirJson, accept: fhirJson, body } as const);

export const notes = {
  read: (id: string) => fhirGet<Composition>(`Composition/${q(id)}`),
  version: (id: string, versionId: string) => fhirGet<Composition>(`Composition/${q(id)}/_history/${q(versionId)}`),
  create: (note: Omit<Composition, 'id'>) => requestJson<Composition>('/fhir/Composition', write('POST', note)),
  update: (note: Composition) => requestJson<Composition>(`/fhir/Composition/${q(note.id)}`, write('PUT', note)),
  sign: (id: string) => requestJson<Composition>(`/fhir/Composition/${q(id)}/$sign`, write('POST', { resourceType: 'Parameters', parameter: [] })),
  amend: (note: Composition, reason: string) => requestJson<Composition>(`/fhir/Composition/${q(note.id)}/$amend`, write('POST', {
    resourceType: 'Parameters',
    parameter: [{ name: 'resource', resource: note }, { name: 'reason', valueString: reason }],
  })),
  versions: (id: string) => requestJson<{ versions: NoteVersion[] }>(`/emr/notes/${q(id)}/versions`, { auth: true }),
};

export interface NoteVersion {
  versionId: string;
  status: string;
  lastUpdated: string;
  title: string;
  author: string;
  signature?: { verified: boolean; signer: string; when: string };
  amendmentReason?: string;
}
