// Browser log-in end to end: POST /auth/login over real HTTP, the access token on /fhir, the refresh
// cookie and its rotation, log-out, and what anonymous and badly-authenticated callers get.
import test from 'ava';
import { decodeJwt } from 'jose';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { cookiePost, loggedIn, login, password, staffAccount } from '../../helpers/login.ts';
import { TokenIssuer, secretHash, signingKey, type AccessClaims } from '../../../server/auth/tokens.ts';

let server: TestServer;

test.before(async () => {
  // Strict rotation here (no grace for concurrent tabs): refresh-grace.test.ts covers the grace.
  server = await startTestServer({ refreshGraceSeconds: 0 });
  const created = await request(server, 'PUT', 'Patient/sess-p1', { body: { resourceType: 'Patient', id: 'sess-p1', name: [{ family: 'Zhang', given: ['Wei'] }] } });
  if (created.status !== 201) throw new Error(`setup: ${created.status} ${created.text}`);
  for (const name of ['doc-login', 'doc-expiry', 'doc-rotate', 'doc-reuse', 'doc-csrf', 'doc-logout', 'doc-late', 'doc-me']) {
    await staffAccount(server, name, ['doctor']);
  }
});

test.after.always(async () => {
  await server?.stop();
});

async function sessionRow(refresh: string) {
  return (await server.app.db.query<{ id: string; revoked_at: Date | null; account_id: string }>(
    'SELECT id, revoked_at, account_id FROM auth_session WHERE refresh_hash = $1 OR previous_refresh_hash = $1', [secretHash(refresh)])).rows[0];
}

test('a doctor logs in and the access token reads a Patient the system client created', async (t) => {
  const res = await login(server, 'DOC-LOGIN', password); // log-in names are case-insensitive
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.token_type, 'Bearer');
  t.is(res.body.expires_in, 3600);
  t.deepEqual(res.body.account.roles, ['doctor']);
  t.is(res.body.account.username, 'doc-login');
  t.is(res.body.refresh_token, undefined, 'the refresh token travels only in the cookie');
  t.is(res.headers.get('cache-control'), 'no-store');
  const read = await request(server, 'GET', 'Patient/sess-p1', { token: res.body.access_token });
  t.is(read.status, 200);
  t.is(read.body.name[0].family, 'Zhang');
  const me = await request(server, 'GET', '/auth/me', { token: res.body.access_token });
  t.is(me.status, 200);
  t.is(me.body.username, 'doc-login');
  t.is(me.body.passwordHash, undefined);
});

test('the refresh cookie is HttpOnly, SameSite=Strict, scoped to /auth, and stored only as a hash', async (t) => {
  const res = await login(server, 'doc-me');
  t.truthy(res.setCookie);
  const attributes = res.setCookie!.split(';').map((a) => a.trim().toLowerCase());
  t.true(attributes.includes('httponly'));
  t.true(attributes.includes('samesite=strict'));
  t.true(attributes.includes('path=/auth'));
  const maxAge = Number(attributes.find((a) => a.startsWith('max-age='))?.slice(8));
  t.true(maxAge > 11 * 3600 && maxAge <= 12 * 3600, `a staff session lasts a 12-hour shift (max-age ${maxAge})`);
  const row = await sessionRow(res.refresh!);
  t.truthy(row, 'the session is found by the hash of the cookie');
  t.is(row!.revoked_at, null);
  const plain = await server.app.db.query('SELECT id FROM auth_session WHERE refresh_hash = $1', [res.refresh]);
  t.is(plain.rows.length, 0, 'the refresh token itself is not stored');
});

test('an expired access token is refused with 401, an OperationOutcome and a WWW-Authenticate challenge', async (t) => {
  const { token } = await loggedIn(server, 'doc-expiry');
  const claims = decodeJwt(token) as unknown as AccessClaims;
  const { exp: _exp, ...rest } = claims;
  const key = await signingKey(server.app.db);
  // The same key, issuer and session as the real token: only the expiry differs.
  const expired = (await new TokenIssuer(key, 'open-his', -60).issue(rest)).token;
  const fresh = (await new TokenIssuer(key, 'open-his', 60).issue(rest)).token;
  t.is((await request(server, 'GET', 'Patient/sess-p1', { token: fresh })).status, 200, 'a re-signed token with a future expiry works');
  const res = await request(server, 'GET', 'Patient/sess-p1', { token: expired });
  t.is(res.status, 401);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.regex(res.headers.get('www-authenticate') ?? '', /^Bearer realm="open-his", error="invalid_token", error_description="[^"]*expired/);
});

