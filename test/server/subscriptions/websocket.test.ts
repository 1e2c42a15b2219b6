// The R4 websocket channel against a real server: a client with a staff or system token opens
// [base]/websocket, binds to its websocket Subscription (`bind [id]` → `bound [id]`) and hears
// `ping [id]` for each matching write — and nothing for the others; refusals for a missing token, a
// patient, an unknown or foreign subscription; and across two server processes sharing PostgreSQL and
// Redis, a write delivered by one process pings a socket held by the other.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import type { Resource } from '../../../fhir/index.ts';
import { clientCredentialsToken, startTestServer, request, testClient, type TestServer } from '../../helpers/server.ts';
import { patientWithLogin, staffWithLogin } from '../../helpers/booking.ts';
import { loadConfig } from '../../../server/config.ts';
import { createServer, type OpenHisServer } from '../../../server/server.ts';
import { createPostgresDatabase, type TestDatabase } from '../../helpers/database.ts';
import { sharedServices } from '../../helpers/shared-services.ts';
import { startPeer, stopPeer } from '../../helpers/peer-process.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ subscriptionPollMs: 100 });
});
test.after.always(async () => { await server?.stop(); });

/** A websocket client that keeps every text message, to be awaited in order. */
interface Client { socket: WebSocket; next(timeoutMs?: number): Promise<string>; pending(): string[]; close(): Promise<void> }

function connect(url: string, token: string | null): Promise<Client> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/fhir/websocket`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const queue: string[] = [];
  const waiters: ((m: string) => void)[] = [];
  socket.on('message', (data) => {
    const text = data.toString();
    const waiter = waiters.shift();
    if (waiter) waiter(text);
    else queue.push(text);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({
      socket,
      next: (timeoutMs = 10_000) => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no message')), timeoutMs);
        waiters.push((m) => { clearTimeout(timer); res(m); });
      })),
      pending: () => [...queue],
      close: () => new Promise((res) => { socket.once('close', () => res()); socket.close(); }),
    }));
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    socket.once('error', reject);
  });
}

async function websocketSubscription(target: { url: string; token: string; base: string }, criteria: string): Promise<string> {
  const res = await fetch(`${target.base}/Subscription`, {
    method: 'POST', headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Subscription', status: 'requested', reason: 'ward monitor', criteria, channel: { type: 'websocket' } }),
  });
  const body = await res.json() as { id: string };
  if (res.status !== 201) throw new Error(`subscription: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

const pulse = (value: number, code = '8867-4'): Resource => ({
  resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] },
  valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
} as Resource);

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusOf = async (db: TestServer['app']['db'], id: string) =>
  (await db.query<{ status: string }>(`SELECT content->>'status' AS status FROM fhir_resource WHERE resource_type = 'Subscription' AND id = $1`, [id])).rows[0]?.status;

