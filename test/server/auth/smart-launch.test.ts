// SMART standalone launch end to end with openid-client: the authorization code flow with PKCE for a
// public app registered by an administrator, a patient and a doctor logging in on the server's page,
// what the tokens then allow, and refresh token rotation.
import test from 'ava';
import * as client from 'openid-client';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { loggedIn, patientAccount, staffAccount } from '../../helpers/login.ts';
import { authorize, discover, formOf, launch } from '../../helpers/smart.ts';
import { secretHash } from '../../../server/auth/tokens.ts';

let server: TestServer;
let redirectUri: string;
let patientApp: client.Configuration;
let staffApp: client.Configuration;
const patientScope = 'launch/patient patient/*.read offline_access';

const observation = (id: string, patient: string) => ({
  resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 64, unit: '/min' },
});

test.before(async () => {
  server = await startTestServer();
  redirectUri = `${server.url}/callback`;
  for (const resource of [
    { resourceType: 'Patient', id: 'sl-a', name: [{ family: 'Wu' }] }, observation('sl-a-o1', 'sl-a'), observation('sl-a-o2', 'sl-a'),
    { resourceType: 'Patient', id: 'sl-b', name: [{ family: 'Zhou' }] }, observation('sl-b-o1', 'sl-b'),
  ]) {
    const res = await request(server, 'PUT', `${resource.resourceType}/${resource.id}`, { body: resource });
    if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
  }
  await staffAccount(server, 'sl-admin', ['admin']);
  await staffAccount(server, 'sl-doctor', ['doctor']);
  await patientAccount(server, 'wu@example.org', 'sl-a');
  const admin = (await loggedIn(server, 'sl-admin')).token;
  for (const app of [
    { clientId: 'patient-app', name: 'Patient app', scope: patientScope },
    { clientId: 'staff-app', name: 'Ward app', scope: 'user/*.* offline_access' },
  ]) {
    const res = await request(server, 'POST', '/admin/clients', { token: admin, body: { ...app, grantTypes: ['authorization_code'], redirectUris: [redirectUri] } });
    if (res.status !== 201 || res.body.clientSecret !== undefined) throw new Error(`client: ${res.status} ${res.text}`);
  }
  patientApp = await discover(server, 'patient-app');
  staffApp = await discover(server, 'staff-app');
});

test.after.always(async () => {
  await server?.stop();
});

const ids = (bundle: { entry?: { resource: { id: string } }[] }) => (bundle.entry ?? []).map((e) => e.resource.id).sort();

test('a patient launches the app: the token has their patient in context and reads only their record', async (t) => {
  const tokens = await launch(patientApp, { redirectUri, scope: patientScope, login: 'wu@example.org' });
  t.is(tokens.patient, 'sl-a');
  t.is(tokens.scope, patientScope);
  t.truthy(tokens.refresh_token);
  const token = tokens.access_token;
  const own = await client.fetchProtectedResource(patientApp, token, new URL(`${server.base}/Observation/sl-a-o1`), 'GET');
  t.is(own.status, 200);
  const other = await request(server, 'GET', 'Observation/sl-b-o1', { token });
  t.is(other.status, 404, "another patient's Observation does not exist for this token");
  const missing = await request(server, 'GET', 'Observation/sl-no-such', { token });
  t.is(other.body.issue[0].code, missing.body.issue[0].code, 'the same answer as for an Observation that does not exist');
  const search = await request(server, 'GET', 'Observation', { token });
  t.is(search.status, 200);
  t.deepEqual(ids(search.body), ['sl-a-o1', 'sl-a-o2']);
  t.deepEqual(ids((await request(server, 'GET', 'Patient', { token })).body), ['sl-a']);
  t.deepEqual(ids((await request(server, 'GET', 'Observation?subject=Patient/sl-b', { token })).body), []);
  const write = await request(server, 'POST', 'Observation', { token, body: observation('x', 'sl-a') });
  t.is(write.status, 403, 'patient/*.read does not write');
  t.is((await request(server, 'GET', '/admin/accounts', { token })).status, 403);
  const row = (await server.app.db.query<{ client_id: string; scope: string; launch_patient: string }>(
    'SELECT client_id, scope, launch_patient FROM auth_session WHERE refresh_hash = $1', [secretHash(tokens.refresh_token!)])).rows[0];
  t.deepEqual({ ...row }, { client_id: 'patient-app', scope: patientScope, launch_patient: 'sl-a' });
});

