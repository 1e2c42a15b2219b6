// OAuth 2.0 / SMART App Launch for outside apps (http://hl7.org/fhir/smart-app-launch/):
// discovery (/.well-known/smart-configuration, RFC 8414 metadata), the authorization code grant with
// PKCE S256 (RFC 7636) and a log-in page, client_credentials for system clients (SMART Backend
// Services style, client secret), refresh tokens with rotation, and revocation (RFC 7009).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin, Request, ResponseToolkit, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import type { AuthService } from './service.ts';
import { ClientStore, type OAuthClient } from './clients.ts';
import { grantScopes, parseScopes } from './scopes.ts';
import { randomSecret, secretHash } from './tokens.ts';
import { requireAdmin } from './admin-routes.ts';
import type { Queryable } from '../../fhir/index.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { authenticationEvent } from '../audit/event.ts';
import { originOf } from '../plugins/auth.ts';
import { JWT_BEARER, assertedClientId, assertionAlgorithms, verifyClientAssertion } from './client-assertion.ts';

export interface OAuthRoutesOptions {
  service: AuthService;
  db: Queryable;
  audit: AuditWriter;
  /** PUBLIC_URL, when set; otherwise derived from each request. */
  publicUrl?: string;
}

const codeSeconds = 60;
const supportedScopes = ['openid', 'fhirUser', 'launch/patient', 'offline_access', 'online_access', 'patient/*.read', 'patient/*.rs',
  'user/*.read', 'user/*.*', 'user/*.cruds', 'system/*.read', 'system/*.*', 'system/*.cruds'];

function baseOf(request: Request, publicUrl?: string): string {
  return publicUrl ?? `${request.server.info.protocol}://${request.info.host}`;
}

/** RFC 6749 §5.2 error answer. */
function oauthError(h: ResponseToolkit, error: string, description: string, status = 400) {
  const res = h.response({ error, error_description: description }).code(status).header('cache-control', 'no-store');
  if (status === 401) res.header('www-authenticate', 'Basic realm="open-his"');
  return res;
}

/** Client authentication (RFC 6749 §2.3.1): HTTP Basic or client_id/client_secret in the form. */
async function clientFrom(request: Request, clients: ClientStore, form: Record<string, string>): Promise<{ client: OAuthClient | null; presented: boolean }> {
  const header = request.headers.authorization as string | undefined;
  let id = form.client_id;
  let secret = form.client_secret;
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { client: null, presented: true };
    try {
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    } catch {
      return { client: null, presented: true }; // malformed %-escapes (RFC 6749 §2.3.1 form-encodes both parts)
    }
  }
  if (!id) return { client: null, presented: false };
  if (secret !== undefined) return { client: await clients.authenticate(id, secret), presented: true };
  const client = await clients.byId(id);
  return { client: client && !client.confidential ? client : null, presented: true };
}

