// Refusals of a record retrieval from another hospital, with stable codes (like the EMR's).
import { FhirError, type ErrorCode } from '../../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../../seed/systems.ts';

export const RECORDS_IN_ERROR_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/records-in-error`;

const codes = {
  /** No active Consent of the patient covers fetching from this partner now. */
  'consent-required': 'forbidden',
  /** The local patient has no resident ID to find them by. */
  'identity-missing': 'business-rule',
  /** The other hospital has nobody with this resident ID. */
  'remote-patient-not-found': 'business-rule',
  /** The other hospital has several patients with this resident ID: nothing is taken. */
  'remote-patient-ambiguous': 'business-rule',
} as const satisfies Record<string, ErrorCode>;

export type RecordsInErrorCode = keyof typeof codes;

export function recordsInError(code: RecordsInErrorCode, message: string): FhirError {
  const httpCode = codes[code];
  return new FhirError(httpCode, message, {
    issues: [{
      severity: 'error', code: httpCode === 'forbidden' ? 'forbidden' : 'business-rule', diagnostics: code,
      details: { text: message, coding: [{ system: RECORDS_IN_ERROR_SYSTEM, code }] },
    }],
  });
}
