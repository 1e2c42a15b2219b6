// Account administration and the account's own password, end to end: who may manage accounts,
// what disabling does to live sessions, and that a password change logs out everyone else.
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { cookiePost, loggedIn, login, password, staffAccount } from '../../helpers/login.ts';

let server: TestServer;
let adminToken: string;

test.before(async () => {
  server = await startTestServer();
  const created = await request(server, 'PUT', 'Patient/adm-p1', { body: { resourceType: 'Patient', id: 'adm-p1', name: [{ family: 'Li' }] } });
  if (created.status !== 201) throw new Error(`setup: ${created.status} ${created.text}`);
  await staffAccount(server, 'adm-root', ['admin']);
  for (const name of ['adm-doctor', 'adm-nurse', 'adm-pw']) await staffAccount(server, name, name === 'adm-nurse' ? ['nurse'] : ['doctor']);
  adminToken = (await loggedIn(server, 'adm-root')).token;
});

test.after.always(async () => {
  await server?.stop();
});

interface AccountRow { id: string; disabled: boolean; password_hash: string; roles: string[]; kind: string }
const accountRow = async (username: string): Promise<AccountRow | undefined> => (await server.app.db.query<AccountRow>(
  'SELECT id, disabled, password_hash, roles, kind FROM auth_account WHERE username = $1', [username])).rows[0];

test('staff without the admin role get 403 on the account list; an administrator gets it', async (t) => {
  const { token } = await loggedIn(server, 'adm-doctor');
  const refused = await request(server, 'GET', '/admin/accounts', { token });
  t.is(refused.status, 403);
  t.is(refused.body.code, 'forbidden');
  t.is((await request(server, 'GET', '/admin/accounts', { token: null })).status, 401);
  t.is((await request(server, 'POST', '/admin/accounts', { token, body: { username: 'sneaky', password: 'a-long-enough-pass', roles: ['admin'] } })).status, 403);
  t.is(await accountRow('sneaky'), undefined, 'the refused request created nothing');
  const listed = await request(server, 'GET', '/admin/accounts?kind=staff', { token: adminToken });
  t.is(listed.status, 200);
  const names = (listed.body as { username: string; passwordHash?: string }[]).map((a) => a.username);
  t.true(names.includes('adm-doctor') && names.includes('adm-root'));
  t.false(listed.text.includes('argon2'), 'no password hashes in the list');
});

test('an administrator creates a staff account that can log in with the roles given', async (t) => {
  const created = await request(server, 'POST', '/admin/accounts', {
    token: adminToken, body: { username: 'new.registrar', password: 'tangerine-lantern-77', roles: ['registrar'], displayName: 'New Registrar' },
  });
  t.is(created.status, 201, created.text);
  t.is(created.body.kind, 'staff');
  t.deepEqual(created.body.roles, ['registrar']);
  const row = await accountRow('new.registrar');
  t.truthy(row);
  t.regex(row!.password_hash, /^\$argon2id\$/, 'the password is stored as an argon2id hash');
  t.false(row!.password_hash.includes('tangerine'));
  const res = await login(server, 'new.registrar', 'tangerine-lantern-77');
  t.is(res.status, 200);
  t.deepEqual(res.body.account.roles, ['registrar']);
  // A registrar registers patients but does not chart.
  t.is((await request(server, 'POST', 'Patient', { token: res.body.access_token, body: { resourceType: 'Patient', name: [{ family: 'Wang' }] } })).status, 201);
  t.is((await request(server, 'POST', 'Observation', { token: res.body.access_token, body: {
    resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: 'Patient/adm-p1' },
  } })).status, 403);
  const duplicate = await request(server, 'POST', '/admin/accounts', { token: adminToken, body: { username: 'NEW.registrar', password: 'another-fine-passphrase', roles: ['nurse'] } });
  t.is(duplicate.status, 409, 'log-in names are unique whatever their case');
});

