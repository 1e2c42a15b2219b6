import test from 'ava';
import { createFhirEngine } from '../../../fhir/index.ts';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const colourUrl = 'https://open-his.example.org/fhir/StructureDefinition/favourite-colour';
const patient = (id: string, colour: string) => ({
  resourceType: 'Patient', id, extension: [{ url: colourUrl, valueString: colour }], name: [{ family: id }],
});
const searchParameter = (id: string, code: string, expression: string) => ({
  resourceType: 'SearchParameter', id, url: `https://open-his.example.org/fhir/SearchParameter/${id}`, name: code, status: 'active',
  description: 'A hospital-defined search parameter', code, base: ['Patient'], type: 'string', expression,
});
const ids = (bundle: any) => bundle.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id).sort();

test.serial('a custom SearchParameter finds existing resources after $reindex, and new ones from then on', async (t) => {
  await request(server, 'PUT', 'Patient/blue-1', { body: patient('blue-1', 'Blue') });
  await request(server, 'PUT', 'Patient/red-1', { body: patient('red-1', 'Red') });
  const before = await request(server, 'GET', 'Patient?favourite-colour=blue', { headers: { prefer: 'handling=strict' } });
  t.is(before.status, 400, 'unknown until registered');

  await request(server, 'PUT', 'SearchParameter/favourite-colour', {
    body: searchParameter('favourite-colour', 'favourite-colour', `Patient.extension.where(url='${colourUrl}').value`),
  });
  const reindex = await request(server, 'POST', 'Patient/$reindex', { body: { resourceType: 'Parameters' } });
  t.is(reindex.status, 200, JSON.stringify(reindex.body));
  t.true(reindex.body.parameter.find((p: any) => p.name === 'resourceCount').valueInteger >= 2);
  t.true(reindex.body.parameter.some((p: any) => p.name === 'parameter' && p.valueString === 'favourite-colour'));
  const rows = await server.database.db.query(`SELECT id FROM fhir_sp_string WHERE param = 'favourite-colour' ORDER BY id`);
  t.deepEqual(rows.rows.map((r: any) => r.id), ['blue-1', 'red-1']);

  t.deepEqual(ids((await request(server, 'GET', 'Patient?favourite-colour=blue')).body), ['blue-1']);
  await request(server, 'PUT', 'Patient/blue-2', { body: patient('blue-2', 'Blue-green') });
  t.deepEqual(ids((await request(server, 'GET', 'Patient?favourite-colour=blue')).body), ['blue-1', 'blue-2']);

  const cs = (await request(server, 'GET', 'metadata')).body;
  const params = cs.rest[0].resource.find((r: any) => r.type === 'Patient').searchParam.map((p: any) => p.name);
  t.true(params.includes('favourite-colour'));
});

test.serial('a stored custom SearchParameter is registered again when the engine starts', async (t) => {
  const engine = await createFhirEngine({ db: server.database.db, timezone: 'Asia/Shanghai' });
  t.truthy(engine.registry.get('Patient', 'favourite-colour'));
});

test.serial('a SearchParameter whose expression cannot work is refused by $reindex with its reason', async (t) => {
  await request(server, 'PUT', 'SearchParameter/broken', { body: searchParameter('broken', 'broken-param', 'Patient.name.where(') });
  const res = await request(server, 'POST', 'Patient/$reindex', { body: { resourceType: 'Parameters' } });
  t.is(res.status, 422);
  t.regex(res.body.issue[0].details.text, /SearchParameter\/broken/);
  await request(server, 'DELETE', 'SearchParameter/broken');
  t.deepEqual(ids((await request(server, 'GET', 'Patient?favourite-colour=red')).body), ['red-1']);
});

test('$reindex needs a resource type and POST', async (t) => {
  t.is((await request(server, 'GET', 'Patient/$reindex')).status, 405);
  t.is((await request(server, 'POST', '$reindex', { body: { resourceType: 'Parameters' } })).status, 404);
});
