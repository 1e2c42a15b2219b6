// The staff pages' calls: the administrators' booking routes (templates, closures, rules) and the
// desk's FHIR calls (patient search, booking for a patient, the day's list, check-in, the slip).
// Shapes follow server/booking/{template,settings,routes}.ts (types written out here: the web app
// imports no server module).
import { ApiError, requestJson, requestRaw } from '../shared/http.ts';
import type { Appointment } from '../shared/fhir.ts';
import { dayRange } from '../shared/booking.ts';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface SessionTemplate {
  days: Weekday[];
  period: 'morning' | 'afternoon';
  start: string;
  end: string;
  slotMinutes: number;
  capacity: number;
}
export interface ScheduleTemplate { sessions: SessionTemplate[] }
export interface GenerationResult { created: number; updated: number; deleted: number; keptTaken: number }

export interface Closure { id: string; schedule: string | null; day: string; period: 'morning' | 'afternoon' | 'day'; reason: string; created: string }
export interface ClosureResult { id: string; slots: number; cancelled: string[] }

export interface BookingSettings {
  windowDays: number;
  minDaysAhead: number;
  releaseTime: string;
  departments: Record<string, { windowDays?: number; releaseTime?: string }>;
  holdMinutes: number;
  cancelDeadlineHours: number;
  realName: boolean;
  perDepartmentPerDay: number;
  perDay: number;
  perWeek: number;
  noShowWindowDays: number;
  banSteps: { noShows: number; banDays: number }[];
  noShowGraceMinutes: number;
  rateLimit: { perMinute: number; perAddressPerMinute: number };
}

const q = encodeURIComponent;
const json = { auth: true } as const;

export const admin = {
  /** The template of a schedule; null when it has none yet (404). */
  async template(schedule: string): Promise<ScheduleTemplate | null> {
    try {
      return await requestJson<ScheduleTemplate>(`/booking/templates/${q(schedule)}`, json);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },
  saveTemplate: (schedule: string, template: ScheduleTemplate) =>
    requestJson<{ generated: GenerationResult }>(`/booking/templates/${q(schedule)}`, { ...json, method: 'PUT', body: template }),
  closures: (schedule: string) => requestJson<Closure[]>(`/booking/closures?schedule=${q(schedule)}`, json),
  close: (input: { schedule: string; day: string; period: Closure['period']; reason: string }) =>
    requestJson<ClosureResult>('/booking/closures', { ...json, method: 'POST', body: input }),
  reopen: (id: string) => requestJson<unknown>(`/booking/closures/${q(id)}`, { ...json, method: 'DELETE' }),
  settings: () => requestJson<BookingSettings>('/booking/settings', json),
  saveSettings: (settings: BookingSettings) => requestJson<BookingSettings>('/booking/settings', { ...json, method: 'PUT', body: settings }),
};

export interface Patient {
  resourceType: 'Patient';
  id: string;
  name?: { text?: string; family?: string; given?: string[] }[];
  gender?: string;
  birthDate?: string;
  identifier?: { system?: string; value?: string }[];
}
interface Bundle<T> { entry?: { resource?: T; search?: { mode?: string } }[] }

const fhirJson = 'application/fhir+json';
const matches = <T>(bundle: Bundle<T>): T[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource).map((e) => e.resource!);

export function patientName(patient: Patient | undefined): string {
  const name = patient?.name?.[0];
  if (!name) return patient?.id ?? '';
  return name.text ?? `${name.family ?? ''}${(name.given ?? []).join('')}`;
}

/** The resident ID (居民身份证号) of a patient, masked for the screen: 330106********1234. */
export function maskedResidentId(patient: Patient): string | undefined {
  const id = patient.identifier?.find((i) => i.value && /^\d{17}[\dX]$/i.test(i.value))?.value;
  return id ? `${id.slice(0, 6)}********${id.slice(14)}` : undefined;
}

/** Tomorrow's date (YYYY-MM-DD) after `date`. */
export const nextDay = (date: string): string => dayRange(date, 2)[1]!;

export const desk = {
  /** By resident ID (18 characters) or else by name. */
  async findPatients(query: string): Promise<Patient[]> {
    const text = query.trim();
    const param = /^\d{17}[\dXx]$/.test(text) ? `identifier=${q(text.toUpperCase())}` : `name=${q(text)}`;
    return matches(await requestJson<Bundle<Patient>>(`/fhir/Patient?${param}&_count=20`, { auth: true, accept: fhirJson }));
  },
  book: (slot: string, patient: string) => requestJson<Appointment>('/fhir/Appointment/$book', {
    method: 'POST', auth: true, contentType: fhirJson, accept: fhirJson,
    body: { resourceType: 'Parameters', parameter: [
      { name: 'slot', valueReference: { reference: `Slot/${slot}` } },
      { name: 'patient', valueReference: { reference: `Patient/${patient}` } },
    ] },
  }),
  /** The department's appointments of one hospital day (+08:00), in time order. */
  async dayList(service: string, date: string): Promise<Appointment[]> {
    const from = q(`${date}T00:00:00+08:00`);
    const to = q(`${nextDay(date)}T00:00:00+08:00`);
    const bundle = await requestJson<Bundle<Appointment>>(
      `/fhir/Appointment?actor=${q(`HealthcareService/${service}`)}&date=ge${from}&date=lt${to}&_sort=date&_count=200`, { auth: true, accept: fhirJson });
    return matches(bundle).filter((a) => a.resourceType === 'Appointment');
  },
  checkIn: (id: string) => requestJson<Appointment>(`/fhir/Appointment/${q(id)}/$check-in`, {
    method: 'POST', auth: true, contentType: fhirJson, accept: fhirJson, body: { resourceType: 'Parameters', parameter: [] },
  }),
  /** The slip (挂号单) as a blob: URL of its HTML, for a frame; revoke it when done. */
  async slipUrl(id: string): Promise<string> {
    const res = await requestRaw(`/booking/appointments/${q(id)}/slip`, { auth: true, accept: 'text/html' });
    return URL.createObjectURL(new Blob([await res.text()], { type: 'text/html;charset=utf-8' }));
  },
};
