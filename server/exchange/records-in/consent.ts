// The patient's permission to bring their records in from another hospital: an active Consent
// (http://hl7.org/fhir/R4/consent.html) of the patient, permitting, whose provision names the partner
// as actor (by its partner id or the partner organisation's identifier) and whose period covers now.
import type { Repository } from '../../../fhir/index.ts';
import { recordsInError } from './errors.ts';

interface ConsentJson {
  id: string; status?: string;
  provision?: { type?: string; period?: { start?: string; end?: string }; actor?: { reference?: { identifier?: { value?: string }; reference?: string } }[] };
}

export async function requireConsent(repo: Repository, patientId: string, partner: { id: string; organization?: { value: string } | null }, now = new Date()): Promise<string> {
  const found = await repo.search('Consent', new URLSearchParams({ patient: `Patient/${patientId}`, status: 'active', _count: '100' }));
  const names = new Set([partner.id, partner.organization?.value].filter(Boolean));
  for (const version of found.versions) {
    const consent = JSON.parse(version.json!) as ConsentJson;
    const provision = consent.provision ?? {};
    if (provision.type !== 'permit') continue;
    const start = provision.period?.start ? Date.parse(provision.period.start) : -Infinity;
    const end = provision.period?.end ? Date.parse(provision.period.end) : Infinity;
    if (now.getTime() < start || now.getTime() > end) continue;
    if ((provision.actor ?? []).some((a) => names.has(a.reference?.identifier?.value ?? '') || names.has(a.reference?.reference?.replace(/^Organization\//, '') ?? ''))) {
      return consent.id;
    }
  }
  throw recordsInError('consent-required', 'The patient has not consented (no active Consent naming this hospital) to records being fetched from it');
}
