// Access tokens: short-lived JWTs (RFC 7519) signed HS256 with a key shared by every server process
// on the database (or given by HIS_TOKEN_SECRET). They carry who the caller is, so a request needs no
// database round trip to know it; revocation is by session (sessions.ts).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Queryable } from '../../fhir/index.ts';
import type { Role } from './policy.ts';

export interface AccessClaims {
  /** Account id, or the client id of a system client. */
  sub: string;
  kind: 'staff' | 'patient' | 'client';
  login?: string;
  roles?: Role[];
  fhirUser?: string;
  /** Patient accounts: their own and their proxies' Patient ids. */
  patients?: string[];
  sid?: string;
  /** Present on tokens issued to apps (SMART): the granted scopes. */
  scope?: string;
  /** SMART launch context. */
  patient?: string;
  client_id?: string;
  exp: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'The access token has expired' : 'The access token is not valid');
  }
}

/** The signing key: HIS_TOKEN_SECRET if set, else one generated once and kept in the database. */
export async function signingKey(db: Queryable, configured?: string): Promise<Uint8Array> {
  if (configured) return createHash('sha256').update(configured).digest();
  await db.query('INSERT INTO auth_signing_key (id, secret) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
    ['access-token', randomBytes(32).toString('base64url')]);
  const row = (await db.query<{ secret: string }>('SELECT secret FROM auth_signing_key WHERE id = $1', ['access-token'])).rows[0]!;
  return Buffer.from(row.secret, 'base64url');
}

export class TokenIssuer {
  readonly #key: Uint8Array;
  readonly #issuer: string;
  readonly ttlSeconds: number;
  /** Verified tokens, so that a client's burst of requests verifies its token once. */
  readonly #verified = new Map<string, AccessClaims>();

  constructor(key: Uint8Array, issuer: string, ttlSeconds: number) {
    this.#key = key;
    this.#issuer = issuer;
    this.ttlSeconds = ttlSeconds;
  }

  async issue(claims: Omit<AccessClaims, 'exp'>): Promise<{ token: string; expiresIn: number }> {
    const { sub, ...rest } = claims;
    const token = await new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(sub)
      .setIssuer(this.#issuer)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.#key);
    return { token, expiresIn: this.ttlSeconds };
  }

  /**
   * The refresh token that replaces `refreshToken` at rotation. Derived (keyed, so only this server
   * can compute it) rather than random, so that two tabs refreshing with the same cookie at the same
   * moment both receive the same successor and whichever cookie the browser keeps stays valid.
   */
  successorOf(refreshToken: string): string {
    return createHmac('sha256', this.#key).update(`refresh-rotation:${refreshToken}`).digest('base64url');
  }

  async verify(token: string): Promise<AccessClaims> {
    const cached = this.#verified.get(token);
    const now = Date.now() / 1000;
    if (cached) {
      if (cached.exp > now) return cached;
      this.#verified.delete(token);
      throw new InvalidTokenError('expired');
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: this.#issuer, algorithms: ['HS256'], typ: 'at+jwt' });
      const claims = payload as unknown as AccessClaims;
      if (typeof claims.sub !== 'string' || !['staff', 'patient', 'client'].includes(claims.kind)) throw new InvalidTokenError('invalid');
      if (this.#verified.size >= 10_000) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(token, claims);
      return claims;
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      throw new InvalidTokenError(err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid');
    }
  }
}

/** SHA-256 of a long random secret (refresh tokens, codes, client secrets): enough, no salt needed. */
export function secretHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
