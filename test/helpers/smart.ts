// A SMART app driven by the real OAuth client library (openid-client 6): discovery from the server's
// RFC 8414 metadata, and the authorization code flow with PKCE where the user fills in the server's
// log-in page the way a browser would.
import * as client from 'openid-client';
import { password } from './login.ts';
import type { TestServer } from './server.ts';

/** Discovery from /.well-known/oauth-authorization-server over plain HTTP (tests run on 127.0.0.1). */
export function discover(server: TestServer, clientId: string, secret?: string, auth?: client.ClientAuth): Promise<client.Configuration> {
  return client.discovery(new URL(server.url), clientId, secret, auth ?? (secret ? undefined : client.None()),
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });
}

const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The fields of the log-in page's form (the hidden authorization request parameters) and its action. */
export function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  if (!action) throw new Error(`no log-in form in:\n${html}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(m[1]!)] = unescape(m[2]!);
  return { action: unescape(action), fields };
}

export interface Authorized {
  /** Where the server sent the browser back to (the redirect_uri with code, state and iss). */
  callback: URL;
  verifier: string;
  state: string;
}

/**
 * Opens the authorization URL, fills in the log-in page and submits it like a browser; returns the
 * redirect back to the app. `login`/`secret` are the user's log-in name and password.
 */
export async function authorize(config: client.Configuration, options: { redirectUri: string; scope: string; login: string; secret?: string; extra?: Record<string, string> }): Promise<Authorized> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri, scope: options.scope, state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...options.extra,
  });
  const page = await fetch(url, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200 || !/^text\/html/.test(page.headers.get('content-type') ?? '')) throw new Error(`authorization page: ${page.status} ${html}`);
  const { action, fields } = formOf(html);
  const submitted = await fetch(new URL(action, url), {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, login: options.login, password: options.secret ?? password }),
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location) throw new Error(`log-in form: ${submitted.status} ${await submitted.text()}`);
  return { callback: new URL(location), verifier, state };
}

/** The whole flow: authorize, then exchange the code with PKCE and state checked by the library. */
export async function launch(config: client.Configuration, options: Parameters<typeof authorize>[1]) {
  const { callback, verifier, state } = await authorize(config, options);
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
}
