import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  for (const [id, family, birthDate] of [['s1', 'Wang', '1970-05-01'], ['s2', 'Wáng', '1985-01-01'], ['s3', 'Li', '1990-12-31'], ['s4', 'Wangmu', '2001-07-07']]) {
    await request(server, 'PUT', `Patient/${id}`, { body: { resourceType: 'Patient', id, name: [{ family }], birthDate } });
  }
});
test.after.always(async () => { await server?.stop(); });

const ids = (bundle: any) => bundle.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id).sort();

test('a string search matches case- and accent-insensitively from the start', async (t) => {
  const res = await request(server, 'GET', 'Patient?family=wang');
  t.is(res.status, 200);
  t.is(res.body.type, 'searchset');
  t.deepEqual(ids(res.body), ['s1', 's2', 's4']);
  t.is(res.body.total, 3);
});

test('search results page with _count and next links', async (t) => {
  const first = await request(server, 'GET', 'Patient?family=wang,li&_count=2&_sort=birthdate');
  t.deepEqual(first.body.entry.map((e: any) => e.resource.id), ['s1', 's2']);
  const next = first.body.link.find((l: any) => l.relation === 'next').url;
  const second = await (await server.fetch(next)).json();
  t.deepEqual(second.entry.map((e: any) => e.resource.id), ['s3', 's4']);
  t.falsy(second.link.find((l: any) => l.relation === 'next'));
});

test('an unknown search parameter is ignored and reported by default, and a 400 under handling=strict', async (t) => {
  t.is((await request(server, 'GET', 'Patient?shoe-size=42', { headers: { prefer: 'handling=strict' } })).status, 400);
  const lenient = await request(server, 'GET', 'Patient?shoe-size=42');
  t.is(lenient.status, 200);
  t.true(lenient.body.entry.some((e: any) => e.search.mode === 'outcome'));
});

test('POST _search with a form body searches like GET', async (t) => {
  const res = await request(server, 'POST', 'Patient/_search', { raw: 'birthdate=ge1990-01-01', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.is(res.status, 200);
  t.deepEqual(ids(res.body), ['s3', 's4']);
});

test('_summary=count answers only the total', async (t) => {
  const res = await request(server, 'GET', 'Patient?family=wang&_summary=count');
  t.is(res.body.total, 3);
  t.deepEqual(res.body.entry, []);
});

test('deleted resources leave search results', async (t) => {
  await request(server, 'PUT', 'Patient/s-del', { body: { resourceType: 'Patient', id: 's-del', name: [{ family: 'Zhao' }] } });
  t.deepEqual(ids((await request(server, 'GET', 'Patient?family=zhao')).body), ['s-del']);
  await request(server, 'DELETE', 'Patient/s-del');
  t.deepEqual(ids((await request(server, 'GET', 'Patient?family=zhao')).body), []);
  const rows = await server.database.db.query(`SELECT 1 FROM fhir_sp_string WHERE id = 's-del'`);
  t.is(rows.rows.length, 0);
});

test('an update replaces the index rows of the previous version', async (t) => {
  await request(server, 'PUT', 'Patient/s-upd', { body: { resourceType: 'Patient', id: 's-upd', name: [{ family: 'Qian' }] } });
  await request(server, 'PUT', 'Patient/s-upd', { body: { resourceType: 'Patient', id: 's-upd', name: [{ family: 'Sun' }] } });
  t.deepEqual(ids((await request(server, 'GET', 'Patient?family=qian')).body), []);
  t.deepEqual(ids((await request(server, 'GET', 'Patient?family=sun')).body), ['s-upd']);
});
