import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
const tag = (code: string) => ({ tag: [{ system: 'http://example.org/tags', code }] });
test.before(async () => {
  server = await startTestServer();
  const put = (r: any) => request(server, 'PUT', `${r.resourceType}/${r.id}`, { body: r });
  for (const id of ['sys-p1', 'sys-p2']) await put({ resourceType: 'Patient', id, meta: tag('sys') });
  await put({ resourceType: 'Observation', id: 'sys-o1', meta: tag('sys'), status: 'final', code: { text: 'x' } });
  await put({ resourceType: 'Organization', id: 'sys-org', meta: tag('sys'), name: 'Org' });
  await put({ resourceType: 'Patient', id: 'sys-other', meta: tag('other') });
});
test.after.always(async () => { await server?.stop(); });

const refs = (bundle: any) => bundle.entry.filter((e: any) => e.search.mode === 'match')
  .map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

test('a system search with _type returns the matches of each named type', async (t) => {
  const res = await request(server, 'GET', '?_type=Patient,Observation&_tag=http://example.org/tags|sys');
  t.is(res.status, 200);
  t.is(res.body.type, 'searchset');
  t.deepEqual(refs(res.body), ['Observation/sys-o1', 'Patient/sys-p1', 'Patient/sys-p2']);
  t.is(res.body.total, 3);
});

test('a system search without _type searches every type', async (t) => {
  const res = await server.fetch(`${server.base}?_tag=${encodeURIComponent('http://example.org/tags|sys')}`, { headers: { accept: 'application/fhir+json' } });
  t.is(res.status, 200);
  t.deepEqual(refs(await res.json()), ['Observation/sys-o1', 'Organization/sys-org', 'Patient/sys-p1', 'Patient/sys-p2']);
});

test('a system search pages across types with next links', async (t) => {
  const first = await request(server, 'GET', '?_tag=http://example.org/tags|sys&_count=3');
  const next = first.body.link.find((l: any) => l.relation === 'next').url;
  const second = await (await server.fetch(next)).json();
  t.deepEqual([...refs(first.body), ...refs(second)].sort(), ['Observation/sys-o1', 'Organization/sys-org', 'Patient/sys-p1', 'Patient/sys-p2']);
  t.true(next.startsWith(`${server.base}?`));
});

test('a parameter that is not common to all types is ignored and reported, or a 400 when strict', async (t) => {
  const res = await request(server, 'GET', '?_type=Patient&family=x&_tag=http://example.org/tags|sys');
  t.is(res.status, 200);
  t.deepEqual(refs(res.body), ['Patient/sys-p1', 'Patient/sys-p2']);
  const outcome = res.body.entry.find((e: any) => e.search.mode === 'outcome').resource;
  t.deepEqual(outcome.issue[0].expression, ['family']);
  t.false(res.body.link[0].url.includes('family'));
  const strict = await request(server, 'GET', '?_type=Patient&family=x', { headers: { prefer: 'handling=strict' } });
  t.is(strict.status, 400);
  const unknownType = await request(server, 'GET', '?_type=Nonsense', { headers: { prefer: 'handling=strict' } });
  t.is(unknownType.status, 400);
});

test('POST _search at the base searches like GET', async (t) => {
  const res = await request(server, 'POST', '_search', {
    raw: '_type=Observation&_tag=http://example.org/tags|sys', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.is(res.status, 200);
  t.deepEqual(refs(res.body), ['Observation/sys-o1']);
});
