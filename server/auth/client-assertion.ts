// Client authentication with a signed JWT (private_key_jwt: RFC 7523 §2.2, OpenID Connect Core §9),
// as SMART Backend Services asks (http://hl7.org/fhir/smart-app-launch/backend-services.html#authenticating-to-the-token-endpoint):
// iss = sub = client_id, aud = our token endpoint, a jti used once, exp no more than five minutes
// ahead, signed with a key of the client's registered JWK Set (stored, or fetched from its URL).
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Queryable } from '../../fhir/index.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const assertionAlgorithms = ['ES384', 'RS384'];
/** The backend-services page: exp at most five minutes in the future. */
const maxLifetimeSeconds = 300;
const clockSkewSeconds = 30;

export interface AssertionKeys { clientId: string; jwks: JSONWebKeySet | null; jwksUrl: string | null }

/** The client_id the assertion claims (its iss), before any check; null when it is not a JWT. */
export function assertedClientId(assertion: string): string | null {
  try {
    const claims = decodeJwt(assertion);
    return typeof claims.iss === 'string' ? claims.iss : null;
  } catch {
    return null;
  }
}

const remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Verifies the assertion for the client; returns null when it is good, or the reason it is refused.
 * A good assertion's jti is recorded: the same one again is refused until it expires.
 */
export async function verifyClientAssertion(db: Queryable, client: AssertionKeys, assertion: string, tokenEndpoint: string): Promise<string | null> {
  if (!client.jwks && !client.jwksUrl) return 'The client has registered no public keys';
  let keySet;
  if (client.jwks) keySet = createLocalJWKSet(client.jwks);
  else {
    keySet = remoteSets.get(client.jwksUrl!) ?? createRemoteJWKSet(new URL(client.jwksUrl!));
    remoteSets.set(client.jwksUrl!, keySet);
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, keySet, {
      algorithms: assertionAlgorithms, issuer: client.clientId, subject: client.clientId, audience: tokenEndpoint,
      requiredClaims: ['exp', 'jti'], clockTolerance: clockSkewSeconds,
    }));
  } catch (err) {
    return `The client assertion is not valid: ${(err as Error).message}`;
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! > now + maxLifetimeSeconds + clockSkewSeconds) return 'The client assertion expires more than five minutes ahead';
  await db.query('DELETE FROM auth_client_assertion WHERE expires_at < now()');
  const fresh = await db.query(
    `INSERT INTO auth_client_assertion (client_id, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING RETURNING jti`,
    [client.clientId, payload.jti, payload.exp! + clockSkewSeconds]);
  return fresh.rows.length > 0 ? null : 'The client assertion was used before (jti replayed)';
}
