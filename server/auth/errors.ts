// Errors of the log-in and account routes: HTTP status + a stable code clients match on.
import Boom from '@hapi/boom';

export type AuthErrorCode = 'invalid-credentials' | 'account-locked' | 'account-disabled' | 'totp-required' | 'totp-invalid'
  | 'session-expired' | 'csrf' | 'weak-password' | 'code-invalid' | 'code-expired' | 'duplicate' | 'identity-mismatch'
  | 'invalid-document' | 'not-found' | 'forbidden' | 'unauthenticated' | 'invalid-request';

const statusOf: Record<AuthErrorCode, number> = {
  'invalid-credentials': 401, 'account-locked': 423, 'account-disabled': 403, 'totp-required': 401, 'totp-invalid': 401,
  'session-expired': 401, 'csrf': 403, 'weak-password': 422, 'code-invalid': 400, 'code-expired': 400, 'duplicate': 409,
  'identity-mismatch': 422, 'invalid-document': 422, 'not-found': 404, 'forbidden': 403, 'unauthenticated': 401, 'invalid-request': 400,
};

export function authError(code: AuthErrorCode, message: string, headers: Record<string, string> = {}): Boom.Boom {
  const err = new Boom.Boom(message, { statusCode: statusOf[code] });
  (err.output.payload as unknown as Record<string, unknown>).code = code;
  Object.assign(err.output.headers, headers);
  return err;
}