test('a weak password is refused with 422 and no account is created', async (t) => {
  for (const weak of ['short1', 'password123', 'weak.user.x']) {
    const res = await request(server, 'POST', '/admin/accounts', { token: adminToken, body: { username: 'weak.user.x', password: weak, roles: ['nurse'] } });
    t.is(res.status, 422, weak);
    t.is(res.body.code, 'weak-password');
  }
  t.is(await accountRow('weak.user.x'), undefined);
  const invalid = await request(server, 'POST', '/admin/accounts', { token: adminToken, body: { username: 'x y', password: 'tangerine-lantern-77', roles: ['superuser'] } });
  t.is(invalid.status, 400);
});

test('a disabled account cannot log in and its live tokens and refresh cookie stop at once', async (t) => {
  const { token, refresh } = await loggedIn(server, 'adm-nurse');
  t.is((await request(server, 'GET', 'Patient/adm-p1', { token })).status, 200);
  const id = (await accountRow('adm-nurse'))!.id;
  const patched = await request(server, 'PATCH', `/admin/accounts/${id}`, { token: adminToken, body: { disabled: true } });
  t.is(patched.status, 200, patched.text);
  t.true(patched.body.disabled);
  t.true((await accountRow('adm-nurse'))!.disabled);
  const revoked = (await server.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_session WHERE account_id = $1 AND revoked_at IS NULL', [id])).rows[0]!;
  t.is(revoked.n, 0, 'every session of the account is revoked in the database');
  t.is((await request(server, 'GET', 'Patient/adm-p1', { token })).status, 401);
  t.is((await cookiePost(server, '/auth/refresh', { refresh })).status, 401);
  const again = await login(server, 'adm-nurse');
  t.is(again.status, 403);
  t.is(again.body.code, 'account-disabled');
  t.is(again.body.access_token, undefined);
  const enabled = await request(server, 'PATCH', `/admin/accounts/${id}`, { token: adminToken, body: { disabled: false } });
  t.is(enabled.status, 200);
  t.is((await login(server, 'adm-nurse')).status, 200, 'enabled again, the account logs in');
});

test('changing the password ends the other sessions and keeps the one that changed it', async (t) => {
  const phone = await loggedIn(server, 'adm-pw');
  const desk = await loggedIn(server, 'adm-pw');
  const changed = await request(server, 'POST', '/auth/password', { token: desk.token, body: { current: password, next: 'saffron-meadow-engine-9' } });
  t.is(changed.status, 200, changed.text);
  t.truthy(changed.body.access_token);
  t.is((await request(server, 'GET', 'Patient/adm-p1', { token: phone.token })).status, 401, 'the other device is logged out');
  t.is((await cookiePost(server, '/auth/refresh', { refresh: phone.refresh })).status, 401);
  t.is((await request(server, 'GET', 'Patient/adm-p1', { token: changed.body.access_token })).status, 200, 'the new session works');
  t.is((await login(server, 'adm-pw', password)).status, 401, 'the old password no longer works');
  t.is((await login(server, 'adm-pw', 'saffron-meadow-engine-9')).status, 200);
  const wrong = await request(server, 'POST', '/auth/password', { token: changed.body.access_token, body: { current: 'not-the-password', next: 'another-fine-passphrase' } });
  t.is(wrong.status, 401);
  const weak = await request(server, 'POST', '/auth/password', { token: changed.body.access_token, body: { current: 'saffron-meadow-engine-9', next: 'short' } });
  t.is(weak.status, 422);
});

test('registering a client never replaces one: the bootstrap client\'s id is a 409 and it keeps working', async (t) => {
  const taken = await request(server, 'POST', '/admin/clients', { token: adminToken, body: {
    clientId: 'test-system-client', name: 'hijack', confidential: false, grantTypes: ['authorization_code'], redirectUris: ['http://127.0.0.1/cb'], scope: 'user/*.*',
  } });
  t.is(taken.status, 409);
  const row = await server.app.db.query<{ secret_hash: string | null; grant_types: string[] }>('SELECT secret_hash, grant_types FROM auth_client WHERE client_id = $1', ['test-system-client']);
  t.truthy(row.rows[0]!.secret_hash, 'still confidential');
  t.deepEqual(row.rows[0]!.grant_types, ['client_credentials']);
  t.is((await request(server, 'GET', 'Patient/adm-p1')).status, 200, 'the system token still works');
});
