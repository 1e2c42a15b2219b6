// Browser log-in for staff and patients: POST /auth/login gives a short-lived access token in the
// body and a refresh token in an httpOnly, SameSite=Strict cookie scoped to /auth; /auth/refresh
// swaps it (rotating it), /auth/logout ends the session. The cookie-authenticated routes also demand
// a custom header that a cross-site form or image cannot send (CSRF defence in depth).
import type { Plugin, Request, ResponseToolkit, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import type { AuthService, IssuedTokens } from './service.ts';
import type { Account } from './accounts.ts';
import { authError } from './errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { generateTotpSecret, totpUri, verifyTotp } from './totp.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { authenticationEvent } from '../audit/event.ts';
import { callerOf, originOf } from '../plugins/auth.ts';

export const refreshCookie = 'his_refresh';
export const csrfHeader = 'x-requested-with';

export interface SessionRoutesOptions {
  service: AuthService;
  audit: AuditWriter;
  https: boolean;
}

export function accountView(account: Account, patients?: string[]) {
  return {
    id: account.id, kind: account.kind, username: account.username, email: account.email, phone: account.phone,
    displayName: account.displayName, roles: account.roles, practitionerId: account.practitionerId,
    practitionerRoleId: account.practitionerRoleId, patientId: account.patientId, ...(patients ? { patients } : {}),
    totpEnabled: account.totpSecret !== undefined, disabled: account.disabled,
  };
}

function checkCsrf(request: Request): void {
  if (request.headers[csrfHeader] !== 'open-his') {
    throw authError('csrf', `This request needs the header ${csrfHeader}: open-his`);
  }
}

/** The account of a logged-in staff member or patient acting for themselves (not through an app). */
export async function currentAccount(service: AuthService, request: Request): Promise<Account> {
  const caller = callerOf(request);
  if (caller.kind !== 'staff' && caller.kind !== 'patient') throw authError('unauthenticated', 'Log in first');
  // An app's token (SMART, with scopes) acts on the record within its scopes, never on the account itself.
  if (caller.scope !== undefined) throw authError('forbidden', 'An app cannot manage the account; log in to Open HIS itself');
  const account = await service.accounts.byId(caller.accountId);
  if (!account) throw authError('unauthenticated', 'The account no longer exists');
  return account;
}

/** The answer to a log-in (or sign-up): the access token, the account, and the refresh cookie. */
export async function sessionAnswer(h: ResponseToolkit, service: AuthService, account: Account, tokens: IssuedTokens) {
  const patients = account.kind === 'patient' ? await service.accounts.patientsOf(account) : undefined;
  return h.response({
    access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn, account: accountView(account, patients),
  }).state(refreshCookie, tokens.refreshToken, { ttl: tokens.session.expiresAt.getTime() - Date.now() })
    .header('cache-control', 'no-store');
}

export const sessionRoutes: Plugin<SessionRoutesOptions> = {
  name: 'open-his-session-routes',
  register(server, options) {
    const { service, audit } = options;
    server.state(refreshCookie, {
      isHttpOnly: true, isSecure: options.https, isSameSite: 'Strict', path: '/auth', encoding: 'none',
      ttl: null, clearInvalid: true, strictHeader: true,
    });
    const respond = (h: ResponseToolkit, account: Account, tokens: IssuedTokens) => sessionAnswer(h, service, account, tokens);

    const routes: ServerRoute[] = [
      {
        method: 'POST', path: '/auth/login',
        options: {
          plugins: { public: true, rateLimit: 'login' },
          validate: {
            payload: Joi.object({ login: Joi.string().max(256).required(), password: Joi.string().max(1024).required(), totp: Joi.string().max(16) }),
          },
          async handler(request, h) {
            const { login, password, totp } = request.payload as { login: string; password: string; totp?: string };
            let account: Account;
            try {
              account = await service.checkCredentials(login, password, totp);
            } catch (err) {
              const known = await service.accounts.byLogin(login);
              audit.defer(authenticationEvent({
                kind: 'login', success: false, origin: originOf(request), reason: (err as Error).message,
                caller: known ? { kind: known.kind, accountId: known.id, login: known.username ?? known.email ?? login, roles: known.roles } : { kind: 'anonymous' },
              }));
              throw err;
            }
            const tokens = await service.startSession(account);
            audit.defer(authenticationEvent({
              kind: 'login', success: true, origin: originOf(request),
              caller: { kind: account.kind, accountId: account.id, login: account.username ?? account.email ?? login, roles: account.roles,
                fhirUser: account.practitionerId ? `Practitioner/${account.practitionerId}` : account.patientId ? `Patient/${account.patientId}` : undefined },
            }));
            return respond(h, account, tokens);
          },
        },
      },
      {
        method: 'POST', path: '/auth/refresh',
        options: {
          plugins: { public: true, rateLimit: 'refresh' },
          async handler(request, h) {
            checkCsrf(request);
            const token = request.state[refreshCookie] as string | undefined;
            if (!token) throw authError('session-expired', 'No session: log in again');
            const tokens = await service.refresh(token);
            const account = (await service.accounts.byId(tokens.session.accountId!))!;
            return respond(h, account, tokens);
          },
        },
      },
      {
        method: 'POST', path: '/auth/logout',
        options: {
          // An expired or revoked access token must not stop a log-out: the cookie alone ends the session.
          auth: { mode: 'try' },
          plugins: { public: true },
          async handler(request, h) {
            checkCsrf(request);
            const caller = callerOf(request);
            const token = request.state[refreshCookie] as string | undefined;
            if (token) await service.sessions.revokeByRefreshToken(token);
            if (caller.kind !== 'anonymous' && caller.sessionId) await service.sessions.revoke(caller.sessionId);
            audit.defer(authenticationEvent({ kind: 'logout', success: true, origin: originOf(request), caller }));
            return h.response().code(204).unstate(refreshCookie);
          },
        },
      },
      {
        method: 'GET', path: '/auth/me',
        async handler(request) {
          const account = await currentAccount(service, request);
          return accountView(account, account.kind === 'patient' ? await service.accounts.patientsOf(account) : undefined);
        },
      },
      {
        method: 'POST', path: '/auth/password',
        options: {
          plugins: { rateLimit: 'login' },
          validate: { payload: Joi.object({ current: Joi.string().max(1024).required(), next: Joi.string().max(1024).required() }) },
          async handler(request, h) {
            const account = await currentAccount(service, request);
            const accountId = account.id;
            const { current, next } = request.payload as { current: string; next: string };
            if (!account.passwordHash || !await verifyPassword(account.passwordHash, current)) {
              throw authError('invalid-credentials', 'The current password is wrong');
            }
            const problem = passwordProblem(next, [account.username ?? '', account.email ?? '']);
            if (problem) throw authError('weak-password', problem);
            await service.accounts.setPassword(accountId, await hashPassword(next));
            // Other sessions end: whoever knew the old password is logged out.
            const caller = callerOf(request);
            await service.sessions.revokeAccount(accountId);
            const tokens = await service.startSession(account);
            audit.defer(authenticationEvent({ kind: 'login', success: true, origin: originOf(request), caller, reason: 'Password changed; other sessions ended' }));
            return respond(h, account, tokens);
          },
        },
      },
      {
        method: 'POST', path: '/auth/totp/setup',
        async handler(request) {
          const account = await currentAccount(service, request);
          const secret = generateTotpSecret();
          await service.accounts.setTotp(account.id, { pending: secret });
          return { secret, uri: totpUri({ secret, account: account.username ?? account.email ?? account.id, issuer: 'Open HIS' }) };
        },
      },
      {
        method: 'POST', path: '/auth/totp/confirm',
        options: {
          plugins: { rateLimit: 'login' },
          validate: { payload: Joi.object({ code: Joi.string().max(16).required() }) },
          async handler(request, h) {
            const account = await currentAccount(service, request);
            if (!account.totpPendingSecret) throw authError('invalid-request', 'Start with POST /auth/totp/setup');
            const step = verifyTotp(account.totpPendingSecret, (request.payload as { code: string }).code, { nowMs: Date.now() });
            if (step === null) throw authError('totp-invalid', 'The code does not match; check the time on your phone');
            await service.accounts.setTotp(account.id, { secret: account.totpPendingSecret, pending: null, lastStep: step });
            return h.response().code(204);
          },
        },
      },
      {
        method: 'DELETE', path: '/auth/totp',
        options: {
          plugins: { rateLimit: 'login' },
          validate: { payload: Joi.object({ password: Joi.string().max(1024).required() }) },
          async handler(request, h) {
            const account = await currentAccount(service, request);
            if (!account.passwordHash || !await verifyPassword(account.passwordHash, (request.payload as { password: string }).password)) {
              throw authError('invalid-credentials', 'The password is wrong');
            }
            await service.accounts.setTotp(account.id, { secret: null, pending: null, lastStep: null });
            return h.response().code(204);
          },
        },
      },
    ];
    server.route(routes);
  },
};
