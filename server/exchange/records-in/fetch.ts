// Finding the patient at the other hospital by resident ID and reading their record there
// (Patient/[id]/$everything, http://hl7.org/fhir/R4/patient-operation-everything.html, following
// `next` links) with fhir-kit-client.
import type { Client } from 'fhir-kit-client';
import { recordsInError } from './errors.ts';

type Json = Record<string, any>;

export async function remotePatient(client: Client, identifier: { system: string; value: string }): Promise<Json> {
  const found = await client.search({ resourceType: 'Patient', searchParams: { identifier: `${identifier.system}|${identifier.value}` } }) as Json;
  const patients = (found.entry ?? []).map((e: Json) => e.resource).filter((r: Json | undefined) => r?.resourceType === 'Patient');
  if (patients.length === 0) throw recordsInError('remote-patient-not-found', 'The other hospital has no patient with this resident ID');
  if (patients.length > 1) throw recordsInError('remote-patient-ambiguous', 'The other hospital has several patients with this resident ID: nothing was taken');
  return patients[0];
}

/** Every resource of the remote patient's record, the Patient included, each once. */
export async function remoteRecord(client: Client, patientId: string, maxPages = 200): Promise<Json[]> {
  const out = new Map<string, Json>();
  let page = await client.operation({ name: '$everything', resourceType: 'Patient', id: patientId, method: 'GET' }) as Json | undefined;
  for (let n = 0; page && n < maxPages; n++) {
    for (const entry of page.entry ?? []) {
      const r = entry.resource as Json | undefined;
      if (r?.resourceType && r.id) out.set(`${r.resourceType}/${r.id}`, r);
    }
    if (!(page.link ?? []).some((l: Json) => l.relation === 'next')) break;
    page = await client.nextPage({ bundle: page as never }) as Json | undefined;
  }
  return [...out.values()];
}
