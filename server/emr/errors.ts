// The EMR's refusals: OperationOutcomes carrying a stable code in issue.diagnostics and
// details.coding, so that clients match on the code and never on the text (like booking's).
import { FhirError, type ErrorCode } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

export const EMR_ERROR_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/emr-error`;

export const emrErrors = {
  /** A second patient in a bed that holds one. */
  'bed-occupied': 'conflict',
  /** A bed being cleaned or closed, or not a bed at all. */
  'bed-unavailable': 'conflict',
  /** The patient already lies in a ward. */
  'already-admitted': 'conflict',
  /** Transfer or discharge of an encounter that is not a current inpatient stay. */
  'not-admitted': 'conflict',
  /** A visit transition from the wrong state (seeing a patient who has not arrived, closing a visit twice). */
  'wrong-visit-state': 'conflict',
  /** Nobody waiting in the doctor's queue. */
  'queue-empty': 'business-rule',
  /** The caller is not a Practitioner and named none. */
  'no-practitioner': 'business-rule',
  /** An accession number given twice. */
  'accession-taken': 'conflict',
  /** A signed note (final or amended) changed in place, or signed again: corrections are amendments. */
  'note-signed': 'conflict',
  /** An amendment of a note that has not been signed yet: the draft is edited or signed instead. */
  'not-signed': 'conflict',
  /** Signing a note someone else wrote. */
  'not-author': 'business-rule',
} as const satisfies Record<string, ErrorCode>;

export type EmrErrorCode = keyof typeof emrErrors;

export function emrError(code: EmrErrorCode, message: string, expression?: string[]): FhirError {
  const httpCode = emrErrors[code];
  return new FhirError(httpCode, message, {
    issues: [{
      severity: 'error', code: httpCode === 'conflict' ? 'conflict' : 'business-rule', diagnostics: code,
      details: { text: message, coding: [{ system: EMR_ERROR_SYSTEM, code }] },
      ...(expression ? { expression } : {}),
    }],
  });
}
