// The refusals of clinical notes, in the EMR's code system (../errors.ts): OperationOutcomes carrying
// a stable code in issue.diagnostics and details.coding, so that clients match on the code, never the text.
import { FhirError, type ErrorCode } from '../../../fhir/index.ts';
import { EMR_ERROR_SYSTEM } from '../errors.ts';

export const noteErrors = {
  /** A signed note (final or amended) changed in place, or signed again: corrections are amendments. */
  'note-signed': 'conflict',
  /** An amendment of a note that has not been signed yet: the draft is edited or signed instead. */
  'not-signed': 'conflict',
  /** Signing a note someone else wrote. */
  'not-author': 'business-rule',
} as const satisfies Record<string, ErrorCode>;

export type NoteErrorCode = keyof typeof noteErrors;

export function noteError(code: NoteErrorCode, message: string): FhirError {
  const httpCode = noteErrors[code];
  return new FhirError(httpCode, message, {
    issues: [{
      severity: 'error', code: httpCode === 'conflict' ? 'conflict' : 'business-rule', diagnostics: code,
      details: { text: message, coding: [{ system: EMR_ERROR_SYSTEM, code }] },
    }],
  });
}
