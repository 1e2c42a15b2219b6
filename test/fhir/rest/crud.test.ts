import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const patient = (family = 'Zhang', extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Wei'] }],
  gender: 'male',
  birthDate: '1980-02-03',
  ...extra,
});

test('create assigns an id and version 1, answers 201 with Location, ETag and Last-Modified', async (t) => {
  const res = await request(server, 'POST', 'Patient', { body: patient('Create', { id: 'client-chosen' }) });
  t.is(res.status, 201);
  t.not(res.body.id, 'client-chosen');
  t.is(res.body.meta.versionId, '1');
  t.truthy(res.body.meta.lastUpdated);
  t.is(res.headers.get('etag'), 'W/"1"');
  t.is(res.headers.get('location'), `${server.base}/Patient/${res.body.id}/_history/1`);
  t.truthy(res.headers.get('last-modified'));
  t.regex(res.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  const rows = await server.database.db.query<{ version_id: number }>('SELECT version_id FROM fhir_resource WHERE resource_type = $1 AND id = $2', ['Patient', res.body.id]);
  t.deepEqual(rows.rows.map((r) => r.version_id), [1]);
});

test('read returns the stored resource with resourceType first and version headers', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Read') }) as any;
  const res = await request(server, 'GET', `Patient/${created.id}`);
  t.is(res.status, 200);
  t.true(res.text.startsWith('{"resourceType":"Patient"'));
  t.is(res.body.name[0].family, 'Read');
  t.is(res.headers.get('etag'), 'W/"1"');
});

test('read of an unknown id is 404 with an OperationOutcome', async (t) => {
  const res = await request(server, 'GET', 'Patient/does-not-exist');
  t.is(res.status, 404);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.is(res.body.issue[0].code, 'not-found');
});

test('an unknown resource type is 404 with an OperationOutcome', async (t) => {
  const res = await request(server, 'GET', 'Patientt/1');
  t.is(res.status, 404);
  t.is(res.body.resourceType, 'OperationOutcome');
});

test('update creates a new version and vread returns each version', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('V1') }) as any;
  const updated = await request(server, 'PUT', `Patient/${created.id}`, { body: { ...created, name: [{ family: 'V2' }] } });
  t.is(updated.status, 200);
  t.is(updated.body.meta.versionId, '2');
  const v1 = await request(server, 'GET', `Patient/${created.id}/_history/1`);
  const v2 = await request(server, 'GET', `Patient/${created.id}/_history/2`);
  t.is(v1.body.name[0].family, 'V1');
  t.is(v2.body.name[0].family, 'V2');
  t.is((await request(server, 'GET', `Patient/${created.id}/_history/3`)).status, 404);
  const history = await server.database.db.query('SELECT version_id FROM fhir_resource_history WHERE id = $1 ORDER BY version_id', [created.id]);
  t.is(history.rows.length, 2);
});

test('update with a client id creates the resource (update-as-create) with 201', async (t) => {
  const res = await request(server, 'PUT', 'Patient/client-id-1', { body: patient('Client', { id: 'client-id-1' }) });
  t.is(res.status, 201);
  t.is(res.body.id, 'client-id-1');
  t.is(res.body.meta.versionId, '1');
});

test('update whose body id differs from the URL is a 400', async (t) => {
  const res = await request(server, 'PUT', 'Patient/a-1', { body: patient('X', { id: 'b-2' }) });
  t.is(res.status, 400);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.is((await server.database.db.query('SELECT 1 FROM fhir_resource WHERE id IN ($1, $2)', ['a-1', 'b-2'])).rows.length, 0);
});

test('an update that changes nothing creates no new version', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Same') }) as any;
  const res = await request(server, 'PUT', `Patient/${created.id}`, { body: created });
  t.is(res.status, 200);
  t.is(res.body.meta.versionId, '1');
});

test('If-Match with a stale version is 412 and changes nothing', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Match') }) as any;
  await request(server, 'PUT', `Patient/${created.id}`, { body: { ...created, gender: 'female' }, headers: { 'if-match': 'W/"1"' } });
  const stale = await request(server, 'PUT', `Patient/${created.id}`, { body: { ...created, gender: 'other' }, headers: { 'if-match': 'W/"1"' } });
  t.is(stale.status, 412);
  t.is(stale.body.resourceType, 'OperationOutcome');
  const current = await request(server, 'GET', `Patient/${created.id}`);
  t.is(current.body.gender, 'female');
  t.is(current.body.meta.versionId, '2');
});

test('concurrent updates with the same If-Match: exactly one wins', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Race') }) as any;
  const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => request(server, 'PUT', `Patient/${created.id}`, {
    body: { ...created, name: [{ family: `Race${i}` }] }, headers: { 'if-match': 'W/"1"' },
  })));
  const statuses = attempts.map((a) => a.status).sort();
  t.deepEqual(statuses, [200, 412, 412, 412, 412, 412, 412, 412]);
  const versions = await server.database.db.query('SELECT version_id FROM fhir_resource_history WHERE id = $1', [created.id]);
  t.is(versions.rows.length, 2);
});

