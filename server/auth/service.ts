// Log-in, tokens and callers: the one object the auth routes and the request authenticator use.
import type { Database } from '../../fhir/index.ts';
import { AccountStore, type Account } from './accounts.ts';
import { SessionStore, type Session } from './sessions.ts';
import { InvalidTokenError, TokenIssuer, type AccessClaims } from './tokens.ts';
import { dummyVerify, verifyPassword } from './password.ts';
import { verifyTotp } from './totp.ts';
import { authError } from './errors.ts';
import type { Caller } from './caller.ts';

export interface AuthSettings {
  accessTokenSeconds: number;
  staffSessionSeconds: number;
  patientSessionSeconds: number;
  /** Failed log-ins in a row before the account locks, and for how long. */
  maxFailedLogins: number;
  lockSeconds: number;
  /** A browser's previous refresh token is still honoured this long after rotation (concurrent tabs); 0 = never. */
  refreshGraceSeconds: number;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  session: Session;
}

export class AuthService {
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly tokens: TokenIssuer;
  readonly settings: AuthSettings;

  constructor(db: Database, tokens: TokenIssuer, settings: AuthSettings) {
    this.accounts = new AccountStore(db);
    this.sessions = new SessionStore(db, { graceSeconds: settings.refreshGraceSeconds, successorOf: (token) => tokens.successorOf(token) });
    this.tokens = tokens;
    this.settings = settings;
  }

  /**
   * Checks log-in name, password and (when enabled) the TOTP code. Unknown names cost as much time
   * as known ones and get the same answer, so the answer does not tell which names exist.
   */
  async checkCredentials(login: string, password: string, totp: string | undefined, now = Date.now()): Promise<Account> {
    const account = await this.accounts.byLogin(login);
    if (!account || !account.passwordHash) {
      await dummyVerify();
      throw authError('invalid-credentials', 'Wrong log-in name or password');
    }
    if (account.lockedUntil && account.lockedUntil.getTime() > now) {
      const seconds = Math.ceil((account.lockedUntil.getTime() - now) / 1000);
      throw authError('account-locked', `Too many failed log-ins: try again in ${Math.ceil(seconds / 60)} minutes`, { 'retry-after': String(seconds) });
    }
    if (!await verifyPassword(account.passwordHash, password)) {
      const locked = await this.accounts.recordFailure(account.id, this.settings.maxFailedLogins, this.settings.lockSeconds * 1000);
      if (locked && locked.getTime() > now) {
        throw authError('account-locked', `Too many failed log-ins: the account is locked for ${Math.ceil(this.settings.lockSeconds / 60)} minutes`,
          { 'retry-after': String(this.settings.lockSeconds) });
      }
      throw authError('invalid-credentials', 'Wrong log-in name or password');
    }
    if (account.disabled) throw authError('account-disabled', 'This account is disabled');
    if (account.totpSecret) {
      if (!totp) throw authError('totp-required', 'Enter the code from your authenticator app');
      const step = verifyTotp(account.totpSecret, totp, { nowMs: now, lastUsedStep: account.totpLastStep });
      if (step === null || !await this.accounts.useTotpStep(account.id, step)) {
        await this.accounts.recordFailure(account.id, this.settings.maxFailedLogins, this.settings.lockSeconds * 1000);
        throw authError('totp-invalid', 'The authenticator code is wrong or was used already');
      }
    }
    await this.accounts.recordSuccess(account.id);
    return account;
  }

