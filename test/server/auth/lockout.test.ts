// Guessing passwords: an account locks after LOGIN_MAX_FAILURES wrong passwords in a row for
// LOGIN_LOCK_MINUTES, answers do not tell which log-in names exist, and one address gets at most 20
// log-in attempts a minute.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { login, password, staffAccount } from '../../helpers/login.ts';

const lockMinutes = 0.04; // 2.4 s, rounded to 2 s of lock
let server: TestServer;

test.before(async () => {
  server = await startTestServer({ loginLockMinutes: lockMinutes, loginMaxFailures: 5 });
  for (const name of ['lock-me', 'lock-reset', 'lock-exists']) await staffAccount(server, name, ['nurse']);
});

test.after.always(async () => {
  await server?.stop();
});

const failures = async (username: string) => (await server.app.db.query<{ failed_logins: number; locked_until: Date | string | null }>(
  'SELECT failed_logins, locked_until FROM auth_account WHERE username = $1', [username])).rows[0]!;

test.serial('five wrong passwords lock the account (423, Retry-After); the right one is refused until the lock ends', async (t) => {
  for (let i = 1; i <= 4; i++) {
    const res = await login(server, 'lock-me', `wrong-password-${i}`);
    t.is(res.status, 401, `attempt ${i}`);
    t.is(res.body.code, 'invalid-credentials');
  }
  const fifth = await login(server, 'lock-me', 'wrong-password-5');
  t.is(fifth.status, 423);
  t.is(fifth.body.code, 'account-locked');
  t.is(fifth.headers.get('retry-after'), '2');
  const row = await failures('lock-me');
  t.is(row.failed_logins, 5);
  t.truthy(row.locked_until);

  const locked = await login(server, 'lock-me', password);
  t.is(locked.status, 423, 'even the right password is refused while locked');
  t.is(locked.body.access_token, undefined);
  t.is(locked.refresh, undefined);
  const retryAfter = Number(locked.headers.get('retry-after'));
  t.true(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);

  await sleep(new Date(row.locked_until!).getTime() - Date.now() + 300);
  const after = await login(server, 'lock-me', password);
  t.is(after.status, 200, 'the lock ends after LOGIN_LOCK_MINUTES');
  t.truthy(after.body.access_token);
  const cleared = await failures('lock-me');
  t.is(cleared.failed_logins, 0, 'a successful log-in clears the failure count');
  t.is(cleared.locked_until, null);
});

test('after a lock has run out, one more wrong password does not lock the account again at once', async (t) => {
  // A server of its own: its log-in attempts would use up the shared server's rate limit.
  const own = await startTestServer({ loginLockMinutes: lockMinutes, loginMaxFailures: 5 });
  try {
    await staffAccount(own, 'lock-again', ['nurse']);
    const row = async () => (await own.app.db.query<{ failed_logins: number; locked_until: Date | string | null }>(
      'SELECT failed_logins, locked_until FROM auth_account WHERE username = $1', ['lock-again'])).rows[0]!;
    for (let i = 0; i < 5; i++) await login(own, 'lock-again', 'wrong-password');
    const locked = await row();
    t.truthy(locked.locked_until);
    await sleep(new Date(locked.locked_until!).getTime() - Date.now() + 300);
    t.is((await login(own, 'lock-again', 'wrong-password')).status, 401, 'a wrong password, not a new lock');
    t.is((await row()).failed_logins, 1, 'the count starts afresh');
    t.is((await login(own, 'lock-again', password)).status, 200);
  } finally {
    await own.stop();
  }
});

test.serial('the failures must be in a row: a successful log-in in between starts the count again', async (t) => {
  for (let i = 0; i < 4; i++) t.is((await login(server, 'lock-reset', 'wrong-password')).status, 401);
  t.is((await login(server, 'lock-reset', password)).status, 200);
  for (let i = 0; i < 4; i++) t.is((await login(server, 'lock-reset', 'wrong-password')).status, 401);
  t.is((await failures('lock-reset')).failed_logins, 4);
  t.is((await login(server, 'lock-reset', password)).status, 200, 'eight failures, never five in a row: not locked');
});

test.serial('an unknown log-in name and a wrong password get the same 401 answer', async (t) => {
  const unknown = await login(server, 'no-such-user', 'wrong-password');
  const wrong = await login(server, 'lock-exists', 'wrong-password');
  t.is(unknown.status, 401);
  t.is(wrong.status, 401);
  t.deepEqual(unknown.body, wrong.body);
  t.is(unknown.body.code, 'invalid-credentials');
  t.is(unknown.headers.get('www-authenticate'), wrong.headers.get('www-authenticate'));
});

test('the 21st log-in attempt within a minute from one address is refused with 429', async (t) => {
  // A server of its own: its rate limiter has counted nothing yet.
  const fresh = await startTestServer();
  t.teardown(() => fresh.stop());
  // Sent together, so that the bucket (20 a minute, refilled continuously) cannot refill in between.
  const first = await Promise.all(Array.from({ length: 20 }, (_, i) => login(fresh, `nobody-${i}`, 'wrong-password')));
  t.deepEqual(first.map((r) => r.status), Array(20).fill(401));
  // The checks of those twenty took a while on a busy machine, in which the bucket may have regained a
  // token or two: of six more attempts (and three bodies that cannot even be read) sent together,
  // most are refused.
  const [more, unread] = await Promise.all([
    Promise.all(Array.from({ length: 6 }, () => login(fresh, 'nobody', 'wrong-password'))),
    Promise.all(Array.from({ length: 3 }, () => fetch(`${fresh.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))),
  ]);
  const refused = more.filter((r) => r.status === 429);
  t.true(refused.length >= 3, more.map((r) => r.status).join(', '));
  t.true(refused.every((r) => Number(r.headers.get('retry-after')) >= 1));
  t.true(unread.some((r) => r.status === 429), 'refused before the request is even read');
});
