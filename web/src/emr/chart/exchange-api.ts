// The chart's exchange calls: the directory of partner hospitals (GET /exchange/partners), referral
// out (Patient/$refer and its Tasks), the patient's consents (Consent) and record in
// (Patient/$fetch-external). Server side: server/exchange/.
import { requestJson } from '../../shared/http.ts';
import { fhirGet } from './api.ts';
import { included, matches, type Bundle, type CodeableConcept, type Identifier, type Reference, type Resource } from './fhir.ts';

const q = encodeURIComponent;
const fhirJson = 'application/fhir+json';
const post = (path: string, body: unknown) => requestJson<any>(`/fhir/${path}`, { method: 'POST', auth: true, contentType: fhirJson, accept: fhirJson, body });

export interface Partner { id: string; name: string; organization: { system: string; value: string } | null }

/** SNOMED CT 3457005 "Patient referral": the code of our referral ServiceRequests and Tasks. */
export const REFERRAL = 'http://snomed.info/sct|3457005';
/** The tag the record-in import puts on every resource it brought in (server/exchange/records-in/reconcile.ts). */
export const IMPORTED_TAG = { system: 'https://open-his.example.org/fhir/CodeSystem/provenance-tag', code: 'external-record' };

export interface Task extends Resource {
  resourceType: 'Task';
  status: string;
  focus?: Reference;
  owner?: Reference;
  authoredOn?: string;
  lastModified?: string;
  statusReason?: CodeableConcept;
  output?: { valueUrl?: string }[];
}
export interface ServiceRequest extends Resource {
  resourceType: 'ServiceRequest';
  reasonCode?: CodeableConcept[];
  note?: { text?: string }[];
}
export interface Consent extends Resource {
  resourceType: 'Consent';
  status: string;
  dateTime?: string;
  provision?: {
    type?: string; period?: { start?: string; end?: string };
    actor?: { role?: CodeableConcept; reference?: Reference & { identifier?: Identifier } }[];
    action?: CodeableConcept[];
  };
}

export interface FetchResult {
  created: string[];
  updated: string[];
  unchanged: number;
  conflicts: { local: string; source: string }[];
  discrepancies: { element: string; local: string; remote: string }[];
  provenance?: string;
}

export const partners = () => requestJson<Partner[]>('/exchange/partners', { auth: true });

/** The patient's referrals, newest first, with their ServiceRequests (reason, note). */
export async function referrals(patientId: string): Promise<{ tasks: Task[]; requests: Map<string, ServiceRequest> }> {
  const bundle = await fhirGet<Bundle>(`Task?patient=${q(patientId)}&code=${q(REFERRAL)}&_include=Task:focus&_sort=-_lastUpdated&_count=50`);
  const requests = new Map(included<ServiceRequest>(bundle, 'ServiceRequest').map((r) => [`ServiceRequest/${r.id}`, r]));
  return { tasks: matches<Task>(bundle, 'Task'), requests };
}

export const refer = (patientId: string, partner: string, reason: string, note: string) => post(`Patient/${q(patientId)}/$refer`, {
  resourceType: 'Parameters',
  parameter: [
    { name: 'partner', valueString: partner },
    ...(reason ? [{ name: 'reason', valueString: reason }] : []),
    ...(note ? [{ name: 'note', valueString: note }] : []),
  ],
}) as Promise<Task>;

export const referAgain = (patientId: string, taskId: string) => post(`Patient/${q(patientId)}/$refer`, {
  resourceType: 'Parameters', parameter: [{ name: 'task', valueReference: { reference: `Task/${taskId}` } }],
}) as Promise<Task>;

export async function consents(patientId: string): Promise<Consent[]> {
  return matches<Consent>(await fhirGet<Bundle>(`Consent?patient=${q(patientId)}&_sort=-date&_count=50`), 'Consent');
}

/** The partner as a Consent actor: its organisation identifier, else its id in our registry. */
export function partnerIdentifier(partner: Partner): Identifier {
  return partner.organization ?? { system: 'https://open-his.example.org/fhir/sid/exchange-partner', value: partner.id };
}

