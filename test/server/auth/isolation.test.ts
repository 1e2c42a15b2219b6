import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';

// Patient A (with her child C as a proxy) and patient B. Whatever route A uses, nothing of B's may
// come back: not as a match, an include, a history entry, a total, or behind a paging link.
let server: TestServer;
let tokenA: string;
const bIds = new Set(['Patient/iso-b', 'Observation/iso-b-o1', 'Encounter/iso-b-e1', 'Condition/iso-b-c1']);
const code = { coding: [{ system: 'http://loinc.org', code: '8867-4' }] };

function observation(id: string, subject: string, performer?: string) {
  return { resourceType: 'Observation', id, status: 'final', code, subject: { reference: subject },
    ...(performer ? { performer: [{ reference: performer }] } : {}), valueQuantity: { value: 70, unit: '/min' } };
}

test.before(async () => {
  server = await startTestServer();
  const put = (resource: { resourceType: string; id: string }) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
  const res = await request(server, 'POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [
    put({ resourceType: 'Patient', id: 'iso-a', name: [{ family: 'Alpha', given: ['Ann'] }] } as never),
    put({ resourceType: 'Patient', id: 'iso-b', name: [{ family: 'Beta', given: ['Bob'] }] } as never),
    put({ resourceType: 'Patient', id: 'iso-c', name: [{ family: 'Alpha', given: ['Cid'] }] } as never),
    put({ resourceType: 'Practitioner', id: 'iso-doc', name: [{ family: 'Doc' }] } as never),
    put(observation('iso-a-o1', 'Patient/iso-a', 'Practitioner/iso-doc')),
    // A's own observation names B as its performer: includes and $everything must not follow it to B.
    put(observation('iso-a-o2', 'Patient/iso-a', 'Patient/iso-b')),
    put(observation('iso-b-o1', 'Patient/iso-b', 'Practitioner/iso-doc')),
    put(observation('iso-c-o1', 'Patient/iso-c')),
    put({ resourceType: 'Encounter', id: 'iso-b-e1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/iso-b' } } as never),
    put({ resourceType: 'Condition', id: 'iso-b-c1', subject: { reference: 'Patient/iso-b' }, encounter: { reference: 'Encounter/iso-b-e1' }, code: { text: 'secret' } } as never),
  ] } });
  if (res.status !== 200) throw new Error(`setup failed: ${res.text}`);
  await request(server, 'PUT', 'Observation/iso-b-o1', { body: { ...observation('iso-b-o1', 'Patient/iso-b'), status: 'amended' } });
  const account = await createAccount(server, { login: 'ann@example.org', kind: 'patient', patientId: 'iso-a' });
  await server.app.auth.accounts.addProxy(account, 'iso-c', 'child');
  tokenA = await logIn(server, 'ann@example.org');
  // Staff open B's record: the audit trail then holds events about B that A must not see either.
  await request(server, 'GET', 'Patient/iso-b');
});
test.after.always(async () => { await server?.stop(); });

const asA = (method: string, path: string, body?: unknown) => request(server, method, path, { token: tokenA, body });

/**
 * Every Type/id a response returns (entries' fullUrls, answers' Location). References inside A's own
 * resources may name others — A's observation names B as performer — that is A's record as written.
 */
function mentioned(text: string): string[] {
  return [...text.matchAll(/"(?:fullUrl|location)":\s*"(?:[^"]*\/fhir\/)?([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+)/g)].map((m) => m[1]!);
}

function assertNoB(t: import('ava').ExecutionContext, text: string, what: string) {
  const leaked = mentioned(text).filter((r) => bIds.has(r));
  t.deepEqual(leaked, [], `${what} leaks ${leaked.join(', ')}`);
  // What only B's record holds (ids A asked for may be echoed back in links and 404 messages).
  t.false(/"secret"|"Beta"|"Bob"|"amended"/.test(text), `${what} shows B's data`);
}

const matchIds = (body: any) => (body.entry ?? []).filter((e: any) => e.search?.mode !== 'outcome').map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

test('reads of B\'s resources are 404 for A, as if they did not exist; A\'s own and her child\'s are readable', async (t) => {
  for (const path of ['Patient/iso-b', 'Observation/iso-b-o1', 'Observation/iso-b-o1/_history/1', 'Observation/iso-b-o1/_history',
    'Encounter/iso-b-e1', 'Condition/iso-b-c1', 'Patient/iso-b/$everything', 'Patient/iso-b/Observation', 'Patient/iso-b/*']) {
    const res = await asA('GET', path);
    t.is(res.status, 404, path);
    assertNoB(t, res.text, path);
  }
  t.is((await asA('GET', 'Patient/iso-a')).status, 200);
  t.is((await asA('GET', 'Patient/iso-c')).status, 200, 'the child A is a proxy for');
  t.is((await asA('GET', 'Observation/iso-c-o1/_history/1')).status, 200);
});

test('searches, totals and counts hold only A\'s and her child\'s resources', async (t) => {
  const all = await asA('GET', 'Observation');
  t.deepEqual(matchIds(all.body), ['Observation/iso-a-o1', 'Observation/iso-a-o2', 'Observation/iso-c-o1']);
  t.is(all.body.total, 3);
  t.is((await asA('GET', 'Observation?_summary=count')).body.total, 3);
  t.is((await asA('GET', 'Observation?subject=Patient/iso-b')).body.total, 0);
  t.is((await asA('GET', 'Encounter')).body.total, 0);
  t.is((await asA('GET', 'Condition?code:text=secret')).body.total, 0);
  t.deepEqual(matchIds((await asA('GET', 'Patient')).body), ['Patient/iso-a', 'Patient/iso-c']);
  for (const path of ['Observation', 'Patient', 'Observation?_total=accurate&_count=1', 'Condition', 'Encounter?_total=estimate']) {
    assertNoB(t, (await asA('GET', path)).text, path);
  }
});