test('refresh rotates the cookie: the new access token works and the old refresh token is refused', async (t) => {
  const first = await loggedIn(server, 'doc-rotate');
  const rotated = await cookiePost(server, '/auth/refresh', { refresh: first.refresh });
  t.is(rotated.status, 200, JSON.stringify(rotated.body));
  t.truthy(rotated.refresh);
  t.not(rotated.refresh, first.refresh);
  t.not(rotated.body.access_token, first.token);
  t.is((await request(server, 'GET', 'Patient/sess-p1', { token: rotated.body.access_token })).status, 200);
  t.is(decodeJwt(rotated.body.access_token).sid, decodeJwt(first.token).sid, 'still the same session');
  const row = await sessionRow(rotated.refresh!);
  t.truthy(row);
  const hashes = (await server.app.db.query<{ refresh_hash: string; previous_refresh_hash: string }>(
    'SELECT refresh_hash, previous_refresh_hash FROM auth_session WHERE id = $1', [row!.id])).rows[0]!;
  t.is(hashes.refresh_hash, secretHash(rotated.refresh!));
  t.is(hashes.previous_refresh_hash, secretHash(first.refresh));
  // Rotating again works with the new token.
  const again = await cookiePost(server, '/auth/refresh', { refresh: rotated.refresh });
  t.is(again.status, 200);
});

test('presenting a used refresh token again ends the whole session, so the rotated tokens stop too', async (t) => {
  const first = await loggedIn(server, 'doc-reuse');
  const rotated = await cookiePost(server, '/auth/refresh', { refresh: first.refresh });
  t.is(rotated.status, 200);
  const replay = await cookiePost(server, '/auth/refresh', { refresh: first.refresh });
  t.is(replay.status, 401);
  t.is(replay.body.code, 'session-expired');
  t.regex(replay.body.message, /used before/);
  t.is((await cookiePost(server, '/auth/refresh', { refresh: rotated.refresh })).status, 401, 'the rotated refresh token is dead too');
  const read = await request(server, 'GET', 'Patient/sess-p1', { token: rotated.body.access_token });
  t.is(read.status, 401, 'and so is the access token it gave');
  t.truthy(read.headers.get('www-authenticate'));
  t.not((await sessionRow(rotated.refresh!))!.revoked_at, null);
});

test('refresh without the x-requested-with header is refused as csrf and does not rotate the token', async (t) => {
  const { refresh } = await loggedIn(server, 'doc-csrf');
  const res = await cookiePost(server, '/auth/refresh', { refresh, csrf: false });
  t.is(res.status, 403);
  t.is(res.body.code, 'csrf');
  t.is(res.refresh, undefined);
  const logout = await cookiePost(server, '/auth/logout', { refresh, csrf: false });
  t.is(logout.status, 403, 'log-out also needs the header');
  t.is((await sessionRow(refresh))!.revoked_at, null);
  t.is((await cookiePost(server, '/auth/refresh', { refresh })).status, 200, 'the cookie was not used up');
});

test('refresh with no cookie or an unknown one is 401', async (t) => {
  t.is((await cookiePost(server, '/auth/refresh')).status, 401);
  const res = await cookiePost(server, '/auth/refresh', { refresh: 'not-a-refresh-token-of-this-server' });
  t.is(res.status, 401);
  t.is(res.body.code, 'session-expired');
});

