// The exchange's refusals: OperationOutcomes carrying a stable code in issue.diagnostics and
// details.coding (like the EMR's, server/emr/errors.ts), so that clients match on the code.
import { FhirError, type ErrorCode } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

export const EXCHANGE_ERROR_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/exchange-error`;

export const exchangeErrors = {
  /** No partner with that id. */
  'partner-unknown': 'not-found',
  /** The partner is registered but switched off. */
  'partner-disabled': 'business-rule',
  /** The partner's token endpoint refused our credentials (wrong secret, unregistered key). */
  'partner-auth-failed': 'business-rule',
  /** The partner's server could not be reached or answered with a server error. */
  'partner-unreachable': 'unavailable',
  /** The partner's FHIR server refused what we sent (a 4xx answer other than authentication). */
  'partner-refused': 'business-rule',
  /** A partner id registered already. */
  'partner-exists': 'conflict',
  /** A partner registration that lacks what its auth kind needs (the secret of client-credentials). */
  'partner-incomplete': 'invalid-request',
  /** A referral that is not in a state to be sent (already completed). */
  'referral-not-retryable': 'conflict',
} as const satisfies Record<string, ErrorCode>;

export type ExchangeErrorCode = keyof typeof exchangeErrors;

export function exchangeError(code: ExchangeErrorCode, message: string): FhirError {
  const httpCode = exchangeErrors[code];
  const issueCode = httpCode === 'not-found' ? 'not-found' : httpCode === 'unavailable' ? 'transient' : httpCode === 'conflict' ? 'conflict'
    : httpCode === 'invalid-request' ? 'invalid' : 'business-rule';
  return new FhirError(httpCode, message, {
    issues: [{ severity: 'error', code: issueCode, diagnostics: code, details: { text: message, coding: [{ system: EXCHANGE_ERROR_SYSTEM, code }] } }],
  });
}

/** The exchange code of an error, if it is one of ours. */
export function exchangeCodeOf(err: unknown): ExchangeErrorCode | undefined {
  const issue = (err as FhirError | undefined)?.issues?.[0];
  const code = issue?.details?.coding?.find((c) => c.system === EXCHANGE_ERROR_SYSTEM)?.code;
  return code as ExchangeErrorCode | undefined;
}
