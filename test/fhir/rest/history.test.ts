import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const org = (name: string, id?: string) => ({ resourceType: 'Organization', ...(id ? { id } : {}), name });

test('instance history lists versions newest first with request and response details', async (t) => {
  await request(server, 'PUT', 'Organization/h1', { body: org('A', 'h1') });
  await request(server, 'PUT', 'Organization/h1', { body: org('B', 'h1') });
  await request(server, 'PUT', 'Organization/h1', { body: org('C', 'h1') });
  const res = await request(server, 'GET', 'Organization/h1/_history');
  t.is(res.status, 200);
  t.is(res.body.type, 'history');
  t.deepEqual(res.body.entry.map((e: any) => e.resource.name), ['C', 'B', 'A']);
  t.deepEqual(res.body.entry.map((e: any) => e.response.etag), ['W/"3"', 'W/"2"', 'W/"1"']);
  t.is(res.body.entry[2].response.status, '201 Created');
});

test('history pages with _count and next links that stay stable while new versions arrive', async (t) => {
  for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await request(server, 'PUT', 'Organization/paged', { body: org(name, 'paged') });
  const first = await request(server, 'GET', 'Organization/paged/_history?_count=2');
  t.deepEqual(first.body.entry.map((e: any) => e.resource.name), ['p5', 'p4']);
  // A write between pages must not shift the next page.
  await request(server, 'PUT', 'Organization/paged', { body: org('p6', 'paged') });
  const next = first.body.link.find((l: any) => l.relation === 'next').url as string;
  const second = await (await server.fetch(next)).json();
  t.deepEqual(second.entry.map((e: any) => e.resource.name), ['p3', 'p2']);
  const third = await (await server.fetch(second.link.find((l: any) => l.relation === 'next').url)).json();
  t.deepEqual(third.entry.map((e: any) => e.resource.name), ['p1']);
  t.falsy(third.link.find((l: any) => l.relation === 'next'));
});

test('type history holds only that type; system history holds all types', async (t) => {
  await request(server, 'POST', 'Organization', { body: org('TypeHist') });
  await request(server, 'POST', 'Practitioner', { body: { resourceType: 'Practitioner', name: [{ family: 'Li' }] } });
  const typeHistory = await request(server, 'GET', 'Practitioner/_history');
  t.true(typeHistory.body.entry.length >= 1);
  t.true(typeHistory.body.entry.every((e: any) => e.resource.resourceType === 'Practitioner'));
  const system = await request(server, 'GET', '_history?_count=500');
  const types = new Set(system.body.entry.map((e: any) => e.resource?.resourceType));
  t.true(types.has('Organization') && types.has('Practitioner'));
});

test('_since keeps only versions at or after the instant', async (t) => {
  await request(server, 'PUT', 'Organization/since', { body: org('old', 'since') });
  await new Promise((r) => setTimeout(r, 20));
  const cut = new Date().toISOString();
  await request(server, 'PUT', 'Organization/since', { body: org('new', 'since') });
  const res = await request(server, 'GET', `Organization/since/_history?_since=${encodeURIComponent(cut)}`);
  t.deepEqual(res.body.entry.map((e: any) => e.resource.name), ['new']);
});

test('a malformed _since or _count is a 400 OperationOutcome', async (t) => {
  t.is((await request(server, 'GET', '_history?_since=yesterday')).status, 400);
  t.is((await request(server, 'GET', '_history?_count=-1')).status, 400);
});

test('history of an unknown resource is 404', async (t) => {
  t.is((await request(server, 'GET', 'Organization/nope/_history')).status, 404);
});
