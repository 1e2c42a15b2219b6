// Two-factor log-in end to end: an account turns TOTP on (setup, then confirm with a code from the
// authenticator), after which a log-in needs a current code, and each code works once.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { loggedIn, login, password, staffAccount } from '../../helpers/login.ts';
import { totpCode } from '../../../server/auth/totp.ts';

let server: TestServer;

test.before(async () => {
  server = await startTestServer();
  for (const name of ['totp-doc', 'totp-window', 'totp-off']) await staffAccount(server, name, ['doctor']);
});

test.after.always(async () => {
  await server?.stop();
});

/** Waits out the last seconds of a 30-second step, so that a test's codes and the server agree on "now". */
async function awayFromStepEdge(): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 3000) await sleep(left + 100);
}

const totpRow = async (username: string) => (await server.app.db.query<{ id: string; totp_secret: string | null; totp_pending_secret: string | null; totp_last_step: string | number | null }>(
  'SELECT id, totp_secret, totp_pending_secret, totp_last_step FROM auth_account WHERE username = $1', [username])).rows[0]!;

test('TOTP: set up, confirmed with an authenticator code, then required at log-in; a code works once', async (t) => {
  const { token } = await loggedIn(server, 'totp-doc');
  const setup = await request(server, 'POST', '/auth/totp/setup', { token });
  t.is(setup.status, 200, setup.text);
  const secret = setup.body.secret as string;
  t.regex(secret, /^[A-Z2-7]{32}$/);
  t.true((setup.body.uri as string).startsWith('otpauth://totp/Open%20HIS:totp-doc?secret=' + secret));
  t.is((await totpRow('totp-doc')).totp_pending_secret, secret);
  t.is((await totpRow('totp-doc')).totp_secret, null, 'not active before it is confirmed');
  t.is((await login(server, 'totp-doc')).status, 200, 'an unconfirmed setup does not yet ask for a code');

  await awayFromStepEdge();
  const wrongConfirm = await request(server, 'POST', '/auth/totp/confirm', { token, body: { code: totpCode(secret, Date.now() - 5 * 30_000) } });
  t.is(wrongConfirm.status, 401);
  t.is(wrongConfirm.body.code, 'totp-invalid');
  t.is((await totpRow('totp-doc')).totp_secret, null);
  const confirmed = await request(server, 'POST', '/auth/totp/confirm', { token, body: { code: totpCode(secret, Date.now()) } });
  t.is(confirmed.status, 204, confirmed.text);
  const row = await totpRow('totp-doc');
  t.is(row.totp_secret, secret);
  t.is(row.totp_pending_secret, null);
  const me = await request(server, 'GET', '/auth/me', { token });
  t.true(me.body.totpEnabled);
  t.is(me.body.totpSecret, undefined);

  const withoutCode = await login(server, 'totp-doc');
  t.is(withoutCode.status, 401);
  t.is(withoutCode.body.code, 'totp-required');
  t.is(withoutCode.body.access_token, undefined);
  t.is(withoutCode.refresh, undefined);
  const wrongPassword = await login(server, 'totp-doc', 'not-the-password', totpCode(secret, Date.now()));
  t.is(wrongPassword.status, 401);
  t.is(wrongPassword.body.code, 'invalid-credentials', 'a code does not stand in for the password');

  // The confirmation used the current step; the next step's code (the window admits one step ahead) is unused.
  const code = totpCode(secret, Date.now() + 30_000);
  const withCode = await login(server, 'totp-doc', password, code);
  t.is(withCode.status, 200, JSON.stringify(withCode.body));
  t.truthy(withCode.refresh);
  t.is((await request(server, 'GET', 'metadata', { token: withCode.body.access_token })).status, 200);

  const replay = await login(server, 'totp-doc', password, code);
  t.is(replay.status, 401, 'the same code again is refused');
  t.is(replay.body.code, 'totp-invalid');
  const old = await login(server, 'totp-doc', password, totpCode(secret, Date.now() - 3 * 30_000));
  t.is(old.status, 401);
  t.is(old.body.code, 'totp-invalid');
});

test('a code from three steps ago is refused, one from the previous step accepted', async (t) => {
  // TOTP on directly, no code used yet: only the time window decides.
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const id = (await totpRow('totp-window')).id;
  await server.app.auth.accounts.setTotp(id, { secret, lastStep: null });
  await awayFromStepEdge();
  const now = Date.now();
  const stale = await login(server, 'totp-window', password, totpCode(secret, now - 3 * 30_000));
  t.is(stale.status, 401);
  t.is(stale.body.code, 'totp-invalid');
  const previous = await login(server, 'totp-window', password, totpCode(secret, now - 30_000));
  t.is(previous.status, 200, 'clock drift of one step is tolerated');
  t.is(Number((await totpRow('totp-window')).totp_last_step), Math.floor(now / 30_000) - 1, 'the used step is stored');
  const older = await login(server, 'totp-window', password, totpCode(secret, now - 2 * 30_000));
  t.is(older.status, 401, 'a code from before the last used one is refused');
});

test('TOTP is turned off only with the password', async (t) => {
  const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
  const id = (await totpRow('totp-off')).id;
  const { token } = await loggedIn(server, 'totp-off');
  await server.app.auth.accounts.setTotp(id, { secret, lastStep: null });
  const refused = await request(server, 'DELETE', '/auth/totp', { token, body: { password: 'not-the-password' } });
  t.is(refused.status, 401);
  t.is((await totpRow('totp-off')).totp_secret, secret);
  const removed = await request(server, 'DELETE', '/auth/totp', { token, body: { password } });
  t.is(removed.status, 204);
  t.is((await totpRow('totp-off')).totp_secret, null);
  t.is((await login(server, 'totp-off')).status, 200, 'no code needed any more');
});
