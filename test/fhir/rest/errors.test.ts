import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer({ maxBodyBytes: 64 * 1024 }); });
test.after.always(async () => { await server?.stop(); });

async function count(type: string): Promise<number> {
  const r = await server.database.db.query<{ n: string | number }>('SELECT count(*) AS n FROM fhir_resource WHERE resource_type = $1 AND id <> $2', [type, 'year-one']);
  return Number(r.rows[0].n);
}

test('malformed JSON is a 400 OperationOutcome and stores nothing', async (t) => {
  const before = await count('Patient');
  const res = await request(server, 'POST', 'Patient', { raw: '{"resourceType": "Patient", "name": [', headers: { 'content-type': 'application/fhir+json' } });
  t.is(res.status, 400);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.is(res.body.issue[0].code, 'structure');
  t.is(await count('Patient'), before);
});

test('XML content is 415 and an XML-only Accept is 406, both as OperationOutcomes', async (t) => {
  const xml = await request(server, 'POST', 'Patient', { raw: '<Patient xmlns="http://hl7.org/fhir"/>', headers: { 'content-type': 'application/fhir+xml' } });
  t.is(xml.status, 415);
  t.is(xml.body.resourceType, 'OperationOutcome');
  const accept = await request(server, 'GET', 'metadata', { headers: { accept: 'application/fhir+xml' } });
  t.is(accept.status, 406);
  t.is(accept.body?.resourceType ?? JSON.parse(accept.text).resourceType, 'OperationOutcome');
  t.is((await request(server, 'GET', 'metadata?_format=xml')).status, 406);
});

test('a body over the size limit is 413 with an OperationOutcome', async (t) => {
  const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(100 * 1024) }] };
  const res = await request(server, 'POST', 'Patient', { body: big });
  t.is(res.status, 413);
  t.is(res.body.resourceType, 'OperationOutcome');
});

test('an invalid resource gets precise issues with FHIRPath expressions and is not stored', async (t) => {
  const before = await count('Observation');
  const res = await request(server, 'POST', 'Observation', { body: { resourceType: 'Observation', code: { text: 'x' }, valueString: 1, foo: 'bar' } });
  t.is(res.status, 400);
  const expressions = res.body.issue.flatMap((i: any) => i.expression ?? []);
  t.true(expressions.includes('Observation.status'), JSON.stringify(res.body));
  t.true(expressions.includes('Observation.foo'));
  t.true(expressions.includes('Observation.valueString'));
  t.is(await count('Observation'), before);
});

test('a resource type in the body different from the URL is a 400', async (t) => {
  const res = await request(server, 'POST', 'Patient', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } });
  t.is(res.status, 400);
});

test('an unsupported method on an endpoint is 405', async (t) => {
  t.is((await request(server, 'DELETE', 'metadata')).status, 405);
  t.is((await request(server, 'DELETE', 'Patient')).status, 405);
});

test('hostile ids and paths are 4xx, never 500', async (t) => {
  for (const path of ['Patient/%00', 'Patient/..%2F..%2Fetc', "Patient/1'%20OR%201=1", 'Patient/' + 'a'.repeat(65), 'Patient/1/_history/abc', 'Patient/1/_history/99999999999999']) {
    const res = await request(server, 'GET', path);
    t.true(res.status >= 400 && res.status < 500, `${path} → ${res.status}`);
    t.is(res.body?.resourceType, 'OperationOutcome');
  }
});

test('a JSON value that is not a resource is a 400', async (t) => {
  for (const raw of ['[]', '"text"', '42', 'null']) {
    const res = await request(server, 'POST', 'Patient', { raw, headers: { 'content-type': 'application/fhir+json' } });
    t.is(res.status, 400, raw);
  }
});

test('_pretty=true indents the answer', async (t) => {
  const res = await request(server, 'GET', 'metadata?_pretty=true');
  t.true(res.text.includes('\n  "resourceType"'));
});

test('health endpoints answer live and ready', async (t) => {
  t.is((await fetch(`${server.url}/health/live`)).status, 200);
  const ready = await (await fetch(`${server.url}/health/ready`)).json();
  t.is(ready.status, 'ready');
});

test('values the database cannot store are 4xx OperationOutcomes, never 500, and store nothing', async (t) => {
  const before = await count('Patient');
  const nulInUri = await request(server, 'POST', 'Patient', {
    raw: '{"resourceType":"Patient","extension":[{"url":"http://x\\u0000y","valueString":"v"}]}', headers: { 'content-type': 'application/fhir+json' },
  });
  t.is(nulInUri.status, 400);
  const nulInSearch = await request(server, 'GET', 'Patient?name=%00');
  t.is(nulInSearch.status, 400);
  t.is(nulInSearch.body.resourceType, 'OperationOutcome');
  t.is(await count('Patient'), before);
});

test('a date in year 1 is stored and indexed', async (t) => {
  const res = await request(server, 'PUT', 'Patient/year-one', { body: { resourceType: 'Patient', id: 'year-one', deceasedDateTime: '0001-01-01' } });
  t.is(res.status, 201);
});

test('JSON nested deeper than 100 levels is refused with a 400 OperationOutcome and nothing is stored', async (t) => {
  const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
  const res = await request(server, 'POST', 'Basic', { raw: `{"resourceType":"Basic","code":{"text":"deep"},"extension":${deep}}`, headers: { 'content-type': 'application/fhir+json' } });
  t.is(res.status, 400);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.regex(res.body.issue[0].details.text, /deeper than 100/);
  const rows = await server.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'Basic' AND content->'code'->>'text' = 'deep'`);
  t.is(rows.rows[0]!.n, 0);
});