test.serial('a bound client hears ping [id] for each matching write and nothing for the others', async (t) => {
  const metadata = (await request(server, 'GET', 'metadata')).body;
  const advertised = metadata.rest[0].extension.find((e: { url: string }) => e.url === 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket');
  t.is(advertised?.valueUri, `${server.url.replace(/^http/, 'ws')}/fhir/websocket`, 'the CapabilityStatement says where to connect');
  const id = await websocketSubscription(server, 'Observation?code=http://loinc.org|8867-4');
  t.is(await until(() => statusOf(server.app.db, id), (s) => s === 'active'), 'active', 'a websocket subscription is active once handled: there is no endpoint to check');

  const client = await connect(server.url, server.token);
  const second = await connect(server.url, server.token);
  client.socket.send(`bind ${id}`);
  t.is(await client.next(), `bound ${id}`);
  second.socket.send(`bind ${id}`);
  t.is(await second.next(), `bound ${id}`);

  await server.app.engine.repo.create(pulse(72));
  t.is(await client.next(), `ping ${id}`);
  t.is(await second.next(), `ping ${id}`);

  await server.app.engine.repo.create(pulse(120, '8310-5'));
  await server.app.subscriptions.idle();
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(client.pending(), [], 'a write that does not match pings nobody');

  await second.close();
  await server.app.engine.repo.create(pulse(75));
  t.is(await client.next(), `ping ${id}`, 'a closed socket leaves the others bound');
  await server.app.subscriptions.idle();
  t.is(Number((await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM sub_delivery WHERE subscription_id = $1', [id])).rows[0]!.n), 0, 'nothing left queued');
  await client.close();
});

test.serial('binding is refused for what the caller may not have: unknown ids, rest-hook subscriptions, garbage, patients, no token', async (t) => {
  const client = await connect(server.url, server.token);
  client.socket.send('bind no-such-subscription');
  t.regex(await client.next(), /^error no-such-subscription /);
  const restHook = (await request(server, 'POST', 'Subscription', { body: {
    resourceType: 'Subscription', status: 'off', reason: 'x', criteria: 'Observation?status=final', channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/hook' },
  } })).body.id;
  client.socket.send(`bind ${restHook}`);
  t.is(await client.next(), `error ${restHook} not a websocket Subscription`);
  client.socket.send('hello');
  t.regex(await client.next(), /^error expected "bind \[id\]"/);
  client.socket.send('x'.repeat(5000));
  await new Promise<void>((resolve) => client.socket.once('close', () => resolve()));
  t.is(client.socket.readyState, WebSocket.CLOSED, 'an oversized message closes the socket');

  const id = await websocketSubscription(server, 'Observation?code=http://loinc.org|8867-4');
  const registrar = await staffWithLogin(server, ['registrar']);
  const desk = await connect(server.url, registrar);
  desk.socket.send(`bind ${id}`);
  t.regex(await desk.next(), new RegExp(`^error ${id} `), 'a registrar may not read what the subscription watches');
  await desk.close();

  const { token } = await patientWithLogin(server);
  t.is(((await t.throwsAsync(connect(server.url, token))) as { status?: number }).status, 403);
  t.is(((await t.throwsAsync(connect(server.url, null))) as { status?: number }).status, 401);
  t.is(((await t.throwsAsync(connect(server.url, 'not-a-token'))) as { status?: number }).status, 401);
});

test.serial('a write delivered by one server process pings a socket held by another (shared PostgreSQL and Redis)', async (t) => {
  const { adminUrl, redisUrl, channelPrefix } = sharedServices();
  let database: TestDatabase | undefined;
  let processA: OpenHisServer | undefined;
  let peer: ChildProcess | undefined;
  let client: Client | undefined;
  try {
    database = await createPostgresDatabase(adminUrl, 'his_subscription_ws');
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, {
      port: 0, host: '127.0.0.1', seedDemo: false, databaseUrl: database.url, redisUrl, redisChannelPrefix: channelPrefix, subscriptionPollMs: 100,
      bootstrapClient: testClient,
    });
    processA = await createServer(config, { db: database.db });
    await processA.server.start();
    // B only works on its own nudges (ten minutes between polls), so A delivers A's write: the ping must cross.
    const started = startPeer('server-peer.ts', {
      ...process.env, DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: channelPrefix,
      PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'silent', SUBSCRIPTION_POLL_MS: '600000',
    });
    peer = started.child;
    const urlB = `http://127.0.0.1:${await started.port}`;
    const tokenA = await clientCredentialsToken(`http://127.0.0.1:${processA.server.info.port}`);
    const id = await websocketSubscription({ url: '', token: tokenA, base: `http://127.0.0.1:${processA.server.info.port}/fhir` }, 'Observation?code=http://loinc.org|8867-4');
    await until(() => statusOf(processA!.db, id), (s) => s === 'active');
    client = await connect(urlB, tokenA);
    client.socket.send(`bind ${id}`);
    t.is(await client.next(), `bound ${id}`);
    await processA.engine.repo.create(pulse(88));
    t.is(await client.next(10_000), `ping ${id}`);
  } finally {
    await client?.close();
    if (peer) await stopPeer(peer);
    await processA?.stop(2000);
    await database?.drop();
  }
});
