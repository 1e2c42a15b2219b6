import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount } from '../../helpers/accounts.ts';
import { purgeExpired } from '../../../server/auth/cleanup.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

test('sessions, codes and one-time codes a day past their expiry are purged; live ones stay', async (t) => {
  const db = server.app.db;
  const account = await createAccount(server, { login: 'purge-nurse', roles: ['nurse'] });
  const live = await server.app.auth.sessions.create({ accountId: account, ttlSeconds: 3600 });
  const old = await server.app.auth.sessions.create({ accountId: account, ttlSeconds: 3600 });
  await db.query(`UPDATE auth_session SET expires_at = now() - interval '2 days' WHERE id = $1`, [old.session.id]);
  await db.query(`INSERT INTO auth_one_time_code (id, destination, purpose, code_hash, expires_at) VALUES
    ('otp-old', 'a@example.org', 'sign-up', 'x', now() - interval '2 days'), ('otp-new', 'b@example.org', 'sign-up', 'y', now() + interval '5 minutes')`);
  const purged = await purgeExpired(db);
  t.is(purged.sessions, 1);
  t.is(purged.oneTimeCodes, 1);
  const sessions = (await db.query<{ id: string }>('SELECT id FROM auth_session WHERE account_id = $1', [account])).rows.map((r) => r.id);
  t.deepEqual(sessions, [live.session.id]);
  const codes = (await db.query<{ id: string }>(`SELECT id FROM auth_one_time_code WHERE id LIKE 'otp-%'`)).rows.map((r) => r.id);
  t.deepEqual(codes, ['otp-new']);
});
