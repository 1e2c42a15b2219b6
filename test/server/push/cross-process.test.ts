// Two real server processes on one PostgreSQL database and one Redis: a change reported on one
// reaches the pages connected to the other. Needs PostgreSQL (127.0.0.1:5432, or DATABASE_URL) and
// Redis (127.0.0.1:6379, or REDIS_URL) whichever database the rest of the suite runs on.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../../../server/config.ts';
import { createServer, type OpenHisServer } from '../../../server/server.ts';
import { createPostgresDatabase, type TestDatabase } from '../../helpers/database.ts';
import { sharedServices } from '../../helpers/shared-services.ts';
import { connectWatcher, time, type Watcher } from '../../helpers/push.ts';
import { createAvailabilityTable, setAvailability, tableAvailability } from '../../helpers/push-table.ts';
import { startPeer, stopPeer } from '../../helpers/peer-process.ts';

test('a page connected to one server process gets the change reported on another', async (t) => {
  const { adminUrl, redisUrl, channelPrefix } = sharedServices();
  let database: TestDatabase | undefined;
  let processA: OpenHisServer | undefined;
  let peer: ChildProcess | undefined;
  let page: Watcher | undefined;
  try {
    database = await createPostgresDatabase(adminUrl, 'his_push');
    await createAvailabilityTable(database.db);
    await setAvailability(database.db, 'hcs-shared', '2026-03-02', [time('slot-s1', 3), time('slot-s2', 1)]);

    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, {
      port: 0, host: '127.0.0.1', seedDemo: false, databaseUrl: database.url, redisUrl, redisChannelPrefix: channelPrefix,
    });
    processA = await createServer(config, { db: database.db });
    processA.push.setAvailabilityProvider(tableAvailability(database.db));
    await processA.server.start();

    const started = startPeer('push-peer.ts', {
      ...process.env, DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: channelPrefix,
      PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'silent',
    });
    peer = started.child;
    const portB = await started.port;
    t.not(portB, processA.server.info.port);

    page = await connectWatcher(`http://127.0.0.1:${portB}`);
    const snapshot = page.next(() => true, 5000);
    t.deepEqual(await page.watch({ service: 'hcs-shared', dates: ['2026-03-02'] }), { ok: true });
    // Process B read the shared table for the page's first snapshot.
    t.deepEqual((await snapshot).times, [time('slot-s1', 3), time('slot-s2', 1)]);

    await setAvailability(database.db, 'hcs-shared', '2026-03-02', [time('slot-s1', 2), time('slot-s2', 1)]);
    const update = page.next((day) => day.times[0]?.free === 2, 5000);
    const reportedAt = Date.now();
    processA.push.availabilityChanged('hcs-shared', '2026-03-02');
    const day = await update;
    t.log(`reached the other process's page in ${Date.now() - reportedAt} ms`);
    t.deepEqual(day, { service: 'hcs-shared', date: '2026-03-02', times: [time('slot-s1', 2), time('slot-s2', 1)], at: day.at });
    t.is(page.received.length, 2);
  } finally {
    page?.close();
    if (peer) await stopPeer(peer);
    await processA?.stop(2000);
    await database?.drop();
  }
});
