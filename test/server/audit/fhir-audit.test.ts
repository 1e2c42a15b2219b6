import test from 'ava';
import { startTestServer, request, clientCredentialsToken, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn, testPassword } from '../../helpers/accounts.ts';

// Every FHIR interaction leaves an AuditEvent saying who did what to which record, when, from where,
// and how it ended; writes commit theirs in the same transaction.
let server: TestServer;
let doctor: string;
let admin: string;

test.before(async () => {
  server = await startTestServer();
  await request(server, 'PUT', 'Practitioner/aud-doc', { body: { resourceType: 'Practitioner', id: 'aud-doc', name: [{ family: 'Li' }] } });
  await createAccount(server, { login: 'aud-doctor', roles: ['doctor'], practitionerId: 'aud-doc' });
  await createAccount(server, { login: 'aud-admin', roles: ['admin'] });
  doctor = await logIn(server, 'aud-doctor');
  admin = await logIn(server, 'aud-admin');
});
test.after.always(async () => { await server?.stop(); });

interface Event { subtype?: { code: string }[]; type: { code: string }; action: string; outcome: string; agent: any[]; entity?: any[]; outcomeDesc?: string }

/** AuditEvents (after the batch of reads is written) that name `reference` or match `where`. */
async function events(where: (e: Event) => boolean): Promise<Event[]> {
  await server.app.audit.flush();
  const rows = await server.app.db.query<{ content: Event | string }>(`SELECT content FROM fhir_resource WHERE resource_type = 'AuditEvent'`);
  return rows.rows.map((r) => (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as Event).filter(where);
}
const naming = (reference: string) => (e: Event) => (e.entity ?? []).some((x) => x.what?.reference === reference || x.what?.reference?.startsWith(`${reference}/_history/`));
const byDoctor = (e: Event) => e.agent[0]?.who?.reference === 'Practitioner/aud-doc';

test('a create commits its AuditEvent with it, naming the new version, the patient and the doctor', async (t) => {
  await request(server, 'PUT', 'Patient/aud-p1', { body: { resourceType: 'Patient', id: 'aud-p1' } });
  const created = await request(server, 'POST', 'Observation', { token: doctor, headers: { 'user-agent': 'ward-pc-7' },
    body: { resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: 'Patient/aud-p1' } } });
  t.is(created.status, 201);
  const id = created.body.id;
  // No flush: the record is there the moment the write is.
  const rows = await server.app.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content @> $1::text::jsonb`,
    [JSON.stringify({ entity: [{ what: { reference: `Observation/${id}/_history/1` } }] })]);
  t.is(rows.rows[0]!.n, 1);
  const [event] = await events(naming(`Observation/${id}`));
  t.is(event!.subtype![0]!.code, 'create');
  t.is(event!.action, 'C');
  t.is(event!.outcome, '0');
  t.is(event!.agent[0].who.reference, 'Practitioner/aud-doc');
  t.is(event!.agent[0].role[0].coding[0].code, 'doctor');
  t.is(event!.agent[0].network.address, '127.0.0.1');
  t.is(event!.agent[0].extension[0].valueString, 'ward-pc-7');
  t.true(event!.entity!.some((x) => x.what?.reference === 'Patient/aud-p1'));
});

test('read, vread, search, history, update, patch and delete each leave the AuditEvent of their kind', async (t) => {
  await request(server, 'PUT', 'Patient/aud-p2', { body: { resourceType: 'Patient', id: 'aud-p2' } });
  const steps: [string, string, unknown, string, string][] = [
    ['GET', 'Patient/aud-p2', undefined, 'read', 'R'],
    ['GET', 'Patient/aud-p2/_history/1', undefined, 'vread', 'R'],
    ['GET', 'Patient?_id=aud-p2', undefined, 'search', 'E'],
    ['GET', 'Patient/aud-p2/_history', undefined, 'history', 'R'],
    ['GET', 'Patient/aud-p2/$everything', undefined, '$everything', 'E'],
  ];
  for (const [method, path, body, subtype, action] of steps) {
    const res = await request(server, method, path, { token: doctor, body });
    t.is(res.status, 200, path);
    const found = (await events((e) => byDoctor(e) && naming('Patient/aud-p2')(e))).filter((e) => e.subtype?.[0]?.code === subtype);
    t.true(found.length >= 1, `${subtype} audited`);
    t.is(found[0]!.action, action);
  }
  const search = (await events((e) => byDoctor(e) && e.subtype?.[0]?.code === 'search' && naming('Patient/aud-p2')(e)))[0]!;
  const query = search.entity!.find((x) => x.role?.code === '24');
  t.is(Buffer.from(query.query, 'base64').toString(), '_id=aud-p2');
  // Staff writes: registrar-like changes by the system client, which holds the scopes.
  t.is((await request(server, 'PUT', 'Patient/aud-p2', { body: { resourceType: 'Patient', id: 'aud-p2', active: true } })).status, 200);
  t.is((await request(server, 'PATCH', 'Patient/aud-p2', { body: [{ op: 'replace', path: '/active', value: false }], headers: { 'content-type': 'application/json-patch+json' } })).status, 200);
  t.is((await request(server, 'DELETE', 'Patient/aud-p2')).status, 200);
  const writes = await events(naming('Patient/aud-p2'));
  for (const [subtype, action] of [['update', 'U'], ['patch', 'U'], ['delete', 'D']]) {
    const e = writes.find((x) => x.subtype?.[0]?.code === subtype);
    t.truthy(e, `${subtype} audited`);
    t.is(e?.action, action);
    t.is(e?.agent[0].who.identifier.value, 'test-system-client');
  }
});

test('a refused request and a failed transaction are audited as failures, and the transaction wrote nothing', async (t) => {
  await request(server, 'PUT', 'Patient/aud-p3', { body: { resourceType: 'Patient', id: 'aud-p3' } });
  t.is((await request(server, 'DELETE', 'Patient/aud-p3', { token: doctor })).status, 403);
  const denied = (await events((e) => byDoctor(e) && e.subtype?.[0]?.code === 'delete' && e.outcome === '4'));
  t.is(denied.length, 1);
  t.regex(denied[0]!.outcomeDesc!, /403 forbidden/);
  const tx = await request(server, 'POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [
    { resource: { resourceType: 'Patient', id: 'aud-tx-ok' }, request: { method: 'PUT', url: 'Patient/aud-tx-ok' } },
    { resource: { resourceType: 'Patient', id: 'aud-tx-bad', gender: 'sometimes' }, request: { method: 'PUT', url: 'Patient/aud-tx-bad' } },
  ] } });
  t.is(tx.status, 400);
  t.is((await request(server, 'GET', 'Patient/aud-tx-ok')).status, 404);
  const failed = await events((e) => e.subtype?.[0]?.code === 'transaction' && e.outcome === '4');
  t.is(failed.length, 1);
  t.false(failed.some(naming('Patient/aud-tx-ok')), 'nothing is named as written');
});

test('log-ins, failed log-ins, log-outs and requests without credentials are audited', async (t) => {
  t.is((await request(server, 'POST', '/auth/login', { body: { login: 'aud-doctor', password: 'wrong password!!' }, token: null })).status, 401);
  const token = await logIn(server, 'aud-doctor', testPassword);
  t.is((await request(server, 'POST', '/auth/logout', { token, headers: { 'x-requested-with': 'open-his' } })).status, 204);
  t.is((await request(server, 'GET', 'Patient', { token: null })).status, 401);
  t.is((await request(server, 'GET', 'Patient', { token: 'not-a-token' })).status, 401);
  const auth = await events((e) => e.type.code === '110114' && e.agent[0]?.name === 'aud-doctor');
  t.true(auth.some((e) => e.subtype?.[0]?.code === '110122' && e.outcome === '4'), 'failed log-in');
  t.true(auth.some((e) => e.subtype?.[0]?.code === '110122' && e.outcome === '0'), 'log-in');
  t.true(auth.some((e) => e.subtype?.[0]?.code === '110123'), 'log-out');
  const anonymous = await events((e) => e.agent[0]?.who?.display === 'anonymous' && e.outcome === '4');
  t.true(anonymous.length >= 2, 'both refusals');
});

test('administrators search the audit log with FHIR search; doctors may not; the sealed chain verifies', async (t) => {
  await request(server, 'PUT', 'Patient/aud-p4', { body: { resourceType: 'Patient', id: 'aud-p4' } });
  await request(server, 'GET', 'Patient/aud-p4', { token: doctor });
  await server.app.audit.flush();
  const log = await request(server, 'GET', 'AuditEvent?patient=Patient/aud-p4&subtype=read', { token: admin });
  t.is(log.status, 200);
  t.is(log.body.total, 1);
  t.is(log.body.entry[0].resource.agent[0].who.reference, 'Practitioner/aud-doc');
  t.is((await request(server, 'GET', 'AuditEvent', { token: doctor })).status, 403);
  await server.app.sealer.sealNow();
  const report = await request(server, 'GET', '/admin/audit/verify', { token: admin });
  t.is(report.status, 200);
  t.true(report.body.ok);
  t.true(report.body.checked > 5);
  t.is((await request(server, 'GET', '/admin/audit/verify', { token: doctor })).status, 403);
});

test.serial('reads of one patient\'s record by one doctor within a batch share one AuditEvent naming every resource read', async (t) => {
  await request(server, 'PUT', 'Patient/aud-p5', { body: { resourceType: 'Patient', id: 'aud-p5' } });
  await request(server, 'PUT', 'Patient/aud-p6', { body: { resourceType: 'Patient', id: 'aud-p6' } });
  for (const [id, patient] of [['aud-o5a', 'aud-p5'], ['aud-o5b', 'aud-p5'], ['aud-o6', 'aud-p6']]) {
    await request(server, 'PUT', `Observation/${id}`, { body: { resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } } });
  }
  await server.app.audit.flush();
  for (const path of ['Observation/aud-o5a', 'Observation/aud-o5b', 'Observation/aud-o6', 'Observation/aud-o5a']) {
    t.is((await request(server, 'GET', path, { token: doctor })).status, 200);
  }
  const reads = await events((e) => byDoctor(e) && e.subtype?.[0]?.code === 'read'
    && (naming('Patient/aud-p5')(e) || naming('Patient/aud-p6')(e)));
  t.is(reads.length, 2, 'one per patient');
  const p5 = reads.find(naming('Patient/aud-p5'))! as Event & { period?: { start: string; end: string } };
  t.true(naming('Observation/aud-o5a')(p5) && naming('Observation/aud-o5b')(p5));
  t.false(naming('Observation/aud-o6')(p5));
  t.truthy(p5.period?.start && p5.period.end >= p5.period.start);
});

test('account changes by an administrator are audited as security attribute changes', async (t) => {
  const created = await request(server, 'POST', '/admin/accounts', { token: admin, body: { username: 'aud-new-nurse', password: 'a long enough password', roles: ['nurse'] } });
  t.is(created.status, 201);
  t.is((await request(server, 'PATCH', `/admin/accounts/${created.body.id}`, { token: admin, body: { disabled: true } })).status, 200);
  const changes = await events((e) => e.subtype?.[0]?.code === '110137' && JSON.stringify(e.entity).includes(created.body.id));
  t.is(changes.length, 2);
  t.true(changes.every((e) => e.agent[0].name === 'aud-admin'));
});

test('a write by an app with several scopes is audited with its client and scopes', async (t) => {
  const token = await clientCredentialsToken(server.url, 'system/*.* system/Patient.read');
  const created = await request(server, 'POST', 'Patient', { token, body: { resourceType: 'Patient', name: [{ family: 'Scoped' }] } });
  t.is(created.status, 201);
  const [event] = await events(naming(`Patient/${created.body.id}`));
  const extensions = Object.fromEntries((event!.agent[0].extension as { url: string; valueString: string }[]).map((e) => [e.url.split('/').pop(), e.valueString]));
  t.is(extensions['oauth-scope'], 'system/*.* system/Patient.read');
  t.is(event!.agent[0].who.identifier.value, 'test-system-client');
});