/** Whether a consent names this partner (as the server's check does: identifier value or partner id). */
export function consentNames(consent: Consent, partner: Partner): boolean {
  const names = new Set([partner.id, partner.organization?.value].filter(Boolean));
  return (consent.provision?.actor ?? []).some((a) => names.has(a.reference?.identifier?.value ?? '') || names.has(a.reference?.reference?.replace(/^Organization\//, '') ?? ''));
}

/** Active, permitting, and its period covers `now`. */
export function consentInForce(consent: Consent, now = Date.now()): boolean {
  const period = consent.provision?.period;
  return consent.status === 'active' && consent.provision?.type === 'permit'
    && (!period?.start || Date.parse(period.start) <= now) && (!period?.end || now <= Date.parse(period.end));
}

/**
 * The patient's consent to records being brought in from `partner` (FHIR R4 Consent, scope
 * patient-privacy, LOINC 59284-0 "Patient Consent", opt-in): the partner as custodian (v3
 * ParticipationType CST) of what is collected, until the end of `until` (a date) when given.
 */
export function consentFor(patientId: string, partner: Partner, until: string | null, now = new Date()): Omit<Consent, 'id'> & Record<string, unknown> {
  return {
    resourceType: 'Consent', status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: now.toISOString(),
    performer: [{ reference: `Patient/${patientId}` }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN', display: 'opt-in' }] },
    provision: {
      type: 'permit',
      period: { start: now.toISOString(), ...(until ? { end: `${until}T23:59:59+08:00` } : {}) },
      actor: [{
        role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'CST', display: 'custodian' }] },
        reference: { identifier: partnerIdentifier(partner), display: partner.name },
      }],
      action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'collect', display: 'Collect' }] }],
    },
  };
}

export const recordConsent = (consent: ReturnType<typeof consentFor>) => post('Consent', consent) as Promise<Consent>;

/** Withdrawn consent: the same Consent, inactive (R4 Consent.status; the record of it is kept). */
export function withdrawConsent(consent: Consent): Promise<Consent> {
  return requestJson<Consent>(`/fhir/Consent/${q(consent.id)}`, {
    method: 'PUT', auth: true, contentType: fhirJson, accept: fhirJson, body: { ...consent, status: 'inactive' },
  });
}

export async function fetchExternal(patientId: string, partner: string): Promise<FetchResult> {
  const answer = await post(`Patient/${q(patientId)}/$fetch-external`, { resourceType: 'Parameters', parameter: [{ name: 'partner', valueString: partner }] }) as {
    parameter?: { name: string; valueString?: string; valueInteger?: number; valueUri?: string; valueReference?: Reference; part?: { name: string; valueString?: string; valueUri?: string }[] }[];
  };
  const params = answer.parameter ?? [];
  const part = (p: (typeof params)[number], name: string) => p.part?.find((x) => x.name === name);
  return {
    created: params.filter((p) => p.name === 'created').map((p) => p.valueString!),
    updated: params.filter((p) => p.name === 'updated').map((p) => p.valueString!),
    unchanged: params.find((p) => p.name === 'unchanged')?.valueInteger ?? 0,
    conflicts: params.filter((p) => p.name === 'conflict').map((p) => ({ local: part(p, 'local')?.valueString ?? '', source: part(p, 'source')?.valueUri ?? '' })),
    discrepancies: params.filter((p) => p.name === 'discrepancy').map((p) => ({
      element: part(p, 'element')?.valueString ?? '', local: part(p, 'local')?.valueString ?? '', remote: part(p, 'remote')?.valueString ?? '',
    })),
    provenance: params.find((p) => p.name === 'provenance')?.valueReference?.reference,
  };
}

/** The hospital a resource came from, when it was brought in from another one (its meta.source). */
export function importedFrom(resource: { meta?: { source?: string; tag?: { system?: string; code?: string }[] } }): string | undefined {
  const imported = resource.meta?.tag?.some((t) => t.system === IMPORTED_TAG.system && t.code === IMPORTED_TAG.code);
  return imported ? resource.meta?.source ?? '' : undefined;
}
