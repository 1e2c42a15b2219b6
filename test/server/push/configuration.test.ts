import test from 'ava';
import { loadConfig } from '../../../server/config.ts';
import { createServer } from '../../../server/server.ts';
import { createTestDatabase } from '../../helpers/database.ts';

test('a server whose REDIS_URL cannot be reached refuses to start, naming Redis', async (t) => {
  const database = await createTestDatabase();
  try {
    // Port 1 on the loopback: nothing listens there, every attempt is refused at once.
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port: 0, seedDemo: false, redisUrl: 'redis://127.0.0.1:1' });
    await t.throwsAsync(createServer(config, { db: database.db }), { message: /Redis of the push is unreachable/ });
    // The caller's database is left open for the caller.
    const { rows } = await database.db.query<{ one: number }>('SELECT 1 AS one');
    t.is(rows[0]?.one, 1);
  } finally {
    await database.drop();
  }
});

test('REDIS_URL, REDIS_CHANNEL_PREFIX and PUSH_COALESCE_MS are read and checked, with their defaults', (t) => {
  const defaults = loadConfig({});
  t.is(defaults.redisUrl, undefined);
  t.is(defaults.redisChannelPrefix, 'open-his');
  t.is(defaults.pushCoalesceMs, 200);
  const set = loadConfig({ REDIS_URL: 'redis://cache.internal:6379/2', REDIS_CHANNEL_PREFIX: 'his-ward-b', PUSH_COALESCE_MS: '50' });
  t.is(set.redisUrl, 'redis://cache.internal:6379/2');
  t.is(set.redisChannelPrefix, 'his-ward-b');
  t.is(set.pushCoalesceMs, 50);
  t.is(loadConfig({ REDIS_URL: '' }).redisUrl, undefined);
  t.throws(() => loadConfig({ REDIS_URL: 'http://cache.internal' }), { message: /REDIS_URL/ });
  t.throws(() => loadConfig({ PUSH_COALESCE_MS: '-1' }), { message: /PUSH_COALESCE_MS/ });
  t.throws(() => loadConfig({ REDIS_CHANNEL_PREFIX: 'a b' }), { message: /REDIS_CHANNEL_PREFIX/ });
});