function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(params: Record<string, string>, client: OAuthClient, message?: string): string {
  const hidden = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>登录 Log in — Open HIS</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<h1>Open HIS</h1><p>${escapeHtml(client.name)} 请求访问：${escapeHtml(params.scope ?? '')}<br>${escapeHtml(client.name)} asks for access: ${escapeHtml(params.scope ?? '')}</p>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/oauth2/authorize">${hidden}
<label>用户名 / Log-in <input name="login" autocomplete="username" required></label><br>
<label>密码 / Password <input name="password" type="password" autocomplete="current-password" required></label><br>
<label>动态码 / Authenticator code (if enabled) <input name="totp" inputmode="numeric" autocomplete="one-time-code"></label><br>
<button type="submit">登录并授权 Log in and allow</button></form></body></html>`;
}

/** The string fields of a form body (a repeated field arrives as an array and is left out). */
function stringFields(payload: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((payload ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

const authorizeParams = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'aud', 'launch', 'patient'];

export const oauthRoutes: Plugin<OAuthRoutesOptions> = {
  name: 'open-his-oauth-routes',
  register(server, options) {
    const { service, db, audit } = options;
    const clients = new ClientStore(db);

    const smartConfiguration = (request: Request) => {
      const base = baseOf(request, options.publicUrl);
      return {
        issuer: base,
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/token`,
        revocation_endpoint: `${base}/oauth2/revoke`,
        grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        token_endpoint_auth_signing_alg_values_supported: assertionAlgorithms,
        code_challenge_methods_supported: ['S256'],
        scopes_supported: supportedScopes,
        capabilities: ['launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric', 'context-standalone-patient',
          'permission-patient', 'permission-user', 'permission-offline', 'permission-v1', 'permission-v2'],
      };
    };

    /**
     * The authorization request (RFC 6749 §4.1.1) read from a query or a form and checked: its
     * parameters and client, or an error to show (not redirect) or to redirect with.
     */
    async function authorizationRequest(source: unknown): Promise<{ params: Record<string, string>; client: OAuthClient } | { show: string } | { redirect: string }> {
      const fields = stringFields(source);
      const params = Object.fromEntries(authorizeParams.filter((k) => k in fields).map((k) => [k, fields[k]!]));
      const client = params.client_id ? await clients.byId(params.client_id) : null;
      if (!client || !client.grantTypes.includes('authorization_code')) return { show: 'Unknown client' };
      // Never redirect to an address the client did not register (RFC 6749 §4.1.2.1).
      if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) return { show: 'The redirect_uri is not registered for this client' };
      const back = (error: string, description: string) => {
        const url = new URL(params.redirect_uri!);
        url.searchParams.set('error', error);
        url.searchParams.set('error_description', description);
        if (params.state) url.searchParams.set('state', params.state);
        return { redirect: url.toString() };
      };
      if (params.response_type !== 'code') return back('unsupported_response_type', 'Only response_type=code is supported');
      if (!params.code_challenge || params.code_challenge_method !== 'S256') return back('invalid_request', 'PKCE with code_challenge_method=S256 is required');
      return { params, client };
    }

    const refuse = (h: ResponseToolkit, refusal: { show: string } | { redirect: string }) =>
      ('show' in refusal ? h.response(refusal.show).code(400).type('text/plain; charset=utf-8') : h.redirect(refusal.redirect));

    const routes: ServerRoute[] = [
      { method: 'GET', path: '/.well-known/smart-configuration', options: { auth: false, handler: (request) => smartConfiguration(request) } },
      { method: 'GET', path: '/fhir/.well-known/smart-configuration', options: { auth: false, handler: (request) => smartConfiguration(request) } },
      { method: 'GET', path: '/.well-known/oauth-authorization-server', options: { auth: false, handler: (request) => smartConfiguration(request) } },
      {
        method: 'GET', path: '/oauth2/authorize',
        options: {
          auth: false,
          async handler(request, h) {
            const checked = await authorizationRequest(request.query);
            if (!('client' in checked)) return refuse(h, checked);
            return h.response(loginPage(checked.params, checked.client)).type('text/html; charset=utf-8').header('cache-control', 'no-store');
          },
        },
      },
      {
        method: 'POST', path: '/oauth2/authorize',
        options: {
          auth: false,
          plugins: { rateLimit: 'login' },
          payload: { parse: true, allow: 'application/x-www-form-urlencoded', maxBytes: 16 * 1024 },
          async handler(request, h) {
            const form = stringFields(request.payload);
            const checked = await authorizationRequest(form);
            if (!('client' in checked)) return refuse(h, checked);
            const { params } = checked;
            let account;
            try {
              account = await service.checkCredentials(form.login ?? '', form.password ?? '', form.totp || undefined);
            } catch (err) {
              audit.defer(authenticationEvent({ kind: 'login', success: false, origin: originOf(request), caller: { kind: 'anonymous' }, reason: (err as Error).message }));
              return h.response(loginPage(params, checked.client, (err as Error).message)).code(401).type('text/html; charset=utf-8');
            }
            const scope = grantScopes(params.scope, checked.client.scope).split(' ').filter((s) => s !== 'openid' && s !== 'fhirUser').join(' ');
            let launchPatient: string | undefined;
            if (parseScopes(scope).launchPatient) {
              const patients = await service.accounts.patientsOf(account);
              launchPatient = account.kind === 'patient'
                ? (params.patient && patients.includes(params.patient) ? params.patient : account.patientId)
                : params.patient;
            }
            const code = randomSecret();
            await db.query(
              `INSERT INTO auth_code (code_hash, client_id, account_id, redirect_uri, code_challenge, scope, launch_patient, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, now() + ($8::integer * interval '1 second'))`,
              [secretHash(code), checked.client.clientId, account.id, params.redirect_uri, params.code_challenge, scope, launchPatient ?? null, codeSeconds]);
            audit.defer(authenticationEvent({
              kind: 'login', success: true, origin: originOf(request), reason: `Authorized client ${checked.client.clientId}: ${scope}`,
              caller: { kind: account.kind, accountId: account.id, login: account.username ?? account.email ?? '', roles: account.roles },
            }));
            const url = new URL(params.redirect_uri!);
            url.searchParams.set('code', code);
            if (params.state) url.searchParams.set('state', params.state);
            url.searchParams.set('iss', baseOf(request, options.publicUrl));
            return h.redirect(url.toString());
          },
        },
      },
      {
        method: 'POST', path: '/oauth2/token',
        options: {
          auth: false,
          plugins: { rateLimit: 'token' },
          payload: { parse: true, allow: 'application/x-www-form-urlencoded', maxBytes: 16 * 1024 },
          async handler(request, h) {
            const form = stringFields(request.payload);
            let { client, presented } = await clientFrom(request, clients, form);
            if (form.client_assertion_type !== undefined || form.client_assertion !== undefined) {
              // SMART Backend Services: the client proves itself with a JWT signed by its registered key.
              if (form.client_assertion_type !== JWT_BEARER || !form.client_assertion) return oauthError(h, 'invalid_client', 'Unsupported client_assertion_type', 401);
              const claimed = assertedClientId(form.client_assertion);
              const candidate = claimed ? await clients.byId(claimed) : null;
              if (!candidate || (form.client_id && form.client_id !== claimed)) return oauthError(h, 'invalid_client', 'Client authentication failed', 401);
              const refused = await verifyClientAssertion(db, { clientId: candidate.clientId, jwks: candidate.jwks ?? null, jwksUrl: candidate.jwksUrl ?? null },
                form.client_assertion, `${baseOf(request, options.publicUrl)}/oauth2/token`);
              if (refused) return oauthError(h, 'invalid_client', refused, 401);
              client = candidate;
              presented = true;
            }
            const grant = form.grant_type;
            if (grant === 'client_credentials') {
              if (!client || !client.confidential) return oauthError(h, 'invalid_client', 'Client authentication failed', 401);
              if (!client.grantTypes.includes('client_credentials')) return oauthError(h, 'unauthorized_client', 'This client may not use client_credentials');
              const scope = grantScopes(form.scope, client.scope);
              if (!scope) return oauthError(h, 'invalid_scope', 'None of the requested scopes may be granted to this client');
              const issued = await service.clientToken(client.clientId, scope);
              return h.response({ access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope }).header('cache-control', 'no-store');
            }
            if (grant === 'authorization_code') {
              if (!client) return oauthError(h, 'invalid_client', 'Client authentication failed', presented ? 401 : 400);
              const rows = (await db.query<{ client_id: string; account_id: string; redirect_uri: string; code_challenge: string; scope: string; launch_patient: string | null }>(
                `UPDATE auth_code SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
                 RETURNING client_id, account_id, redirect_uri, code_challenge, scope, launch_patient`, [secretHash(form.code ?? '')])).rows;
              const code = rows[0];
              if (!code) {
                // A code presented again was probably stolen: the session it bought ends now.
                const reused = (await db.query<{ session_id: string | null }>(
                  'SELECT session_id FROM auth_code WHERE code_hash = $1 AND used_at IS NOT NULL', [secretHash(form.code ?? '')])).rows[0];
                if (reused?.session_id) await service.sessions.revoke(reused.session_id);
              }
              if (!code || code.client_id !== client.clientId || code.redirect_uri !== form.redirect_uri) {
                return oauthError(h, 'invalid_grant', 'The code is unknown, expired, used, or was issued to another client or redirect_uri');
              }
              if (!pkceMatches(form.code_verifier ?? '', code.code_challenge)) return oauthError(h, 'invalid_grant', 'The code_verifier does not match the code_challenge');
              const account = await service.accounts.byId(code.account_id);
              if (!account || account.disabled) return oauthError(h, 'invalid_grant', 'The account is no longer active');
              const tokens = await service.startSession(account, { clientId: client.clientId, scope: code.scope, launchPatient: code.launch_patient ?? undefined });
              await db.query('UPDATE auth_code SET session_id = $2 WHERE code_hash = $1', [secretHash(form.code ?? ''), tokens.session.id]);
              return h.response({
                access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn, scope: code.scope,
                // SMART: a refresh token only for apps that asked for offline_access or online_access.
                ...(/(^|\s)(offline_access|online_access)(\s|$)/.test(code.scope) ? { refresh_token: tokens.refreshToken } : {}),
                ...(code.launch_patient ? { patient: code.launch_patient } : {}),
              }).header('cache-control', 'no-store');
            }
            if (grant === 'refresh_token') {
              // Checked before rotating: a refused request must not use up the rightful client's token.
              const owner = await service.sessions.clientOf(form.refresh_token ?? '');
              if (owner && (!client || client.clientId !== owner)) return oauthError(h, 'invalid_grant', 'The refresh token was issued to another client');
              try {
                const tokens = await service.refresh(form.refresh_token ?? '');
                if (tokens.session.clientId && (!client || client.clientId !== tokens.session.clientId)) {
                  return oauthError(h, 'invalid_grant', 'The refresh token was issued to another client');
                }
                return h.response({
                  access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn, refresh_token: tokens.refreshToken,
                  ...(tokens.session.scope !== undefined ? { scope: tokens.session.scope } : {}),
                  ...(tokens.session.launchPatient ? { patient: tokens.session.launchPatient } : {}),
                }).header('cache-control', 'no-store');
              } catch (err) {
                return oauthError(h, 'invalid_grant', (err as Error).message);
              }
            }
            return oauthError(h, 'unsupported_grant_type', 'grant_type must be authorization_code, client_credentials or refresh_token');
          },
        },
      },
      {
        method: 'POST', path: '/oauth2/revoke',
        options: {
          auth: false,
          payload: { parse: true, allow: 'application/x-www-form-urlencoded', maxBytes: 16 * 1024 },
          async handler(request, h) {
            const { token } = stringFields(request.payload);
            if (token !== undefined) await service.sessions.revokeByRefreshToken(token);
            return h.response().code(200); // RFC 7009 §2.2: the same answer whether or not the token was known
          },
        },
      },
      {
        method: 'GET', path: '/admin/clients',
        async handler(request) {
          requireAdmin(request);
          return clients.list();
        },
      },
      {
        method: 'POST', path: '/admin/clients',
        options: {
          validate: {
            payload: Joi.object({
              clientId: Joi.string().pattern(/^[A-Za-z0-9._~-]{3,128}$/).required(),
              name: Joi.string().max(200).required(),
              confidential: Joi.boolean().default(false),
              grantTypes: Joi.array().items(Joi.string().valid('authorization_code', 'client_credentials')).min(1).unique().required(),
              redirectUris: Joi.array().items(Joi.string().uri({ scheme: ['http', 'https'] })).default([]),
              scope: Joi.string().max(2000).required(),
              // SMART Backend Services: the client's public keys (JWK Set) or where to fetch them.
              jwks: Joi.object({ keys: Joi.array().items(Joi.object({ kty: Joi.string().required() }).unknown(true).custom((key: Record<string, unknown>) => {
                if ('d' in key) throw new Error('a private key');
                return key;
              })).min(1).required() }),
              jwksUrl: Joi.string().uri({ scheme: ['http', 'https'] }).max(1000),
            }),
          },
          async handler(request, h) {
            requireAdmin(request);
            const input = request.payload as OAuthClient;
            if (input.grantTypes.includes('client_credentials') && !input.confidential) {
              return h.response({ error: 'invalid_client_metadata', error_description: 'client_credentials needs a confidential client' }).code(400);
            }
            // Registering never replaces a client (the bootstrap client included): a taken id is a conflict.
            if (await clients.byId(input.clientId)) {
              return h.response({ error: 'invalid_client_metadata', error_description: `A client ${input.clientId} is registered already` }).code(409);
            }
            // A client with registered keys authenticates with them: no secret is issued.
            const hasKeys = input.jwks !== undefined || input.jwksUrl !== undefined;
            if (hasKeys && !input.confidential) {
              return h.response({ error: 'invalid_client_metadata', error_description: 'A client with keys is confidential' }).code(400);
            }
            const secret = input.confidential && !hasKeys ? randomSecret() : undefined;
            await clients.save({ ...input, secret });
            return h.response({ ...input, ...(secret ? { clientSecret: secret } : {}) }).code(201);
          },
        },
      },
    ];
    server.route(routes);
  },
};
