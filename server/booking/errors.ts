// Booking's refusals: FHIR OperationOutcomes whose issue carries a stable booking code in
// details.coding (so clients and the booking page match on the code, never on the text).
import { FhirError, type ErrorCode } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

export const BOOKING_ERROR_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/booking-error`;

export const bookingErrors = {
  'slot-taken': { code: 'conflict', issue: 'conflict' },
  'slot-closed': { code: 'conflict', issue: 'conflict' },
  'slot-past': { code: 'business-rule', issue: 'business-rule' },
  'not-released': { code: 'business-rule', issue: 'business-rule' },
  'department-daily-limit': { code: 'business-rule', issue: 'business-rule' },
  'daily-limit': { code: 'business-rule', issue: 'business-rule' },
  'weekly-limit': { code: 'business-rule', issue: 'business-rule' },
  'booking-banned': { code: 'business-rule', issue: 'business-rule' },
  'real-name-required': { code: 'business-rule', issue: 'business-rule' },
  'cancel-deadline': { code: 'business-rule', issue: 'business-rule' },
  'not-cancellable': { code: 'business-rule', issue: 'business-rule' },
  'not-today': { code: 'business-rule', issue: 'business-rule' },
  'not-your-patient': { code: 'forbidden', issue: 'forbidden' },
  'rate-limited': { code: 'too-many-requests', issue: 'throttled' },
} as const satisfies Record<string, { code: ErrorCode; issue: string }>;

export type BookingErrorCode = keyof typeof bookingErrors;

export function bookingError(code: BookingErrorCode, message: string, expression?: string[], retryAfterSeconds?: number): FhirError {
  const entry = bookingErrors[code];
  return new FhirError(entry.code, message, {
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    issues: [{
      severity: 'error', code: entry.issue, diagnostics: code,
      details: { text: message, coding: [{ system: BOOKING_ERROR_SYSTEM, code }] },
      ...(expression ? { expression } : {}),
    }],
  });
}
