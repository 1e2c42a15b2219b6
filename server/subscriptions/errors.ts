// Refusals of Subscription writes: OperationOutcomes carrying a stable code in issue.diagnostics and
// details.coding (like the EMR's and booking's).
import { FhirError } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

export const SUBSCRIPTION_ERROR_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/subscription-error`;

export type SubscriptionErrorCode =
  /** Subscription.criteria is not a search this server can run (unknown type or parameter, bad value). */
  | 'invalid-criteria'
  /** A channel type other than rest-hook, or an endpoint that is not an absolute http(s) URL. */
  | 'unsupported-channel'
  /** The caller may not read what the criteria would deliver. */
  | 'criteria-forbidden';

export function subscriptionError(code: SubscriptionErrorCode, message: string, expression: string): FhirError {
  const forbidden = code === 'criteria-forbidden';
  return new FhirError(forbidden ? 'forbidden' : 'business-rule', message, {
    issues: [{
      severity: 'error', code: forbidden ? 'forbidden' : 'business-rule', diagnostics: code,
      details: { text: message, coding: [{ system: SUBSCRIPTION_ERROR_SYSTEM, code }] },
      expression: [expression],
    }],
  });
}
