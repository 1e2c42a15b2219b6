import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const patient = (family: string) => ({ resourceType: 'Patient', name: [{ family, given: ['Wei'] }], gender: 'male', birthDate: '1980-02-03' });

/** A FHIRPath Patch document (http://hl7.org/fhir/R4/fhirpatch.html) of `operation` parameters. */
const fhirPathPatch = (...operations: Record<string, unknown>[][]) => ({
  resourceType: 'Parameters',
  parameter: operations.map((part) => ({ name: 'operation', part })),
});
const replace = (path: string, value: Record<string, unknown>) => [
  { name: 'type', valueCode: 'replace' }, { name: 'path', valueString: path }, { name: 'value', ...value },
];

async function create(family: string): Promise<string> {
  const res = await request(server, 'POST', 'Patient', { body: patient(family) });
  return res.body.id;
}

async function storedVersions(id: string) {
  const current = await server.database.db.query<{ version_id: number; content: any }>(
    'SELECT version_id, content FROM fhir_resource WHERE resource_type = $1 AND id = $2', ['Patient', id]);
  const history = await server.database.db.query('SELECT version_id FROM fhir_resource_history WHERE id = $1', [id]);
  return { current: current.rows[0], versions: history.rows.length };
}

test('FHIRPath Patch replaces a value and creates a new version', async (t) => {
  const id = await create('FhirPath');
  const res = await request(server, 'PATCH', `Patient/${id}`, {
    body: fhirPathPatch(replace('Patient.gender', { valueCode: 'female' }), replace('Patient.name[0].family', { valueString: 'Renamed' })),
  });
  t.is(res.status, 200, res.text);
  t.is(res.body.gender, 'female');
  t.is(res.body.name[0].family, 'Renamed');
  t.is(res.body.meta.versionId, '2');
  t.is(res.headers.get('etag'), 'W/"2"');
  const stored = await storedVersions(id);
  t.is(stored.current.version_id, 2);
  t.is(stored.current.content.gender, 'female');
  t.is(stored.current.content.name[0].family, 'Renamed');
  t.is(stored.versions, 2);
});

test('FHIRPath Patch is accepted as application/json and honours If-Match', async (t) => {
  const id = await create('IfMatch');
  const body = fhirPathPatch([{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Patient.birthDate' }]);
  const stale = await request(server, 'PATCH', `Patient/${id}`, { body, headers: { 'content-type': 'application/json', 'if-match': 'W/"7"' } });
  t.is(stale.status, 412);
  const res = await request(server, 'PATCH', `Patient/${id}`, { body, headers: { 'content-type': 'application/json', 'if-match': 'W/"1"' } });
  t.is(res.status, 200, res.text);
  t.is(res.body.birthDate, undefined);
});

test('a FHIRPath Patch that would make the resource invalid is 400 and stores nothing', async (t) => {
  const id = await create('Invalid');
  const res = await request(server, 'PATCH', `Patient/${id}`, { body: fhirPathPatch(replace('Patient.gender', { valueCode: 'robot' })) });
  t.is(res.status, 400, res.text);
  t.is(res.body.resourceType, 'OperationOutcome');
  const stored = await storedVersions(id);
  t.is(stored.current.version_id, 1);
  t.is(stored.current.content.gender, 'male');
  t.is(stored.versions, 1);
});

test('a FHIRPath Patch whose path matches nothing is 422 and stores nothing', async (t) => {
  const id = await create('NoMatch');
  const res = await request(server, 'PATCH', `Patient/${id}`, {
    body: fhirPathPatch(replace('Patient.maritalStatus', { valueCodeableConcept: { text: 'married' } })),
  });
  t.is(res.status, 422, res.text);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.is((await storedVersions(id)).current.version_id, 1);
});

test('a malformed Parameters document is 400, a non-Parameters FHIR body is 400, other media types stay 415', async (t) => {
  const id = await create('Malformed');
  const unknownType = await request(server, 'PATCH', `Patient/${id}`, {
    body: fhirPathPatch([{ name: 'type', valueCode: 'upsert' }, { name: 'path', valueString: 'Patient.gender' }]),
  });
  t.is(unknownType.status, 400);
  t.is((await request(server, 'PATCH', `Patient/${id}`, { body: patient('Whole') })).status, 400);
  const text = await request(server, 'PATCH', `Patient/${id}`, { raw: 'gender=female', headers: { 'content-type': 'text/plain' } });
  t.is(text.status, 415);
  t.is((await storedVersions(id)).current.version_id, 1);
});

test('a FHIRPath Patch inside a transaction Bundle applies with the other entries', async (t) => {
  const id = await create('InTransaction');
  const jsonPatch = Buffer.from(JSON.stringify([{ op: 'add', path: '/active', value: true }])).toString('base64');
  const res = await request(server, 'POST', '', {
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: fhirPathPatch(replace('Patient.birthDate', { valueDate: '1990-09-09' })), request: { method: 'PATCH', url: `Patient/${id}` } },
        { resource: { resourceType: 'Organization', name: 'Patched alongside' }, request: { method: 'POST', url: 'Organization' } },
      ],
    },
  });
  t.is(res.status, 200, res.text);
  t.deepEqual(res.body.entry.map((e: any) => e.response.status), ['200 OK', '201 Created']);
  const stored = await storedVersions(id);
  t.is(stored.current.version_id, 2);
  t.is(stored.current.content.birthDate, '1990-09-09');

  // A Binary holding JSON Patch in the same kind of entry stays JSON Patch.
  const binary = await request(server, 'POST', '', {
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: jsonPatch }, request: { method: 'PATCH', url: `Patient/${id}` } }],
    },
  });
  t.is(binary.status, 200, binary.text);
  t.is((await storedVersions(id)).current.content.active, true);
});

test('a FHIRPath Patch that cannot apply rolls the whole transaction back', async (t) => {
  const id = await create('TxRollback');
  const res = await request(server, 'POST', '', {
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: { resourceType: 'Organization', name: 'Rolled back by patch' }, request: { method: 'POST', url: 'Organization' } },
        { resource: fhirPathPatch(replace('Patient.photo', { valueAttachment: { title: 'x' } })), request: { method: 'PATCH', url: `Patient/${id}` } },
      ],
    },
  });
  t.is(res.status, 422, res.text);
  t.is((await storedVersions(id)).current.version_id, 1);
  const orgs = await server.database.db.query(`SELECT id FROM fhir_resource WHERE resource_type = 'Organization' AND content->>'name' = 'Rolled back by patch'`);
  t.deepEqual(orgs.rows, []);
});

test('the CapabilityStatement lists FHIRPath Patch as a patch format', async (t) => {
  const res = await request(server, 'GET', 'metadata');
  t.deepEqual(res.body.patchFormat, ['application/json-patch+json', 'application/fhir+json']);
});
