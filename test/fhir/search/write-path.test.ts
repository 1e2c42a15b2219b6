// Chains, _has and composites through the server's own write path (the repository's flush writes
// fhir_sp_composite like the other index tables, and replaces its rows on update).
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

const loinc = 'http://loinc.org';
const bp = (id: string, systolic: number) => ({
  resourceType: 'Observation', id, status: 'final', subject: { reference: 'Patient/wp1' },
  code: { coding: [{ system: loinc, code: '85354-9' }] },
  component: [
    { code: { coding: [{ system: loinc, code: '8480-6' }] }, valueQuantity: { value: systolic, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    { code: { coding: [{ system: loinc, code: '8462-4' }] }, valueQuantity: { value: 80, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
  ],
});

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  await request(server, 'PUT', 'Patient/wp1', { body: { resourceType: 'Patient', id: 'wp1', name: [{ family: 'Okafor' }] } });
  await request(server, 'PUT', 'Observation/wp-bp', { body: bp('wp-bp', 150) });
});
test.after.always(async () => { await server?.stop(); });

const ids = (bundle: any) => (bundle.entry ?? []).filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id).sort();
const strict = { headers: { prefer: 'handling=strict' } };

test('a stored observation is found by composite, chain and _has, and an update replaces its composite rows', async (t) => {
  const composite = `Observation?component-code-value-quantity=${encodeURIComponent(`${loinc}|8480-6$gt140`)}`;
  t.deepEqual(ids((await request(server, 'GET', composite, strict)).body), ['wp-bp']);
  t.deepEqual(ids((await request(server, 'GET', 'Observation?subject:Patient.family=okafor', strict)).body), ['wp-bp']);
  t.deepEqual(ids((await request(server, 'GET', 'Patient?_has:Observation:subject:code=85354-9', strict)).body), ['wp1']);
  await request(server, 'PUT', 'Observation/wp-bp', { body: bp('wp-bp', 120) });
  t.deepEqual(ids((await request(server, 'GET', composite, strict)).body), []);
  const lowered = `Observation?component-code-value-quantity=${encodeURIComponent(`${loinc}|8480-6$120`)}`;
  t.deepEqual(ids((await request(server, 'GET', lowered, strict)).body), ['wp-bp']);
});
