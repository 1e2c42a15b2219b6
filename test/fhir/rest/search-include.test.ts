import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  const put = (r: any) => request(server, 'PUT', `${r.resourceType}/${r.id}`, { body: r });
  for (const id of ['inc-p1', 'inc-p2', 'inc-p3']) await put({ resourceType: 'Patient', id, name: [{ family: 'Incfam' }] });
  await put({ resourceType: 'Practitioner', id: 'inc-dr', name: [{ family: 'Doc' }] });
  await put({ resourceType: 'Encounter', id: 'inc-enc', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/inc-p3' } });
  const obs = (id: string, patient: string, extra: object = {}) => put({
    resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: 'inc-code' }] },
    subject: { reference: `Patient/${patient}` }, ...extra,
  });
  await obs('inc-o1', 'inc-p1', { performer: [{ reference: 'Practitioner/inc-dr' }] });
  await obs('inc-o2', 'inc-p1');
  await obs('inc-o3', 'inc-p2');
  await put({ resourceType: 'Observation', id: 'inc-o4', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: 'inc-enc-code' }] }, encounter: { reference: 'Encounter/inc-enc' } });
});
test.after.always(async () => { await server?.stop(); });

const byMode = (bundle: any, mode: string) =>
  bundle.entry.filter((e: any) => e.search.mode === mode).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

test('revinclude adds the observations of the found patients with search mode include', async (t) => {
  const res = await request(server, 'GET', 'Patient?family=incfam&_id=inc-p1,inc-p2&_revinclude=Observation:subject');
  t.is(res.status, 200);
  t.deepEqual(byMode(res.body, 'match'), ['Patient/inc-p1', 'Patient/inc-p2']);
  t.deepEqual(byMode(res.body, 'include'), ['Observation/inc-o1', 'Observation/inc-o2', 'Observation/inc-o3']);
  t.is(res.body.total, 2, 'included resources are not counted');
});

test('include returns a patient referenced by several observations once', async (t) => {
  const res = await request(server, 'GET', 'Observation?code=http://loinc.org|inc-code&_include=Observation:subject:Patient');
  t.deepEqual(byMode(res.body, 'match'), ['Observation/inc-o1', 'Observation/inc-o2', 'Observation/inc-o3']);
  t.deepEqual(byMode(res.body, 'include'), ['Patient/inc-p1', 'Patient/inc-p2']);
  t.is(res.body.total, 3);
});

test('a target type on _include restricts the included resources to that type', async (t) => {
  const res = await request(server, 'GET', 'Observation?_id=inc-o1&_include=Observation:performer:Patient');
  t.deepEqual(byMode(res.body, 'include'), []);
  const practitioner = await request(server, 'GET', 'Observation?_id=inc-o1&_include=Observation:performer:Practitioner');
  t.deepEqual(byMode(practitioner.body, 'include'), ['Practitioner/inc-dr']);
});

test('_include=* includes every resource a match refers to', async (t) => {
  const res = await request(server, 'GET', 'Observation?_id=inc-o1&_include=*');
  t.deepEqual(byMode(res.body, 'include'), ['Patient/inc-p1', 'Practitioner/inc-dr']);
});

test('_include:iterate follows the references of included resources', async (t) => {
  const once = await request(server, 'GET', 'Observation?_id=inc-o4&_include=Observation:encounter&_include=Encounter:subject');
  t.deepEqual(byMode(once.body, 'include'), ['Encounter/inc-enc'], 'without :iterate only the matches are followed');
  const iterated = await request(server, 'GET', 'Observation?_id=inc-o4&_include=Observation:encounter&_include:iterate=Encounter:subject');
  t.deepEqual(byMode(iterated.body, 'include'), ['Encounter/inc-enc', 'Patient/inc-p3']);
});

test('a deleted resource is not included', async (t) => {
  await request(server, 'PUT', 'Patient/inc-gone', { body: { resourceType: 'Patient', id: 'inc-gone' } });
  await request(server, 'PUT', 'Observation/inc-o5', { body: { resourceType: 'Observation', id: 'inc-o5', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/inc-gone' } } });
  await request(server, 'DELETE', 'Patient/inc-gone');
  const res = await request(server, 'GET', 'Observation?_id=inc-o5&_include=Observation:subject');
  t.deepEqual(byMode(res.body, 'include'), []);
});

test('an _include on a parameter that is not a reference is ignored and reported, or a 400 when strict', async (t) => {
  const res = await request(server, 'GET', 'Patient?_id=inc-p1&_include=Patient:family');
  t.is(res.status, 200);
  t.deepEqual(byMode(res.body, 'match'), ['Patient/inc-p1']);
  t.true(res.body.entry.some((e: any) => e.search.mode === 'outcome'));
  t.false(res.body.link.find((l: any) => l.relation === 'self').url.includes('_include'));
  const strict = await request(server, 'GET', 'Patient?_id=inc-p1&_include=Patient:family', { headers: { prefer: 'handling=strict' } });
  t.is(strict.status, 400);
  t.is(strict.body.resourceType, 'OperationOutcome');
});

test('an :iterate include cut short by the server limit says so in an outcome entry', async (t) => {
  // A chain of Patient.link references longer than the five :iterate rounds the server follows.
  for (let i = 0; i < 8; i++) {
    await request(server, 'PUT', `Patient/iter-${i}`, {
      body: { resourceType: 'Patient', id: `iter-${i}`, ...(i < 7 ? { link: [{ other: { reference: `Patient/iter-${i + 1}` }, type: 'seealso' }] } : {}) },
    });
  }
  const limited = (await request(server, 'GET', 'Patient?_id=iter-0&_include:iterate=Patient:link')).body;
  t.deepEqual(limited.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.id).sort(),
    ['iter-1', 'iter-2', 'iter-3', 'iter-4', 'iter-5']);
  const outcome = limited.entry.find((e: any) => e.search.mode === 'outcome');
  t.is(outcome?.resource.issue[0].code, 'too-costly');
  const whole = (await request(server, 'GET', 'Patient?_id=iter-3&_include:iterate=Patient:link')).body;
  t.is(whole.entry.filter((e: any) => e.search.mode === 'include').length, 4);
  t.falsy(whole.entry.find((e: any) => e.search.mode === 'outcome'));
});