test('the app refreshes its token; rotation holds: the old refresh token is refused and ends the session', async (t) => {
  const first = await launch(patientApp, { redirectUri, scope: patientScope, login: 'wu@example.org' });
  const second = await client.refreshTokenGrant(patientApp, first.refresh_token!);
  t.truthy(second.refresh_token);
  t.not(second.refresh_token, first.refresh_token);
  t.is(second.patient, 'sl-a');
  t.is(second.scope, patientScope);
  t.is((await request(server, 'GET', 'Observation/sl-a-o1', { token: second.access_token })).status, 200);
  const replay = await t.throwsAsync(client.refreshTokenGrant(patientApp, first.refresh_token!)) as Error & { error?: string; status?: number };
  t.is(replay.error, 'invalid_grant');
  t.is(replay.status, 400);
  const after = await t.throwsAsync(client.refreshTokenGrant(patientApp, second.refresh_token!)) as Error & { error?: string };
  t.is(after.error, 'invalid_grant', 'the reuse revoked the session, so the rotated token is dead too');
  t.is((await request(server, 'GET', 'Observation/sl-a-o1', { token: second.access_token })).status, 401);
});

test("another client cannot redeem the app's refresh token, and trying does not use it up", async (t) => {
  const tokens = await launch(patientApp, { redirectUri, scope: patientScope, login: 'wu@example.org' });
  const stolen = await t.throwsAsync(client.refreshTokenGrant(staffApp, tokens.refresh_token!)) as Error & { error?: string };
  t.is(stolen.error, 'invalid_grant');
  const own = await client.refreshTokenGrant(patientApp, tokens.refresh_token!);
  t.truthy(own.access_token, 'the rightful app still refreshes with the same token');
  t.is((await request(server, 'GET', 'Observation/sl-a-o1', { token: own.access_token })).status, 200);
});

test('the code is bound to the PKCE verifier and used once', async (t) => {
  const wrong = await authorize(patientApp, { redirectUri, scope: patientScope, login: 'wu@example.org' });
  const mismatch = await t.throwsAsync(client.authorizationCodeGrant(patientApp, wrong.callback, {
    pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: wrong.state,
  })) as Error & { error?: string };
  t.is(mismatch.error, 'invalid_grant');

  const right = await authorize(patientApp, { redirectUri, scope: patientScope, login: 'wu@example.org' });
  const tokens = await client.authorizationCodeGrant(patientApp, right.callback, { pkceCodeVerifier: right.verifier, expectedState: right.state });
  t.truthy(tokens.access_token);
  t.is(right.callback.searchParams.get('iss'), server.url, 'the redirect names the issuer (RFC 9207)');
  t.is((await request(server, 'GET', 'Observation/sl-a-o1', { token: tokens.access_token })).status, 200);
  const twice = await t.throwsAsync(client.authorizationCodeGrant(patientApp, right.callback, { pkceCodeVerifier: right.verifier, expectedState: right.state })) as Error & { error?: string };
  t.is(twice.error, 'invalid_grant', 'a code is used once');
  t.is((await request(server, 'GET', 'Observation/sl-a-o1', { token: tokens.access_token })).status, 401,
    'presenting the code again ended the session it had bought (RFC 6749 §4.1.2)');
  const used = (await server.app.db.query<{ used_at: Date | null }>('SELECT used_at FROM auth_code WHERE code_hash = $1', [secretHash(right.callback.searchParams.get('code')!)])).rows[0];
  t.truthy(used?.used_at);
});

