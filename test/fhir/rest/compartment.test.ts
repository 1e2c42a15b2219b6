import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  const put = (r: any) => request(server, 'PUT', `${r.resourceType}/${r.id}`, { body: r });
  for (const id of ['cmp-p1', 'cmp-p2']) await put({ resourceType: 'Patient', id });
  const obs = (id: string, ref: object, code: string) => put({
    resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] }, ...ref,
  });
  await obs('cmp-o1', { subject: { reference: 'Patient/cmp-p1' } }, '8867-4');
  await obs('cmp-o2', { subject: { reference: 'Patient/cmp-p1' } }, '8310-5');
  // performer is one of the Observation parameters of the Patient compartment, too.
  await obs('cmp-o3', { performer: [{ reference: 'Patient/cmp-p1' }] }, '8867-4');
  await obs('cmp-o4', { subject: { reference: 'Patient/cmp-p2' } }, '8867-4');
  await put({ resourceType: 'Encounter', id: 'cmp-e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/cmp-p1' } });
});
test.after.always(async () => { await server?.stop(); });

const ids = (bundle: any) => bundle.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id).sort();

test('a compartment search returns only the observations of that patient', async (t) => {
  const res = await request(server, 'GET', 'Patient/cmp-p1/Observation');
  t.is(res.status, 200);
  t.deepEqual(ids(res.body), ['cmp-o1', 'cmp-o2', 'cmp-o3']);
  t.is(res.body.total, 3);
  t.is(res.body.link[0].url, `${server.base}/Patient/cmp-p1/Observation`);
});

test('a compartment search combines with ordinary search parameters', async (t) => {
  const res = await request(server, 'GET', 'Patient/cmp-p1/Observation?code=http://loinc.org|8867-4');
  t.deepEqual(ids(res.body), ['cmp-o1', 'cmp-o3']);
  const other = await request(server, 'GET', 'Patient/cmp-p2/Observation?code=http://loinc.org|8867-4');
  t.deepEqual(ids(other.body), ['cmp-o4']);
});

test('a compartment search pages with next links inside the compartment', async (t) => {
  const first = await request(server, 'GET', 'Patient/cmp-p1/Observation?_count=2');
  t.deepEqual(ids(first.body), ['cmp-o1', 'cmp-o2']);
  const next = first.body.link.find((l: any) => l.relation === 'next').url;
  t.true(next.startsWith(`${server.base}/Patient/cmp-p1/Observation?`));
  t.deepEqual(ids(await (await server.fetch(next)).json()), ['cmp-o3']);
});

test('an Encounter compartment search finds resources of that encounter', async (t) => {
  await request(server, 'PUT', 'Observation/cmp-o5', {
    body: { resourceType: 'Observation', id: 'cmp-o5', status: 'final', code: { text: 'x' }, encounter: { reference: 'Encounter/cmp-e1' } },
  });
  t.deepEqual(ids((await request(server, 'GET', 'Encounter/cmp-e1/Observation')).body), ['cmp-o5']);
});

test('a type outside the compartment is a 400, and a type without a compartment a 404', async (t) => {
  const outside = await request(server, 'GET', 'Patient/cmp-p1/Organization');
  t.is(outside.status, 400);
  t.is(outside.body.resourceType, 'OperationOutcome');
  t.is((await request(server, 'GET', 'Observation/cmp-o1/Patient')).status, 404);
});