test('log-out revokes the session: the access token stops at once and the refresh cookie is refused', async (t) => {
  const { token, refresh } = await loggedIn(server, 'doc-logout');
  t.is((await request(server, 'GET', 'Patient/sess-p1', { token })).status, 200);
  const res = await cookiePost(server, '/auth/logout', { refresh, token });
  t.is(res.status, 204);
  t.truthy(res.setCookie, 'the cookie is cleared');
  t.is(res.refresh, undefined);
  t.regex(res.setCookie!, /Max-Age=0|Expires=Thu, 01 Jan 1970/i);
  const read = await request(server, 'GET', 'Patient/sess-p1', { token });
  t.is(read.status, 401);
  t.is(read.body.resourceType, 'OperationOutcome');
  t.is((await cookiePost(server, '/auth/refresh', { refresh })).status, 401);
  t.not((await sessionRow(refresh))!.revoked_at, null);
});

test('log-out with an expired access token still ends the session by its cookie', async (t) => {
  const { token, refresh } = await loggedIn(server, 'doc-late');
  const { exp: _exp, ...claims } = decodeJwt(token) as unknown as AccessClaims;
  const expired = (await new TokenIssuer(await signingKey(server.app.db), 'open-his', -60).issue(claims)).token;
  const res = await cookiePost(server, '/auth/logout', { refresh, token: expired });
  t.is(res.status, 204);
  t.not((await sessionRow(refresh))!.revoked_at, null);
  t.is((await cookiePost(server, '/auth/refresh', { refresh })).status, 401);
});

test('anonymous callers: the record needs a log-in, the booking directory and metadata are public', async (t) => {
  const patients = await request(server, 'GET', 'Patient', { token: null });
  t.is(patients.status, 401);
  t.is(patients.body.resourceType, 'OperationOutcome');
  t.regex(patients.headers.get('www-authenticate') ?? '', /^Bearer realm="open-his"/);
  const read = await request(server, 'GET', 'Patient/sess-p1', { token: null });
  t.is(read.status, 401);
  t.false(read.text.includes('Zhang'));
  const directory = await request(server, 'GET', 'HealthcareService', { token: null });
  t.is(directory.status, 200);
  t.is(directory.body.resourceType, 'Bundle');
  const metadata = await request(server, 'GET', 'metadata', { token: null });
  t.is(metadata.status, 200);
  t.is(metadata.body.resourceType, 'CapabilityStatement');
  const write = await request(server, 'POST', 'HealthcareService', { token: null, body: { resourceType: 'HealthcareService', name: 'x' } });
  t.is(write.status, 401, 'reading the directory does not mean writing it');
  const me = await request(server, 'GET', '/auth/me', { token: null });
  t.is(me.status, 401);
  t.regex(me.headers.get('www-authenticate') ?? '', /^Bearer/);
});

test('a garbage or foreign bearer token is a 401 OperationOutcome on /fhir, never a 500 or a pass', async (t) => {
  const garbage = await request(server, 'GET', 'HealthcareService', { token: 'garbage' });
  t.is(garbage.status, 401, 'a bad token is refused even where anonymous callers are let in');
  t.is(garbage.body.resourceType, 'OperationOutcome');
  t.regex(garbage.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  const notBearer = await request(server, 'GET', 'Patient', { token: null, headers: { authorization: 'Basic Zm9vOmJhcg==' } });
  t.is(notBearer.status, 401);
  t.regex(notBearer.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
  const foreign = (await new TokenIssuer(new Uint8Array(32).fill(7), 'open-his', 60)
    .issue({ sub: 'someone', kind: 'staff', roles: ['admin', 'doctor'] })).token;
  const forged = await request(server, 'GET', 'Patient/sess-p1', { token: foreign });
  t.is(forged.status, 401, 'a token signed with another key is refused');
  t.false(forged.text.includes('Zhang'));
  const me = await request(server, 'GET', '/auth/me', { token: 'garbage' });
  t.is(me.status, 401);
});

test('malformed JSON or missing fields to /auth/login are 400, not 500', async (t) => {
  const post = (raw: string, type = 'application/json') => fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': type }, body: raw });
  for (const raw of ['{"login": "doc-login", "password": ', '{"login": "doc-login"}', '{}', '[]']) {
    const res = await post(raw);
    t.is(res.status, 400, raw);
    t.is(((await res.json()) as { access_token?: string }).access_token, undefined);
  }
  t.is((await post(JSON.stringify({ login: 'doc-login', password: 12345 }))).status, 400, 'a password that is not a string');
});
