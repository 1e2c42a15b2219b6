// Two real server processes on one PostgreSQL database and one Redis: a booking committed on one
// reaches, as live availability, a booking page connected to the other. Needs PostgreSQL
// (127.0.0.1:5432, or DATABASE_URL) and Redis (127.0.0.1:6379, or REDIS_URL) on either test pass.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../../../server/config.ts';
import { createServer, type OpenHisServer } from '../../../server/server.ts';
import { book } from '../../../server/booking/book.ts';
import { createPostgresDatabase, type TestDatabase } from '../../helpers/database.ts';
import { sharedServices } from '../../helpers/shared-services.ts';
import { connectWatcher, type Watcher } from '../../helpers/push.ts';
import { startPeer, stopPeer } from '../../helpers/peer-process.ts';
import { createClinic, createPatient, tomorrow } from '../../helpers/booking.ts';
import type { TestServer } from '../../helpers/server.ts';

test('a booking on one server process shows within a second on a page connected to another', async (t) => {
  const { adminUrl, redisUrl, channelPrefix } = sharedServices();
  let database: TestDatabase | undefined;
  let processA: OpenHisServer | undefined;
  let peer: ChildProcess | undefined;
  let page: Watcher | undefined;
  try {
    database = await createPostgresDatabase(adminUrl, 'his_booking_push');
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, {
      port: 0, host: '127.0.0.1', seedDemo: false, databaseUrl: database.url, redisUrl, redisChannelPrefix: channelPrefix,
    });
    processA = await createServer(config, { db: database.db });
    await processA.server.start();
    // The clinic helpers need only the app of a server.
    const asTestServer = { app: processA } as unknown as TestServer;
    await processA.booking.updateSettings({ releaseTime: '00:00' });
    const clinic = await createClinic(asTestServer, { capacity: 3 });
    const day = tomorrow(asTestServer);
    const patient = await createPatient(asTestServer);

    const started = startPeer('server-peer.ts', {
      ...process.env, DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: channelPrefix,
      PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'silent',
    });
    peer = started.child;
    const portB = await started.port;

    page = await connectWatcher(`http://127.0.0.1:${portB}`);
    const first = page.next(() => true, 10_000);
    t.deepEqual(await page.watch({ service: clinic.service, dates: [day] }), { ok: true });
    const before = await first;
    const slot = before.times.find((x) => x.free === 3)!;
    t.truthy(slot, 'process B read the day from the shared database');

    const update = page.next((d) => d.times.some((x) => x.slot === slot.slot && x.free === 2), 5000);
    const bookedAt = Date.now();
    await book(processA.booking.ctx, { kind: 'staff' }, slot.slot, patient);
    const after = await update;
    const elapsed = Date.now() - bookedAt;
    t.log(`booking on process A reached the page on process B in ${elapsed} ms`);
    t.true(elapsed < 1000, `${elapsed} ms`);
    t.deepEqual(Object.keys(after.times[0]!).sort(), ['capacity', 'end', 'free', 'period', 'role', 'schedule', 'slot', 'start'], 'availability only, no patient data');
    t.false(JSON.stringify(after).includes(patient));
  } finally {
    page?.close();
    if (peer) await stopPeer(peer);
    await processA?.stop(2000);
    await database?.drop();
  }
});
