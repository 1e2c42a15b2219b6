// Pieces every workflow page uses: the signed-in clinician, the patient banner, ages and stays,
// and a small hook for a load that can be repeated.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { session, type Account } from '../../shared/http.ts';
import { useAccount } from '../../staff/StaffGate.tsx';
import { hospitalDate } from '../../shared/booking.ts';
import { useMessages } from '../i18n.ts';
import { fhir, type Encounter, type Resource } from './api.ts';
import type { Context } from './resources.ts';
import { messages } from './messages.ts';

export const useM = () => useMessages(messages);

const MRN_SYSTEM = 'https://open-his.example.org/fhir/sid/mrn';
const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
const OUTPATIENT_NUMBER = 'https://open-his.example.org/fhir/sid/outpatient-number';
const INPATIENT_NUMBER = 'https://open-his.example.org/fhir/sid/inpatient-number';

/** The session answer carries the account's Practitioner (the author of what it writes). */
export function practitionerOf(account: Account | null = session.get().account): string | undefined {
  return (account as (Account & { practitionerId?: string }) | null)?.practitionerId;
}

export function useClinician(): { practitioner?: string; roles: string[] } {
  const account = useAccount();
  return { practitioner: practitionerOf(account), roles: account?.roles ?? [] };
}

/** The write context of an encounter, stamped now. */
export function contextOf(encounter: Encounter, practitioner?: string): Context {
  return { patient: encounter.subject?.reference?.split('/')[1] ?? '', encounter: encounter.id, practitioner, now: new Date().toISOString() };
}

export interface Patient extends Resource {
  id: string; name?: { text?: string; family?: string; given?: string[] }[]; gender?: string; birthDate?: string;
  identifier?: { system?: string; value?: string }[];
}

export function nameOf(patient: Patient | undefined): string {
  const name = patient?.name?.[0];
  return name ? name.text ?? `${name.family ?? ''}${(name.given ?? []).join('')}` : patient?.id ?? '';
}

/** Whole years between a birth date and today (hospital date). */
export function ageOf(birthDate: string | undefined, today = hospitalDate()): number | undefined {
  if (!birthDate || birthDate.length < 10) return undefined;
  const [by, bm, bd] = birthDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

export const identifierOf = (r: { identifier?: { system?: string; value?: string }[] } | undefined, system: string) =>
  r?.identifier?.find((i) => i.system === system)?.value;
export const mrnOf = (p: Patient | undefined) => identifierOf(p, MRN_SYSTEM);
export const residentIdOf = (p: Patient | undefined) => identifierOf(p, RESIDENT_ID_SYSTEM);
export const visitNumberOf = (e: Encounter | undefined) => identifierOf(e, OUTPATIENT_NUMBER) ?? identifierOf(e, INPATIENT_NUMBER);

export const maskId = (id: string | undefined) => (id && id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : id);

/** A load that reruns on `reload()` and when its key changes; keeps the last answer while reloading. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): { data: T | null; error: unknown; reload(): void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((value) => { if (live) { setData(value); setError(null); } }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...key, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data, error, reload };
}

/** The encounter with its patient. */
export function useEncounter(id: string) {
  return useLoad(async () => {
    const encounter = await fhir.read<Encounter>('Encounter', id);
    const patientId = encounter.subject?.reference?.split('/')[1];
    const patient = patientId ? await fhir.read<Patient>('Patient', patientId) : undefined;
    return { encounter, patient };
  }, [id]);
}

export function PatientBanner({ patient, encounter, extra }: { patient?: Patient; encounter?: Encounter; extra?: ReactNode }) {
  const { m } = useM();
  const age = ageOf(patient?.birthDate);
  const gender = patient?.gender === 'male' ? m('male') : patient?.gender === 'female' ? m('female') : '';
  return (
    <section className="wf-banner" aria-label={m('patientBanner')} data-patient={patient?.id}>
      <span className="wf-banner-name" data-testid="patient-name">{nameOf(patient)}</span>
      {gender ? <span>{gender}</span> : null}
      {age !== undefined ? <span>{m('ageYears', { age })}</span> : null}
      {mrnOf(patient) ? <span>{m('mrn')} {mrnOf(patient)}</span> : null}
      {residentIdOf(patient) ? <span>{m('residentId')} {maskId(residentIdOf(patient))}</span> : null}
      {visitNumberOf(encounter) ? <span>{m('visitNumber')} {visitNumberOf(encounter)}</span> : null}
      {encounter ? <span className={`wf-badge wf-enc-${encounter.status}`} data-testid="encounter-status">{m(`enc.${encounter.status}` as 'enc.arrived')}</span> : null}
      {extra}
    </section>
  );
}

/** Minutes or days as the screen says them. */
export function clockOf(iso: string | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}
