// Record in: consent → find the patient at the other hospital by resident ID → read their record →
// import it (reconcile.ts). The other hospital is reached through a fhir-kit-client Client (its token
// and base URL come from the partner registry).
import type { Client } from 'fhir-kit-client';
import type { Repository } from '../../../fhir/index.ts';
import { RESIDENT_ID_SYSTEM } from '../../seed/systems.ts';
import { requireConsent } from './consent.ts';
import { recordsInError } from './errors.ts';
import { remotePatient, remoteRecord } from './fetch.ts';
import { importRecord, type ImportResult } from './reconcile.ts';

export interface RetrieveInput {
  repo: Repository;
  client: Client;
  partner: { id: string; name: string; baseUrl: string; organization?: { system: string; value: string } | null };
  patientId: string;
  fetchedBy?: string;
}

export async function retrieveExternalRecord(input: RetrieveInput): Promise<ImportResult> {
  const { repo, partner } = input;
  const local = JSON.parse((await repo.read('Patient', input.patientId)).json!) as { id: string; identifier?: { system?: string; value?: string }[] };
  const residentId = local.identifier?.find((i) => i.system === RESIDENT_ID_SYSTEM && i.value)?.value;
  if (!residentId) throw recordsInError('identity-missing', 'The patient has no resident ID to be found by at the other hospital');
  const consentId = await requireConsent(repo, local.id, partner);
  const remote = await remotePatient(input.client, { system: RESIDENT_ID_SYSTEM, value: residentId });
  const record = await remoteRecord(input.client, remote.id);
  return importRecord({
    repo, sourceBase: partner.baseUrl.replace(/\/+$/, ''),
    source: { name: partner.name, ...(partner.organization ? { identifier: partner.organization } : {}) },
    localPatient: local, remotePatient: remote, remoteResources: record, consentId, fetchedBy: input.fetchedBy,
  });
}