test('an unregistered redirect_uri gets a 400 page, never a redirect', async (t) => {
  const url = client.buildAuthorizationUrl(patientApp, {
    redirect_uri: 'https://evil.example/callback', scope: patientScope, state: 's',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const res = await fetch(url, { redirect: 'manual' });
  t.is(res.status, 400);
  t.is(res.headers.get('location'), null);
  t.regex(await res.text(), /redirect_uri is not registered/);
  // Posting the form with a swapped redirect_uri is refused the same way, before any log-in.
  const page = await fetch(client.buildAuthorizationUrl(patientApp, { redirect_uri: redirectUri, scope: patientScope, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }));
  const { fields } = formOf(await page.text());
  const posted = await fetch(`${server.url}/oauth2/authorize`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, redirect_uri: `${server.url}/elsewhere`, login: 'wu@example.org', password: 'irrelevant' }),
  });
  t.is(posted.status, 400);
  t.is(posted.headers.get('location'), null);
  const unknownClient = await fetch(`${server.url}/oauth2/authorize?client_id=nobody&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code`, { redirect: 'manual' });
  t.is(unknownClient.status, 400);
});

test('a registered redirect_uri without PKCE is sent back with invalid_request; a wrong password re-shows the page', async (t) => {
  const noPkce = await fetch(client.buildAuthorizationUrl(patientApp, { redirect_uri: redirectUri, scope: patientScope, state: 'st-1' }), { redirect: 'manual' });
  t.is(noPkce.status, 302);
  const back = new URL(noPkce.headers.get('location')!);
  t.is(`${back.origin}${back.pathname}`, redirectUri);
  t.is(back.searchParams.get('error'), 'invalid_request');
  t.is(back.searchParams.get('state'), 'st-1');
  const page = await fetch(client.buildAuthorizationUrl(patientApp, {
    redirect_uri: redirectUri, scope: patientScope, code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  }));
  const { action, fields } = formOf(await page.text());
  const wrong = await fetch(new URL(action, server.url), {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, login: 'wu@example.org', password: 'not-the-password' }),
  });
  t.is(wrong.status, 401);
  t.is(wrong.headers.get('location'), null);
  t.regex(wrong.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(await wrong.text(), /Wrong log-in name or password/);
});

test('a doctor through the app with user/*.read reads any patient but cannot write, though the role could', async (t) => {
  const tokens = await launch(staffApp, { redirectUri, scope: 'user/*.read', login: 'sl-doctor' });
  t.is(tokens.scope, 'user/*.read');
  t.is(tokens.patient, undefined);
  t.is(tokens.refresh_token, undefined, 'no refresh token without offline_access or online_access');
  const token = tokens.access_token;
  t.is((await request(server, 'GET', 'Observation/sl-b-o1', { token })).status, 200);
  t.deepEqual(ids((await request(server, 'GET', 'Patient', { token })).body), ['sl-a', 'sl-b']);
  const write = await request(server, 'POST', 'Observation', { token, body: observation('w1', 'sl-b') });
  t.is(write.status, 403, 'the scope narrows the role');
  t.regex(write.text, /user\/\*\.read/);
  // The same doctor without an app may write: only the scope stopped it.
  const direct = (await loggedIn(server, 'sl-doctor')).token;
  t.is((await request(server, 'POST', 'Observation', { token: direct, body: observation('w2', 'sl-b') })).status, 201);
  const full = await launch(staffApp, { redirectUri, scope: 'user/*.*', login: 'sl-doctor' });
  t.is((await request(server, 'POST', 'Patient', { token: full.access_token, body: { resourceType: 'Patient' } })).status, 403,
    'and user/*.* never adds what the role lacks');
});

test("an app's token cannot manage the user's account: no two-factor set-up, no password change", async (t) => {
  const tokens = await launch(patientApp, { redirectUri, scope: patientScope, login: 'wu@example.org' });
  const token = tokens.access_token;
  const setup = await request(server, 'POST', '/auth/totp/setup', { token });
  t.is(setup.status, 403, setup.text);
  const change = await request(server, 'POST', '/auth/password', { token, body: { current: 'plum-kettle-orbit-42', next: 'an-app-chose-this-1' } });
  t.is(change.status, 403);
  const row = (await server.app.db.query<{ totp_pending_secret: string | null }>(
    "SELECT totp_pending_secret FROM auth_account WHERE email = 'wu@example.org'")).rows[0]!;
  t.is(row.totp_pending_secret, null);
  t.is((await request(server, 'GET', 'Observation/sl-a-o1', { token })).status, 200, 'the token still does what its scopes say');
});