  /** A new session for a logged-in account, with its first tokens. */
  async startSession(account: Account, app?: { clientId: string; scope: string; launchPatient?: string }): Promise<IssuedTokens> {
    const ttl = account.kind === 'patient' ? this.settings.patientSessionSeconds : this.settings.staffSessionSeconds;
    const { session, refreshToken } = await this.sessions.create({
      accountId: account.id, clientId: app?.clientId, scope: app?.scope, launchPatient: app?.launchPatient, ttlSeconds: ttl,
    });
    const access = await this.accessToken(account, session);
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken, session };
  }

  /** A session for a system client (client_credentials): no refresh token is handed out. */
  async clientToken(clientId: string, scope: string): Promise<{ accessToken: string; expiresIn: number }> {
    const { session } = await this.sessions.create({ clientId, scope, ttlSeconds: this.settings.accessTokenSeconds });
    const { token, expiresIn } = await this.tokens.issue({ sub: clientId, kind: 'client', scope, sid: session.id, client_id: clientId });
    return { accessToken: token, expiresIn };
  }

  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const result = await this.sessions.refresh(refreshToken);
    if (!result.ok) {
      throw authError('session-expired', result.reason === 'reused'
        ? 'This refresh token was used before; the session has been ended for safety'
        : 'The session has ended; log in again');
    }
    const account = result.session.accountId ? await this.accounts.byId(result.session.accountId) : null;
    if (!account || account.disabled) {
      await this.sessions.revoke(result.session.id);
      throw authError('session-expired', 'The session has ended; log in again');
    }
    const access = await this.accessToken(account, result.session);
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: result.refreshToken, session: result.session };
  }

  async accessToken(account: Account, session: Session): Promise<{ token: string; expiresIn: number }> {
    const patients = account.kind === 'patient' ? await this.accounts.patientsOf(account) : undefined;
    const fhirUser = account.kind === 'patient'
      ? (account.patientId ? `Patient/${account.patientId}` : undefined)
      : (account.practitionerId ? `Practitioner/${account.practitionerId}` : undefined);
    return this.tokens.issue({
      sub: account.id, kind: account.kind, login: account.username ?? account.email ?? account.phone, roles: account.roles,
      ...(fhirUser ? { fhirUser } : {}), ...(patients ? { patients } : {}), sid: session.id,
      ...(session.scope !== undefined ? { scope: session.scope } : {}), ...(session.launchPatient ? { patient: session.launchPatient } : {}),
      ...(session.clientId ? { client_id: session.clientId } : {}),
    });
  }

  /** The caller of a request from its bearer token; anonymous without one. */
  async caller(authorization: string | undefined): Promise<Caller> {
    if (!authorization) return { kind: 'anonymous' };
    const m = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(authorization);
    if (!m) throw authError('unauthenticated', 'The Authorization header must be "Bearer <access token>"', bearerChallenge('invalid_request'));
    let claims: AccessClaims;
    try {
      claims = await this.tokens.verify(m[1]!);
    } catch (err) {
      const reason = err instanceof InvalidTokenError ? err.message : 'The access token is not valid';
      throw authError('unauthenticated', reason, bearerChallenge('invalid_token', reason));
    }
    if (claims.sid && !await this.sessions.isLive(claims.sid)) {
      throw authError('unauthenticated', 'The session of this access token has ended', bearerChallenge('invalid_token', 'session ended'));
    }
    // One Caller object per token (claims are cached per token too): what is derived from it — its
    // engine Access, its audit key — is then computed once per token, not once per request.
    let caller = this.#callers.get(claims);
    if (!caller) {
      caller = claims.kind === 'client'
        ? { kind: 'client', clientId: claims.sub, scope: claims.scope ?? '', sessionId: claims.sid }
        : {
          kind: claims.kind, accountId: claims.sub, login: claims.login ?? claims.sub, roles: claims.roles ?? [], fhirUser: claims.fhirUser,
          patients: claims.patients, sessionId: claims.sid, scope: claims.scope, launchPatient: claims.patient, clientId: claims.client_id,
        };
      this.#callers.set(claims, caller);
    }
    return caller;
  }

  readonly #callers = new WeakMap<AccessClaims, Caller>();
}

/** RFC 6750 §3: the WWW-Authenticate challenge of a refused bearer token. */
export function bearerChallenge(error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description?: string): Record<string, string> {
  const parts = ['Bearer realm="open-his"'];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/"/g, "'")}"`);
  return { 'www-authenticate': parts.join(', ') };
}
