import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
let between = '';
test.before(async () => {
  server = await startTestServer();
  const put = (r: any) => request(server, 'PUT', `${r.resourceType}/${r.id}`, { body: r });
  await put({ resourceType: 'Organization', id: 'ev-org', name: 'Clinic' });
  await put({ resourceType: 'Practitioner', id: 'ev-dr' });
  await put({ resourceType: 'Patient', id: 'ev-p1', managingOrganization: { reference: 'Organization/ev-org' } });
  await put({ resourceType: 'Patient', id: 'ev-p2' });
  await put({ resourceType: 'Encounter', id: 'ev-e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/ev-p1' } });
  await new Promise((r) => setTimeout(r, 20));
  between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  await put({
    resourceType: 'Observation', id: 'ev-o1', status: 'final', code: { text: 'x' },
    subject: { reference: 'Patient/ev-p1' }, performer: [{ reference: 'Practitioner/ev-dr' }],
  });
  await put({ resourceType: 'Observation', id: 'ev-o2', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/ev-p2' } });
});
test.after.always(async () => { await server?.stop(); });

const refs = (bundle: any, mode: string) => bundle.entry.filter((e: any) => e.search.mode === mode)
  .map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

test('Patient $everything returns the patient, its compartment and what those refer to', async (t) => {
  const res = await request(server, 'GET', 'Patient/ev-p1/$everything');
  t.is(res.status, 200);
  t.is(res.body.type, 'searchset');
  t.deepEqual(refs(res.body, 'match'), ['Encounter/ev-e1', 'Observation/ev-o1', 'Patient/ev-p1']);
  t.deepEqual(refs(res.body, 'include'), ['Organization/ev-org', 'Practitioner/ev-dr']);
  t.is(res.body.total, 3);
});

test('$everything with _type returns only those types', async (t) => {
  const res = await request(server, 'GET', 'Patient/ev-p1/$everything?_type=Observation');
  t.deepEqual(refs(res.body, 'match'), ['Observation/ev-o1']);
});

test('$everything with _since returns only resources changed since then', async (t) => {
  const res = await request(server, 'GET', `Patient/ev-p1/$everything?_since=${encodeURIComponent(between)}`);
  t.deepEqual(refs(res.body, 'match'), ['Observation/ev-o1']);
  t.true(res.body.link[0].url.includes('_since='));
});

test('$everything pages with _count and next links', async (t) => {
  const first = await request(server, 'GET', 'Patient/ev-p1/$everything?_count=2');
  t.is(refs(first.body, 'match').length, 2);
  const next = first.body.link.find((l: any) => l.relation === 'next').url;
  t.true(next.startsWith(`${server.base}/Patient/ev-p1/$everything?`));
  const second = await (await server.fetch(next)).json();
  t.deepEqual([...refs(first.body, 'match'), ...refs(second, 'match')].sort(), ['Encounter/ev-e1', 'Observation/ev-o1', 'Patient/ev-p1']);
});

test('$everything of an unknown patient is a 404', async (t) => {
  t.is((await request(server, 'GET', 'Patient/ev-none/$everything')).status, 404);
});

test('$everything is an instance operation of Patient only', async (t) => {
  t.is((await request(server, 'GET', 'Observation/ev-o1/$everything')).status, 404);
});
