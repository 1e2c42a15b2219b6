// The few FHIR calls of the booking page, on fetch. Not fhir-kit-client, measured here: it bundles
// (8.4 KB gzipped with `debug`) and runs, but only because Vite swaps the Node modules its
// agentkeepalive dependency imports (http, https) for empty browser stubs; and the page would still
// need its own 401 → refresh → retry, its OperationOutcome → error mapping and fetch for /booking,
// /auth and the .ics. This wrapper is ~1 KB, shares that one HTTP path (http.ts), and turns an
// OperationOutcome into a typed ApiError that the page maps to its own texts.
import { requestJson, requestRaw } from './http.ts';

export interface Reference { reference?: string; display?: string }
export interface Extension { url: string; valuePositiveInt?: number; valueUnsignedInt?: number; valueString?: string; valueMoney?: { value: number; currency: string } }
export interface Appointment {
  resourceType: 'Appointment';
  id: string;
  status: string;
  start?: string;
  end?: string;
  slot?: Reference[];
  serviceType?: { text?: string; coding?: { code?: string; display?: string }[] }[];
  participant?: { actor?: Reference; status?: string }[];
  extension?: Extension[];
}
interface Parameters { resourceType: 'Parameters'; parameter: { name: string; valueReference?: Reference; valueString?: string }[] }
interface Bundle<T> { resourceType: 'Bundle'; entry?: { resource?: T; search?: { mode?: string } }[] }

export const QUEUE_NUMBER_EXTENSION = 'https://open-his.example.org/fhir/StructureDefinition/queue-number';

const fhirJson = 'application/fhir+json';

function operation<T>(path: string, parameters: Parameters['parameter']): Promise<T> {
  return requestJson<T>(`/fhir/${path}`, {
    method: 'POST', auth: true, contentType: fhirJson, accept: fhirJson,
    body: { resourceType: 'Parameters', parameter: parameters } satisfies Parameters,
  });
}

const slotParameter = (slot: string) => ({ name: 'slot', valueReference: { reference: `Slot/${slot}` } });

export const fhir = {
  hold: (slot: string) => operation<Parameters>('Appointment/$hold', [slotParameter(slot)]),
  book: (slot: string) => operation<Appointment>('Appointment/$book', [slotParameter(slot)]),
  cancel: (id: string, reason?: string) =>
    operation<Appointment>(`Appointment/${encodeURIComponent(id)}/$cancel`, reason ? [{ name: 'reason', valueString: reason }] : []),
  reschedule: (id: string, slot: string) => operation<Appointment>(`Appointment/${encodeURIComponent(id)}/$reschedule`, [slotParameter(slot)]),
  async appointmentsOf(patientId: string): Promise<Appointment[]> {
    const bundle = await requestJson<Bundle<Appointment>>(
      `/fhir/Appointment?patient=${encodeURIComponent(`Patient/${patientId}`)}&_sort=-date&_count=50`, { auth: true, accept: fhirJson });
    return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource!).filter((r) => r?.resourceType === 'Appointment');
  },
  /** A read; `auth: false` for the public booking directory (Slot, Schedule, …). */
  read: <T>(type: string, id: string, auth = true) => requestJson<T>(`/fhir/${type}/${encodeURIComponent(id)}`, { auth, accept: fhirJson }),
};

export function queueNumber(appointment: Appointment): number | undefined {
  return appointment.extension?.find((e) => e.url === QUEUE_NUMBER_EXTENSION)?.valuePositiveInt;
}

/** The id of the first participant of a resource type (PractitionerRole, Location, HealthcareService). */
export function participant(appointment: Appointment, type: string): { id: string; display?: string } | undefined {
  for (const p of appointment.participant ?? []) {
    const ref = p.actor?.reference;
    if (ref?.startsWith(`${type}/`)) return { id: ref.slice(type.length + 1), display: p.actor?.display };
  }
  return undefined;
}

/** Downloads the appointment's .ics (the bearer token cannot ride on a plain link, hence fetch + blob). */
export async function downloadIcs(appointmentId: string): Promise<void> {
  const res = await requestRaw(`/booking/appointments/${encodeURIComponent(appointmentId)}/ics`, { auth: true, accept: 'text/calendar' });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `appointment-${appointmentId}.ics`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
