import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { MemoryAvailability, connectWatcher, time, type Watcher } from '../../helpers/push.ts';

let server: TestServer;
const availability = new MemoryAvailability();
const watchers: Watcher[] = [];
const allowedOrigin = 'https://booking.example.org';

test.before(async () => {
  server = await startTestServer({ corsOrigins: [allowedOrigin] });
  server.app.push.setAvailabilityProvider(availability.provider);
});

test.after.always(async () => {
  for (const watcher of watchers) watcher.close();
  await server?.stop();
});

async function watcher(options?: Parameters<typeof connectWatcher>[1]): Promise<Watcher> {
  const connected = await connectWatcher(server.url, options);
  watchers.push(connected);
  return connected;
}

function days(count: number): string[] {
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
}

const malformed: Array<[string, unknown]> = [
  ['a string', 'hcs-a 2026-03-02'],
  ['a number', 42],
  ['null', null],
  ['an array', [{ service: 'hcs-a', dates: ['2026-03-02'] }]],
  ['a numeric service', { service: 7, dates: ['2026-03-02'] }],
  ['dates as a string', { service: 'hcs-a', dates: '2026-03-02' }],
  ['no dates', { service: 'hcs-a', dates: [] }],
  ['a thousand dates', { service: 'hcs-a', dates: days(1000) }],
  ['32 dates', { service: 'hcs-a', dates: days(32) }],
  ['a numeric date', { service: 'hcs-a', dates: [20260302] }],
  ['February 30th', { service: 'hcs-a', dates: ['2026-02-30'] }],
  ['month 13', { service: 'hcs-a', dates: ['2026-13-01'] }],
  ['an unpadded date', { service: 'hcs-a', dates: ['2026-3-2'] }],
  ['a date with a time', { service: 'hcs-a', dates: ['2026-03-02T00:00:00Z'] }],
  ['markup as service', { service: '<script>alert(1)</script>', dates: ['2026-03-02'] }],
  ['a room name as service', { service: 'hcs-a:2026-03-02', dates: ['2026-03-02'] }],
  ['path traversal as service', { service: '../../etc/passwd', dates: ['2026-03-02'] }],
  ['a 65-character service', { service: 'a'.repeat(65), dates: ['2026-03-02'] }],
  ['a 20 kB service', { service: 'x'.repeat(20_000), dates: ['2026-03-02'] }],
  ['an extra field', { service: 'hcs-a', dates: ['2026-03-02'], role: 'role-1' }],
  ['a prototype key', JSON.parse('{"service":"hcs-a","dates":["2026-03-02"],"__proto__":{"polluted":true}}')],
];

for (const [what, request] of malformed) {
  test(`watch with ${what} is refused with an error that does not echo it`, async (t) => {
    const page = await watcher();
    const ack = await page.watch(request);
    t.false(ack.ok);
    t.true(!ack.ok && typeof ack.error === 'string' && ack.error.length < 100 && !ack.error.includes('<') && !ack.error.includes('xxx'));
    t.deepEqual(page.socket.connected, true);
    t.deepEqual(await page.socket.timeout(5000).emitWithAck('unwatch', request as never), ack);
  });
}

test('after malformed and ack-less requests the same connection and the HTTP API keep serving', async (t) => {
  availability.set('hcs-ok', '2026-03-02', [time('slot-ok', 2)]);
  const page = await watcher();
  // What a hostile client can send that the typed events do not allow: no acknowledgement, no payload.
  const raw = page.socket as unknown as { emit(event: string, ...args: unknown[]): void };
  for (const [, request] of malformed) raw.emit('watch', request);
  raw.emit('watch');
  raw.emit('unwatch', { service: 'hcs-ok' });
  const snapshot = page.next((day) => day.service === 'hcs-ok');
  t.deepEqual(await page.watch({ service: 'hcs-ok', dates: ['2026-03-02'] }), { ok: true });
  t.is((await snapshot).times[0]?.free, 2);
  t.is((await fetch(`${server.url}/health/live`)).status, 200);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('a page may watch up to 64 days at once and is told to unwatch beyond that', async (t) => {
  const page = await watcher();
  const all = days(70);
  t.deepEqual(await page.watch({ service: 'hcs-many', dates: all.slice(0, 31) }), { ok: true });
  t.deepEqual(await page.watch({ service: 'hcs-many', dates: all.slice(31, 62) }), { ok: true });
  // Watching days already watched again adds no room.
  t.deepEqual(await page.watch({ service: 'hcs-many', dates: all.slice(0, 31) }), { ok: true });
  t.deepEqual(await page.watch({ service: 'hcs-other', dates: all.slice(0, 2) }), { ok: true });
  const refused = await page.watch({ service: 'hcs-other', dates: all.slice(2, 3) });
  t.false(refused.ok);
  t.deepEqual(await page.socket.timeout(5000).emitWithAck('unwatch', { service: 'hcs-many', dates: all.slice(0, 31) }), { ok: true });
  t.deepEqual(await page.watch({ service: 'hcs-other', dates: all.slice(2, 31) }), { ok: true });
});

test('pages of the configured origin and of our own origin connect, other sites are refused', async (t) => {
  await t.notThrowsAsync(watcher({ origin: allowedOrigin }));
  await t.notThrowsAsync(watcher({ origin: server.url }));
  await t.notThrowsAsync(watcher({ origin: server.url, transport: 'polling' }));
  await t.throwsAsync(watcher({ origin: 'https://evil.example' }));
  await t.throwsAsync(watcher({ origin: 'https://evil.example', transport: 'polling' }));
});

test('a long-polling page receives updates too', async (t) => {
  availability.set('hcs-poll', '2026-03-02', [time('slot-p', 3)]);
  const page = await watcher({ transport: 'polling' });
  const snapshot = page.next(() => true);
  t.deepEqual(await page.watch({ service: 'hcs-poll', dates: ['2026-03-02'] }), { ok: true });
  await snapshot;
  availability.set('hcs-poll', '2026-03-02', [time('slot-p', 2)]);
  const update = page.next((day) => day.times[0]?.free === 2);
  server.app.push.availabilityChanged('hcs-poll', '2026-03-02');
  t.is((await update).times.length, 1);
});

test('polling answers carry CORS headers for the configured origin only', async (t) => {
  const handshake = (origin: string) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
  const allowed = await handshake(allowedOrigin);
  t.is(allowed.status, 200);
  t.is(allowed.headers.get('access-control-allow-origin'), allowedOrigin);
  const foreign = await handshake('https://evil.example');
  t.not(foreign.status, 200);
  t.is(foreign.headers.get('access-control-allow-origin'), null);
});

test('a message over 32 kB closes that connection only', async (t) => {
  const hostile = await watcher();
  const bystander = await watcher();
  const closed = new Promise<string>((resolve) => hostile.socket.once('disconnect', resolve));
  hostile.socket.emit('watch', { service: 'x'.repeat(100_000), dates: ['2026-03-02'] }, () => {});
  t.is(await closed, 'transport close');
  t.deepEqual(await bystander.watch({ service: 'hcs-ok', dates: ['2026-03-03'] }), { ok: true });
});