test('delete is logical: read answers 410 Gone, history keeps the versions, delete again succeeds', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Gone') }) as any;
  const del = await request(server, 'DELETE', `Patient/${created.id}`);
  t.is(del.status, 200);
  const read = await request(server, 'GET', `Patient/${created.id}`);
  t.is(read.status, 410);
  t.is(read.body.issue[0].code, 'deleted');
  const history = await request(server, 'GET', `Patient/${created.id}/_history`);
  t.is(history.body.entry.length, 2);
  t.is(history.body.entry[0].request.method, 'DELETE');
  t.is((await request(server, 'DELETE', `Patient/${created.id}`)).status, 200);
  const row = await server.database.db.query<{ deleted: boolean; version_id: number }>('SELECT deleted, version_id FROM fhir_resource WHERE id = $1', [created.id]);
  t.deepEqual(row.rows[0], { deleted: true, version_id: 2 });
});

test('a deleted resource can be recreated by update, continuing its version numbers', async (t) => {
  await request(server, 'PUT', 'Patient/phoenix', { body: patient('Phoenix', { id: 'phoenix' }) });
  await request(server, 'DELETE', 'Patient/phoenix');
  const again = await request(server, 'PUT', 'Patient/phoenix', { body: patient('Phoenix', { id: 'phoenix' }) });
  t.is(again.status, 201);
  t.is(again.body.meta.versionId, '3');
});

test('conditional read: If-None-Match with the current ETag answers 304', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Cond') }) as any;
  const res = await request(server, 'GET', `Patient/${created.id}`, { headers: { 'if-none-match': 'W/"1"' } });
  t.is(res.status, 304);
  const modified = await request(server, 'GET', `Patient/${created.id}`, { headers: { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() } });
  t.is(modified.status, 304);
  const older = await request(server, 'GET', `Patient/${created.id}`, { headers: { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } });
  t.is(older.status, 200);
});

test('a browser revalidating with If-None-Match and If-Modified-Since gets a version written in the same second', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Same') }) as any;
  const first = await request(server, 'GET', `Patient/${created.id}`);
  await server.fhir.update({ resourceType: 'Patient', id: created.id, body: { ...first.body, gender: 'other' } });
  const res = await request(server, 'GET', `Patient/${created.id}`, {
    headers: { 'if-none-match': first.headers.get('etag')!, 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() },
  });
  t.is(res.status, 200, 'If-Modified-Since is ignored when If-None-Match is sent (RFC 9110 §13.1.3)');
  t.is(res.body.meta.versionId, '2');
});

test('Prefer return=minimal answers without a body, return=OperationOutcome with an outcome', async (t) => {
  const minimal = await request(server, 'POST', 'Patient', { body: patient('Min'), headers: { prefer: 'return=minimal' } });
  t.is(minimal.status, 201);
  t.is(minimal.text, '');
  t.truthy(minimal.headers.get('location'));
  const outcome = await request(server, 'POST', 'Patient', { body: patient('Oo'), headers: { prefer: 'return=OperationOutcome' } });
  t.is(outcome.status, 201);
  t.is(outcome.body.resourceType, 'OperationOutcome');
});

test('JSON Patch applies to the current version and creates a new one', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('Patch') }) as any;
  const res = await request(server, 'PATCH', `Patient/${created.id}`, {
    raw: JSON.stringify([{ op: 'replace', path: '/gender', value: 'female' }, { op: 'add', path: '/active', value: true }]),
    headers: { 'content-type': 'application/json-patch+json' },
  });
  t.is(res.status, 200);
  t.is(res.body.gender, 'female');
  t.true(res.body.active);
  t.is(res.body.meta.versionId, '2');
});

test('a JSON Patch that would make the resource invalid is rejected and changes nothing', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('BadPatch') }) as any;
  const res = await request(server, 'PATCH', `Patient/${created.id}`, {
    raw: JSON.stringify([{ op: 'replace', path: '/gender', value: 'robot' }]),
    headers: { 'content-type': 'application/json-patch+json' },
  });
  t.is(res.status, 400);
  t.is((await request(server, 'GET', `Patient/${created.id}`)).body.meta.versionId, '1');
});

test('a failing JSON Patch test operation is 422', async (t) => {
  const created = await server.fhir.create({ resourceType: 'Patient', body: patient('TestOp') }) as any;
  const res = await request(server, 'PATCH', `Patient/${created.id}`, {
    raw: JSON.stringify([{ op: 'test', path: '/gender', value: 'female' }]),
    headers: { 'content-type': 'application/json-patch+json' },
  });
  t.is(res.status, 422);
});