test('_include, _revinclude, chains and _has never reach B', async (t) => {
  const included = await asA('GET', 'Observation?_include=Observation:performer&_include=Observation:subject');
  t.deepEqual(matchIds(included.body), ['Observation/iso-a-o1', 'Observation/iso-a-o2', 'Observation/iso-c-o1',
    'Patient/iso-a', 'Patient/iso-c', 'Practitioner/iso-doc'].sort());
  assertNoB(t, included.text, '_include');
  const rev = await asA('GET', 'Practitioner?_id=iso-doc&_revinclude=Observation:performer');
  t.deepEqual(matchIds(rev.body), ['Observation/iso-a-o1', 'Practitioner/iso-doc']);
  const iterate = await asA('GET', 'Patient?_revinclude=Observation:subject&_include:iterate=Observation:performer');
  assertNoB(t, iterate.text, '_include:iterate');
  t.is((await asA('GET', 'Observation?subject.family=Beta')).body.total, 0);
  t.is((await asA('GET', 'Observation?subject:Patient.family=Alpha')).body.total, 3);
  t.deepEqual(matchIds((await asA('GET', 'Patient?_has:Observation:subject:code=8867-4')).body), ['Patient/iso-a', 'Patient/iso-c']);
  t.is((await asA('GET', 'Patient?_has:Condition:subject:code:text=secret')).body.total, 0);
});

test('paging links, system searches and history stay inside A\'s compartments', async (t) => {
  const seen: string[] = [];
  let page = await asA('GET', 'Observation?_count=1');
  t.is(page.body.total, 3);
  for (;;) {
    seen.push(...matchIds(page.body));
    assertNoB(t, page.text, 'a page');
    const next = page.body.link.find((l: any) => l.relation === 'next');
    if (!next) break;
    page = await request(server, 'GET', next.url, { token: tokenA });
    t.is(page.body.total, 3, 'the total carried by the cursor');
  }
  t.deepEqual(seen.sort(), ['Observation/iso-a-o1', 'Observation/iso-a-o2', 'Observation/iso-c-o1']);
  const system = await asA('GET', '?_type=Observation,Encounter,Condition,Patient');
  assertNoB(t, system.text, 'system search');
  t.is(system.body.total, 5);
  assertNoB(t, (await asA('GET', '?_id=iso-b,iso-b-o1,iso-b-e1')).text, 'system search by id');
  for (const path of ['Observation/_history', '_history', 'Patient/_history']) {
    const res = await asA('GET', path);
    t.is(res.status, 200, path);
    assertNoB(t, res.text, path);
  }
  t.true(matchIdsOfHistory((await asA('GET', 'Observation/_history')).body).includes('Observation/iso-a-o1'));
});

function matchIdsOfHistory(body: any): string[] {
  return (body.entry ?? []).map((e: any) => e.fullUrl.replace(/^.*\/fhir\//, ''));
}

test('$everything of A holds A\'s record but not B, whom one of A\'s observations names', async (t) => {
  const res = await asA('GET', 'Patient/iso-a/$everything');
  t.is(res.status, 200);
  t.true(matchIds(res.body).includes('Observation/iso-a-o2'));
  assertNoB(t, res.text, '$everything');
});

test('batch entries answer for A like direct requests; writes are refused', async (t) => {
  const batch = await asA('POST', '', { resourceType: 'Bundle', type: 'batch', entry: [
    { request: { method: 'GET', url: 'Patient/iso-b' } },
    { request: { method: 'GET', url: 'Observation?subject=Patient/iso-b' } },
    { request: { method: 'GET', url: 'Patient/iso-a' } },
  ] });
  t.is(batch.status, 200);
  t.deepEqual(batch.body.entry.map((e: any) => e.response.status), ['404 Not Found', '200 OK', '200 OK']);
  assertNoB(t, batch.text, 'batch');
  t.is((await asA('POST', 'Observation', observation('x', 'Patient/iso-a'))).status, 403);
  t.is((await asA('PUT', 'Patient/iso-a', { resourceType: 'Patient', id: 'iso-a' })).status, 403);
  t.is((await asA('DELETE', 'Observation/iso-a-o1')).status, 403);
  const tx = await asA('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [
    { resource: observation('y', 'Patient/iso-a'), request: { method: 'POST', url: 'Observation' } }] });
  t.is(tx.status, 403);
  const stored = await server.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'Observation'`);
  t.is(stored.rows[0]!.n, 4, 'nothing was written');
});

test('A\'s access log lists who opened her record, and nothing about B', async (t) => {
  await request(server, 'GET', 'Patient/iso-a'); // staff (the system client) opens A's record
  await server.app.audit.flush();
  const log = await asA('GET', 'AuditEvent?_count=100');
  t.is(log.status, 200);
  t.true(log.body.total > 0);
  const about = new Set(log.body.entry.flatMap((e: any) => (e.resource.entity ?? []).map((x: any) => x.what?.reference).filter(Boolean)));
  t.true(about.has('Patient/iso-a'));
  t.false(about.has('Patient/iso-b'));
});
