import test from 'ava';
import type { Resource } from '../../../fhir/index.ts';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { startReceiver, type Receiver, type Received } from '../../helpers/receiver.ts';
import { createClinic, freeSlots, openAllDays, parametersFor, patientWithLogin, staffWithLogin, tomorrow } from '../../helpers/booking.ts';

const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';

let server: TestServer;
let receiver: Receiver;
test.before(async () => {
  // Short delays so that retries and the error state happen within a test.
  server = await startTestServer({ subscriptionRetryMs: 300, subscriptionMaxAttempts: 3, subscriptionPollMs: 100, subscriptionTimeoutMs: 2000 });
  receiver = await startReceiver();
});
test.after.always(async () => {
  await server?.stop();
  await receiver?.close();
});

let path = 0;
/** A subscription whose notifications go to a path of its own on the receiver. */
async function subscribe(criteria: string, channel: Record<string, unknown> = {}, token?: string): Promise<{ id: string; endpoint: string; status: number; body: any }> {
  const endpoint = `${receiver.url}/hook-${++path}`;
  const res = await request(server, 'POST', 'Subscription', {
    ...(token ? { token } : {}),
    body: { resourceType: 'Subscription', status: 'requested', reason: 'test', criteria, channel: { type: 'rest-hook', endpoint, ...channel } },
  });
  return { id: res.body?.id, endpoint, status: res.status, body: res.body };
}

const at = (endpoint: string) => (r: Received) => r.url.startsWith(new URL(endpoint).pathname);
const bundleType = (r: Received): string | undefined => (JSON.parse(r.body) as { parameter?: never[]; entry?: { resource: { parameter: { name: string; valueCode?: string }[] } }[] })
  .entry?.[0]?.resource.parameter.find((p) => p.name === 'type')?.valueCode;

