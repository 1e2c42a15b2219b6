// OperationOutcome and the one error type the engine throws.
// http://hl7.org/fhir/R4/operationoutcome.html — issue codes from
// http://hl7.org/fhir/R4/valueset-issue-type.html; HTTP status per http://hl7.org/fhir/R4/http.html

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export type IssueCode =
  | 'invalid' | 'structure' | 'required' | 'value' | 'invariant'
  | 'security' | 'login' | 'unknown' | 'expired' | 'forbidden' | 'suppressed'
  | 'processing' | 'not-supported' | 'duplicate' | 'multiple-matches' | 'not-found' | 'deleted'
  | 'too-long' | 'code-invalid' | 'extension' | 'too-costly' | 'business-rule' | 'conflict'
  | 'transient' | 'lock-error' | 'no-store' | 'exception' | 'timeout' | 'incomplete' | 'throttled'
  | 'informational';

export interface OutcomeIssue {
  severity: IssueSeverity;
  code: IssueCode;
  details?: { text: string; coding?: { system: string; code: string }[] };
  diagnostics?: string;
  /** FHIRPath expressions locating the problem, e.g. `Patient.name[0].given[1]`. */
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OutcomeIssue[];
}

/**
 * Stable, documented error codes. Clients and tests match on these, never on message text.
 * The HTTP status is derived from the code so that it cannot disagree with it.
 */
export const errorCatalogue = {
  'malformed-json': { status: 400, issue: 'structure' },
  'invalid-resource': { status: 400, issue: 'invalid' },
  'invalid-request': { status: 400, issue: 'invalid' },
  'invalid-search': { status: 400, issue: 'invalid' },
  'unauthorized': { status: 401, issue: 'login' },
  'forbidden': { status: 403, issue: 'forbidden' },
  'unknown-type': { status: 404, issue: 'not-supported' },
  'not-found': { status: 404, issue: 'not-found' },
  'route-not-found': { status: 404, issue: 'not-found' },
  'method-not-allowed': { status: 405, issue: 'not-supported' },
  'not-acceptable': { status: 406, issue: 'not-supported' },
  'conflict': { status: 409, issue: 'conflict' },
  'deleted': { status: 410, issue: 'deleted' },
  'precondition-required': { status: 428, issue: 'processing' },
  'version-conflict': { status: 412, issue: 'conflict' },
  'multiple-matches': { status: 412, issue: 'multiple-matches' },
  'payload-too-large': { status: 413, issue: 'too-costly' },
  'unsupported-media-type': { status: 415, issue: 'not-supported' },
  'business-rule': { status: 422, issue: 'business-rule' },
  'unprocessable': { status: 422, issue: 'processing' },
  'too-many-requests': { status: 429, issue: 'throttled' },
  'internal': { status: 500, issue: 'exception' },
  'unavailable': { status: 503, issue: 'transient' },
} as const satisfies Record<string, { status: number; issue: IssueCode }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class FhirError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: OutcomeIssue[];

  /** For `too-many-requests`: seconds until a retry can succeed (the HTTP Retry-After header). */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: { expression?: string[]; issues?: OutcomeIssue[]; retryAfterSeconds?: number } = {}) {
    super(message);
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    this.name = 'FhirError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.issues = options.issues && options.issues.length > 0
      ? options.issues
      : [issue('error', errorCatalogue[code].issue, message, options.expression)];
  }

  get outcome(): OperationOutcome {
    return operationOutcome(this.issues, this.code);
  }
}

export function issue(severity: IssueSeverity, code: IssueCode, text: string, expression?: string[]): OutcomeIssue {
  const out: OutcomeIssue = { severity, code, details: { text } };
  if (expression && expression.length > 0) out.expression = expression;
  return out;
}

/** `errorCode` is carried in `issue.diagnostics` so the stable code travels with the outcome. */
export function operationOutcome(issues: OutcomeIssue[], errorCode?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => (errorCode && !i.diagnostics ? { ...i, diagnostics: errorCode } : i)),
  };
}

export function informational(text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [issue('information', 'informational', text)] };
}

export function isFhirError(err: unknown): err is FhirError {
  return err instanceof FhirError;
}
