import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { MemoryAvailability, connectWatcher, sleep, time, type Watcher } from '../../helpers/push.ts';

let server: TestServer;
const availability = new MemoryAvailability();
const watchers: Watcher[] = [];

test.before(async () => {
  server = await startTestServer();
  server.app.push.setAvailabilityProvider(availability.provider);
});

test.after.always(async () => {
  for (const watcher of watchers) watcher.close();
  await server?.stop();
});

async function watcher(): Promise<Watcher> {
  const connected = await connectWatcher(server.url);
  watchers.push(connected);
  return connected;
}

test('a watcher gets the day on watch, then the new state within a second of a change, with availability fields only', async (t) => {
  // A provider row carrying more than availability: none of it may leave the server.
  availability.set('hcs-a', '2026-03-02', [{ ...time('slot-a1', 2), patient: 'Patient/123' } as never, time('slot-a2', 3)]);
  const page = await watcher();
  const first = page.next((day) => day.service === 'hcs-a');
  t.deepEqual(await page.watch({ service: 'hcs-a', dates: ['2026-03-02'] }), { ok: true });
  const snapshot = await first;
  t.deepEqual(Object.keys(snapshot).sort(), ['at', 'date', 'service', 'times']);
  t.deepEqual({ ...snapshot, at: undefined }, { service: 'hcs-a', date: '2026-03-02', times: [time('slot-a1', 2), time('slot-a2', 3)], at: undefined });
  t.false(Number.isNaN(Date.parse(snapshot.at)));

  availability.set('hcs-a', '2026-03-02', [time('slot-a1', 1), time('slot-a2', 3)]);
  const changedAt = Date.now();
  const update = page.next((day) => day.times[0]?.free === 1, 1000);
  server.app.push.availabilityChanged('hcs-a', '2026-03-02');
  const day = await update;
  t.true(Date.now() - changedAt < 1000);
  t.deepEqual(day.times, [time('slot-a1', 1), time('slot-a2', 3)]);
  t.true(day.at >= snapshot.at);
});

test('a page that watches after a change is shown the state after it', async (t) => {
  availability.set('hcs-late', '2026-03-04', [time('slot-l1', 3)]);
  server.app.push.availabilityChanged('hcs-late', '2026-03-04');
  availability.set('hcs-late', '2026-03-04', [time('slot-l1', 0)]);
  server.app.push.availabilityChanged('hcs-late', '2026-03-04');
  const page = await watcher();
  const snapshot = page.next(() => true);
  await page.watch({ service: 'hcs-late', dates: ['2026-03-04'] });
  t.is((await snapshot).times[0]?.free, 0);
});

test('watchers of another department or another day get nothing of a change', async (t) => {
  availability.set('hcs-b', '2026-03-02', [time('slot-b1', 3)]);
  availability.set('hcs-c', '2026-03-02', [time('slot-c1', 3)]);
  availability.set('hcs-b', '2026-03-03', [time('slot-b2', 3)]);
  const [watching, otherDepartment, otherDay] = await Promise.all([watcher(), watcher(), watcher()]);
  const initial = [watching, otherDepartment, otherDay].map((w) => w.next(() => true));
  await watching.watch({ service: 'hcs-b', dates: ['2026-03-02'] });
  await otherDepartment.watch({ service: 'hcs-c', dates: ['2026-03-02'] });
  await otherDay.watch({ service: 'hcs-b', dates: ['2026-03-03'] });
  await Promise.all(initial);

  availability.set('hcs-b', '2026-03-02', [time('slot-b1', 2)]);
  const update = watching.next((day) => day.times[0]?.free === 2);
  server.app.push.availabilityChanged('hcs-b', '2026-03-02');
  await update;
  await sleep(300);
  t.is(watching.received.length, 2);
  t.deepEqual(otherDepartment.received.map((day) => day.service + day.date), ['hcs-c2026-03-02']);
  t.deepEqual(otherDay.received.map((day) => day.service + day.date), ['hcs-b2026-03-03']);
});

test('after unwatch a page gets no more changes of that day', async (t) => {
  availability.set('hcs-u', '2026-03-05', [time('slot-u1', 3)]);
  const page = await watcher();
  const snapshot = page.next(() => true);
  await page.watch({ service: 'hcs-u', dates: ['2026-03-05'] });
  await snapshot;
  t.deepEqual(await page.socket.timeout(5000).emitWithAck('unwatch', { service: 'hcs-u', dates: ['2026-03-05'] }), { ok: true });
  server.app.push.availabilityChanged('hcs-u', '2026-03-05');
  await sleep(400);
  t.is(page.received.length, 1);
});

test('fifty changes to one day within 100 ms go out as at most three emits, the last with the final state, one read at a time', async (t) => {
  availability.set('hcs-burst', '2026-03-06', [time('slot-x', 50, 50)]);
  const page = await watcher();
  const snapshot = page.next(() => true);
  await page.watch({ service: 'hcs-burst', dates: ['2026-03-06'] });
  await snapshot;
  const readsBefore = availability.reads.get('hcs-burst/2026-03-06') ?? 0;

  const start = Date.now();
  for (let booked = 1; booked <= 50; booked++) {
    availability.set('hcs-burst', '2026-03-06', [time('slot-x', 50 - booked, 50)]);
    server.app.push.availabilityChanged('hcs-burst', '2026-03-06');
    if (booked % 5 === 0) await sleep(8);
  }
  t.log(`50 changes in ${Date.now() - start} ms`);
  await page.next((day) => day.times[0]?.free === 0);
  await sleep(500);
  const updates = page.received.slice(1);
  t.true(updates.length >= 1 && updates.length <= 3, `${updates.length} emits`);
  t.is(updates.at(-1)?.times[0]?.free, 0);
  t.true((availability.reads.get('hcs-burst/2026-03-06') ?? 0) - readsBefore <= 3);
  t.is(availability.mostAtOnce.get('hcs-burst/2026-03-06'), 1);
});

test('a change is still pushed after the availability provider failed once', async (t) => {
  let failNext = true;
  server.app.push.setAvailabilityProvider(async (service, date) => {
    if (service === 'hcs-flaky' && failNext) {
      failNext = false;
      throw new Error('database unavailable');
    }
    return availability.provider(service, date);
  });
  try {
    availability.set('hcs-flaky', '2026-03-07', [time('slot-f', 1)]);
    const page = await watcher();
    await page.watch({ service: 'hcs-flaky', dates: ['2026-03-07'] });
    await sleep(300);
    t.is(page.received.length, 0);
    const update = page.next((day) => day.service === 'hcs-flaky');
    server.app.push.availabilityChanged('hcs-flaky', '2026-03-07');
    t.is((await update).times[0]?.free, 1);
  } finally {
    server.app.push.setAvailabilityProvider(availability.provider);
  }
});