async function storedStatus(id: string): Promise<{ status: string; error?: string }> {
  const row = (await server.app.db.query<{ resource: { status: string; error?: string } }>(
    `SELECT content AS resource FROM fhir_resource WHERE resource_type = 'Subscription' AND id = $1`, [id])).rows[0];
  return row!.resource;
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function observation(code: string, value: number): Resource {
  return {
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  } as Resource;
}

test.serial('a new subscription is activated by a handshake, then notified of matching creates and updates only, with its headers', async (t) => {
  const sub = await subscribe('Observation?code=http://loinc.org|8867-4', { header: ['Authorization: Bearer subscriber-secret', 'X-Tenant: ward-3'] });
  t.is(sub.status, 201, JSON.stringify(sub.body));
  t.is(sub.body.status, 'requested', 'the server, not the client, activates a subscription');
  const [handshake] = await receiver.waitFor(1, at(sub.endpoint));
  t.is(bundleType(handshake!), 'handshake');
  t.is(handshake!.headers.authorization, 'Bearer subscriber-secret');
  t.is((await until(() => storedStatus(sub.id), (s) => s.status === 'active')).status, 'active');

  const other = await request(server, 'POST', 'Observation', { body: observation('9279-1', 16) });
  const heart = await request(server, 'POST', 'Observation', { body: observation('8867-4', 72) });
  t.is(other.status, 201);
  t.is(heart.status, 201);
  const events = await receiver.waitFor(2, at(sub.endpoint));
  const event = events[1]!;
  t.is(event.method, 'POST');
  t.is(event.body, '', 'R4 rest-hook without payload: an empty POST');
  t.is(event.headers['x-tenant'], 'ward-3');
  await request(server, 'PUT', `Observation/${heart.body.id}`, { body: { ...heart.body, valueQuantity: { ...heart.body.valueQuantity, value: 80 } } });
  await receiver.waitFor(3, at(sub.endpoint));
  await server.app.subscriptions.idle();
  t.is(receiver.requests.filter(at(sub.endpoint)).length, 3, 'handshake + create + update; the respiratory rate matched nothing');
  t.is(Number((await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM sub_delivery')).rows[0]!.n), 0, 'the queue is empty once delivered');
});

test.serial('with channel.payload the resource is PUT to endpoint/Type/id; backport full-resource sends a notification Bundle', async (t) => {
  const plain = await subscribe('Condition?clinical-status=active', { payload: 'application/fhir+json' });
  const backport = await subscribe('Condition?clinical-status=active', {
    payload: 'application/fhir+json', _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'full-resource' }] },
  });
  await receiver.waitFor(1, at(plain.endpoint));
  await receiver.waitFor(1, at(backport.endpoint));
  await until(() => storedStatus(backport.id), (s) => s.status === 'active');
  await until(() => storedStatus(plain.id), (s) => s.status === 'active');
  const condition = await request(server, 'POST', 'Condition', {
    body: {
      resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { text: '高血压' }, subject: { reference: 'Patient/nobody' },
    },
  });
  t.is(condition.status, 201, condition.text);
  const [, put] = await receiver.waitFor(2, at(plain.endpoint));
  t.is(put!.method, 'PUT');
  t.true(put!.url.endsWith(`/Condition/${condition.body.id}`));
  t.is(JSON.parse(put!.body).code.text, '高血压');
  const [, note] = await receiver.waitFor(2, at(backport.endpoint));
  const bundle = JSON.parse(note!.body);
  t.is(bundle.type, 'history');
  t.is(bundleType(note!), 'event-notification');
  const status = bundle.entry[0].resource.parameter;
  t.is(status.find((p: { name: string }) => p.name === 'events-since-subscription-start').valueString, '1');
  t.is(status.find((p: { name: string }) => p.name === 'subscription').valueReference.reference, `${server.base}/Subscription/${backport.id}`);
  t.is(bundle.entry[1].resource.id, condition.body.id);
  t.is(bundle.entry[1].request.method, 'POST');
});

test.serial('a failing endpoint is retried with growing delays; one that keeps failing puts the subscription in error', async (t) => {
  receiver.answer(503);
  const sub = await subscribe('Encounter?status=arrived');
  let tries: Received[];
  let stored: { status: string; error?: string };
  try {
    tries = await receiver.waitFor(3, at(sub.endpoint));
    stored = await until(() => storedStatus(sub.id), (s) => s.status === 'error');
  } finally {
    receiver.answer(200);
  }
  t.is(stored.status, 'error');
  t.regex(stored.error ?? '', /3 notifications in a row failed.*HTTP 503/);
  t.true(tries[2]!.at - tries[1]!.at >= tries[1]!.at - tries[0]!.at, 'the second wait is at least the first (back-off doubles)');
  t.is(Number((await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM sub_delivery WHERE subscription_id = $1', [sub.id])).rows[0]!.n), 0);
  await request(server, 'POST', 'Encounter', { body: { resourceType: 'Encounter', status: 'arrived', class: { code: 'AMB' } } });
  await server.app.subscriptions.idle();
  t.is(receiver.requests.filter(at(sub.endpoint)).length, 3, 'a subscription in error gets nothing more');

  // The client fixes its endpoint and asks again: a new handshake, then active.
  const current = (await request(server, 'GET', `Subscription/${sub.id}`)).body;
  const again = await request(server, 'PUT', `Subscription/${sub.id}`, { body: { ...current, status: 'requested' } });
  t.is(again.status, 200, again.text);
  t.is((await until(() => storedStatus(sub.id), (s) => s.status === 'active')).status, 'active');
});

test.serial('an endpoint that fails twice then answers gets the notification; meanwhile it waits in the database', async (t) => {
  const sub = await subscribe('Procedure?status=completed');
  await until(() => storedStatus(sub.id), (s) => s.status === 'active');
  receiver.answer(500);
  const before = receiver.requests.filter(at(sub.endpoint)).length;
  let queued: { attempts: number; last_error: string }[];
  try {
    await request(server, 'POST', 'Procedure', { body: { resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/nobody' } } });
    await receiver.waitFor(before + 2, at(sub.endpoint));
    queued = (await server.app.db.query<{ attempts: number; last_error: string }>('SELECT attempts, last_error FROM sub_delivery WHERE subscription_id = $1', [sub.id])).rows;
  } finally {
    receiver.answer(200);
  }
  t.is(queued.length, 1, 'the undelivered notification is a row in the database');
  t.true(queued[0]!.attempts >= 1);
  await until(async () => (await server.app.db.query('SELECT 1 FROM sub_delivery WHERE subscription_id = $1', [sub.id])).rows.length, (n) => n === 0);
  t.is((await storedStatus(sub.id)).status, 'active');
});

test.serial('a subscriber that does not answer never holds up the write that concerns it', async (t) => {
  const sub = await subscribe('MedicationRequest?status=active');
  await until(() => storedStatus(sub.id), (s) => s.status === 'active');
  receiver.answer('hold');
  const before = receiver.requests.filter(at(sub.endpoint)).length;
  const written = await request(server, 'POST', 'MedicationRequest', {
    body: { resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { text: '阿司匹林' }, subject: { reference: 'Patient/nobody' } },
  });
  t.is(written.status, 201);
  const second = await request(server, 'POST', 'MedicationRequest', {
    body: { resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { text: '二甲双胍' }, subject: { reference: 'Patient/nobody' } },
  });
  t.is(second.status, 201, 'a second write completes while the first notification is still unanswered');
  await receiver.waitFor(before + 1, at(sub.endpoint));
  receiver.answer(200);
  receiver.release();
  await receiver.waitFor(before + 2, at(sub.endpoint));
});

test.serial('a heartbeat goes out when nothing else was sent for the heartbeat period', async (t) => {
  const sub = await subscribe('Immunization?status=completed', { extension: [{ url: `${BACKPORT}/backport-heartbeat-period`, valueUnsignedInt: 1 }] });
  await until(() => storedStatus(sub.id), (s) => s.status === 'active');
  const [beat] = await receiver.waitFor(1, (r) => at(sub.endpoint)(r) && bundleType(r) === 'heartbeat', 15_000);
  t.truthy(beat);
});

test.serial('a subscription to booked appointments fires when a patient books through the public booking flow', async (t) => {
  await openAllDays(server);
  const clinic = await createClinic(server);
  const registrar = await staffWithLogin(server, ['registrar']);
  const sub = await subscribe('Appointment?status=booked', {
    payload: 'application/fhir+json', _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'full-resource' }] },
  }, registrar);
  t.is(sub.status, 201, JSON.stringify(sub.body));
  await until(() => storedStatus(sub.id), (s) => s.status === 'active');
  const { patient, token } = await patientWithLogin(server);
  const [slot] = await freeSlots(server, clinic, tomorrow(server));
  const booked = await request(server, 'POST', 'Appointment/$book', { token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(booked.status, 201, booked.text);
  const notes = await receiver.waitFor(2, at(sub.endpoint));
  const bundle = JSON.parse(notes[1]!.body);
  t.is(bundle.entry[1].resource.id, booked.body.id);
  t.is(bundle.entry[1].resource.participant[0].actor.reference, `Patient/${patient}`);
});

test.serial('bad subscriptions are refused with a stable code and nothing is stored', async (t) => {
  const count = async () => Number((await server.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM fhir_resource WHERE resource_type = 'Subscription' AND NOT deleted`)).rows[0]!.n);
  const before = await count();
  const unknown = await subscribe('Observation?no-such-parameter=1');
  t.is(unknown.status, 422);
  t.is(unknown.body.issue[0].diagnostics, 'invalid-criteria');
  t.is((await subscribe('NotAType?x=1')).body.issue[0].diagnostics, 'invalid-criteria');
  const email = await request(server, 'POST', 'Subscription', {
    body: { resourceType: 'Subscription', status: 'requested', reason: 'x', criteria: 'Observation?status=final', channel: { type: 'email', endpoint: 'mailto:ward@example.org' } },
  });
  t.is(email.status, 422);
  t.is(email.body.issue[0].diagnostics, 'unsupported-channel');
  t.is((await subscribe('Observation?status=final', { endpoint: 'file:///etc/passwd' })).body.issue[0].diagnostics, 'unsupported-channel');
  const registrar = await staffWithLogin(server, ['registrar']);
  const forbidden = await subscribe('Observation?status=final', {}, registrar);
  t.is(forbidden.status, 403, 'a registrar cannot read observations, so cannot subscribe to them');
  t.is(forbidden.body.issue[0].diagnostics, 'criteria-forbidden');
  const { token } = await patientWithLogin(server);
  t.is((await subscribe('Appointment?status=booked', {}, token)).status, 403);
  const inBundle = await request(server, 'POST', '', {
    token: registrar,
    body: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Subscription', status: 'requested', reason: 'x', criteria: 'Observation?status=final', channel: { type: 'rest-hook', endpoint: receiver.url } }, request: { method: 'POST', url: 'Subscription' } }] },
  });
  t.is(inBundle.status, 403);
  t.is(await count(), before);
});
