// A fhir-kit-client for a partner's FHIR server, with an access token from the partner's token
// endpoint (SMART Backend Services, http://hl7.org/fhir/smart-app-launch/backend-services.html):
// the endpoint from [base]/.well-known/smart-configuration unless the partner names one, then
// client_credentials authenticated by a client secret (RFC 6749 §4.4) or by a signed client
// assertion (private_key_jwt, RFC 7523 §2.2). Tokens are cached until shortly before they expire.
import { randomUUID } from 'node:crypto';
import { Client } from 'fhir-kit-client';
import { importJWK, SignJWT } from 'jose';
import { FhirError } from '../../../fhir/index.ts';
import type { Partner, PartnerRegistry } from './registry.ts';
import { ASSERTION_ALG } from './keys.ts';
import { exchangeError } from '../errors.ts';

export type RemoteClient = InstanceType<typeof Client>;

/** How long before expiry a cached token is no longer used (seconds). */
const marginSeconds = 30;
/** The backend-services page: the assertion's exp no more than five minutes after its issue. */
const assertionSeconds = 300;
const requestTimeoutMs = 15_000;

interface CachedToken { token: string; expiresAt: number }

export interface RemoteClientDeps {
  registry: PartnerRegistry;
  /** Replaced in tests that move the clock. */
  now?: () => number;
}

/** Token cache per registry (one per server). */
const caches = new WeakMap<PartnerRegistry, Map<string, CachedToken>>();

function cacheOf(registry: PartnerRegistry): Map<string, CachedToken> {
  let cache = caches.get(registry);
  if (!cache) {
    const created = new Map<string, CachedToken>();
    registry.onChange((id) => created.delete(id));
    caches.set(registry, created);
    cache = created;
  }
  return cache;
}

async function fetchOrUnreachable(partner: Partner, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
  } catch (err) {
    throw exchangeError('partner-unreachable', `${partner.name} could not be reached at ${new URL(url).origin}: ${(err as Error).message}`);
  }
}

/** The partner's token endpoint: configured, or from its SMART configuration. */
export async function tokenEndpointOf(partner: Partner): Promise<string> {
  if (partner.auth.tokenUrl) return partner.auth.tokenUrl;
  const res = await fetchOrUnreachable(partner, `${partner.baseUrl}/.well-known/smart-configuration`, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null) as { token_endpoint?: unknown } | null;
  if (res.status >= 500) throw exchangeError('partner-unreachable', `${partner.name}'s SMART configuration answered HTTP ${res.status}`);
  if (!res.ok || typeof body?.token_endpoint !== 'string') {
    throw exchangeError('partner-auth-failed', `${partner.name} publishes no token endpoint at ${partner.baseUrl}/.well-known/smart-configuration (HTTP ${res.status})`);
  }
  return body.token_endpoint;
}

async function requestToken(deps: RemoteClientDeps, partner: Partner): Promise<CachedToken> {
  const credentials = await deps.registry.credentialsOf(partner.id);
  if (!credentials) throw exchangeError('partner-auth-failed', `No credentials are stored for ${partner.name}`);
  const tokenUrl = await tokenEndpointOf(partner);
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope: partner.scope });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const now = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  if (credentials.kind === 'client-credentials') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(partner.auth.clientId)}:${encodeURIComponent(credentials.secret)}`).toString('base64')}`;
  } else {
    const key = await importJWK(credentials.privateJwk, ASSERTION_ALG);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: ASSERTION_ALG, kid: credentials.keyId, typ: 'JWT' })
      .setIssuer(partner.auth.clientId).setSubject(partner.auth.clientId).setAudience(tokenUrl)
      .setJti(randomUUID()).setIssuedAt(now).setExpirationTime(now + assertionSeconds)
      .sign(key);
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', assertion);
  }
  const res = await fetchOrUnreachable(partner, tokenUrl, { method: 'POST', headers, body: form });
  const body = await res.json().catch(() => null) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | null;
  if (res.status >= 500) throw exchangeError('partner-unreachable', `${partner.name}'s token endpoint answered HTTP ${res.status}`);
  if (!res.ok || typeof body?.access_token !== 'string') {
    const why = typeof body?.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : `HTTP ${res.status}`;
    throw exchangeError('partner-auth-failed', `${partner.name} refused our credentials (${why})`);
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 300;
  return { token: body.access_token, expiresAt: now + expiresIn };
}

/** A current access token for the partner (cached until `marginSeconds` before it expires). */
export async function partnerToken(deps: RemoteClientDeps, partner: Partner): Promise<string> {
  const cache = cacheOf(deps.registry);
  const now = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const cached = cache.get(partner.id);
  if (cached && cached.expiresAt - marginSeconds > now) return cached.token;
  const fresh = await requestToken(deps, partner);
  cache.set(partner.id, fresh);
  return fresh.token;
}

/** Forgets the cached token (after the partner answered 401 to it). */
export function forgetToken(registry: PartnerRegistry, partnerId: string): void {
  cacheOf(registry).delete(partnerId);
}

/**
 * A fhir-kit-client for the partner's FHIR base with a bearer token. Throws partner-unknown,
 * partner-disabled, partner-auth-failed or partner-unreachable (FhirErrors).
 */
export async function remoteClient(deps: RemoteClientDeps | PartnerRegistry, partnerId: string): Promise<RemoteClient> {
  const resolved: RemoteClientDeps = 'registry' in deps ? deps : { registry: deps };
  const partner = await resolved.registry.usable(partnerId);
  const token = await partnerToken(resolved, partner);
  return new Client({ baseUrl: partner.baseUrl, bearerToken: token });
}

/**
 * The FhirError for a failed call made with a remote client: network errors and 5xx are
 * partner-unreachable, 401/403 partner-auth-failed (and the cached token is dropped), other 4xx
 * partner-refused with the partner's first issue text.
 */
export function remoteFailure(registry: PartnerRegistry, partner: Pick<Partner, 'id' | 'name'>, err: unknown): FhirError {
  if (err instanceof FhirError) return err;
  const response = (err as { response?: { status?: number; data?: unknown } }).response;
  const status = response?.status;
  if (status === undefined || status >= 500) {
    return exchangeError('partner-unreachable', `${partner.name} did not answer: ${status !== undefined ? `HTTP ${status}` : (err as Error).message}`);
  }
  if (status === 401 || status === 403) {
    forgetToken(registry, partner.id);
    return exchangeError('partner-auth-failed', `${partner.name} refused our access token (HTTP ${status})`);
  }
  let data = response?.data;
  if (typeof data === 'string') { try { data = JSON.parse(data); } catch { /* plain text answer */ } }
  const outcome = data as { issue?: { diagnostics?: string; details?: { text?: string } }[] } | undefined;
  const text = outcome?.issue?.[0]?.details?.text ?? outcome?.issue?.[0]?.diagnostics ?? `HTTP ${status}`;
  return exchangeError('partner-refused', `${partner.name} refused the request: ${text}`);
}
