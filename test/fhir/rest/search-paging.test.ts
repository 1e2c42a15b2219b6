import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

async function patients(prefix: string, rows: [string, string, string][]) {
  for (const [id, given, birthDate] of rows) {
    await request(server, 'PUT', `Patient/${prefix}-${id}`, {
      body: { resourceType: 'Patient', id: `${prefix}-${id}`, name: [{ family: prefix, given: [given] }], birthDate },
    });
  }
}
const link = (bundle: any, relation: string) => bundle.link.find((l: any) => l.relation === relation)?.url as string | undefined;
const matchIds = (bundle: any) => bundle.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id);
const get = async (url: string) => (await server.fetch(url, { headers: { accept: 'application/fhir+json' } })).json() as Promise<any>;

/** Follows next links from `first`, calling `between` after each page. */
async function walk(first: any, between: (page: number) => Promise<void> = async () => {}) {
  const ids: string[] = [...matchIds(first)];
  let bundle = first;
  for (let page = 1; link(bundle, 'next'); page++) {
    await between(page);
    bundle = await get(link(bundle, 'next')!);
    ids.push(...matchIds(bundle));
  }
  return ids;
}

test('next links keep paging stable when a resource is inserted between pages', async (t) => {
  await patients('pgins', [['a', 'A', '1950-01-01'], ['b', 'B', '1960-01-01'], ['c', 'C', '1970-01-01'], ['d', 'D', '1980-01-01'], ['e', 'E', '1990-01-01']]);
  const first = (await request(server, 'GET', 'Patient?family=pgins&_sort=birthdate&_count=2')).body;
  const ids = await walk(first, async (page) => {
    // Sorts before everything already shown: an offset would now repeat the last row of the page.
    if (page === 1) await patients('pgins', [['early', 'Z', '1900-01-01']]);
  });
  t.deepEqual(ids, ['pgins-a', 'pgins-b', 'pgins-c', 'pgins-d', 'pgins-e']);
  t.false(link(first, 'next')!.includes('_offset'));
  t.true(link(first, 'next')!.includes('_cursor='));
});

test('next links keep paging stable when a shown resource is deleted between pages', async (t) => {
  await patients('pgdel', [['a', 'A', '1950-01-01'], ['b', 'B', '1960-01-01'], ['c', 'C', '1970-01-01'], ['d', 'D', '1980-01-01']]);
  const first = (await request(server, 'GET', 'Patient?family=pgdel&_sort=birthdate&_count=2')).body;
  const ids = await walk(first, async (page) => { if (page === 1) await request(server, 'DELETE', 'Patient/pgdel-a'); });
  t.deepEqual(ids, ['pgdel-a', 'pgdel-b', 'pgdel-c', 'pgdel-d']);
});

test('several sort keys with descending ones page in the same order as one big page', async (t) => {
  await patients('pgsort', [['a', 'Anna', '1970-01-01'], ['b', 'Bo', '1980-01-01'], ['c', 'Cai', '1970-01-01'], ['d', 'Di', '1980-01-01'], ['e', 'Eve', '1970-01-01'], ['f', 'Fu', '1990-01-01']]);
  const all = (await request(server, 'GET', 'Patient?family=pgsort&_sort=-birthdate,-given&_count=50')).body;
  t.deepEqual(matchIds(all), ['pgsort-f', 'pgsort-d', 'pgsort-b', 'pgsort-e', 'pgsort-c', 'pgsort-a']);
  const paged = await walk((await request(server, 'GET', 'Patient?family=pgsort&_sort=-birthdate,-given&_count=2')).body);
  t.deepEqual(paged, matchIds(all));
  const byUpdate = await walk((await request(server, 'GET', 'Patient?family=pgsort&_sort=-_lastUpdated&_count=4')).body);
  t.deepEqual(byUpdate, ['pgsort-f', 'pgsort-e', 'pgsort-d', 'pgsort-c', 'pgsort-b', 'pgsort-a']);
});

test('resources without a value for the sort key come last and still page', async (t) => {
  await patients('pgnull', [['a', 'A', '1970-01-01'], ['b', 'B', '1980-01-01']]);
  for (const id of ['pgnull-x', 'pgnull-y', 'pgnull-z']) {
    await request(server, 'PUT', `Patient/${id}`, { body: { resourceType: 'Patient', id, name: [{ family: 'pgnull' }] } });
  }
  const ids = await walk((await request(server, 'GET', 'Patient?family=pgnull&_sort=birthdate&_count=2')).body);
  t.deepEqual(ids, ['pgnull-a', 'pgnull-b', 'pgnull-x', 'pgnull-y', 'pgnull-z']);
});

test('previous and first links lead back to the earlier pages', async (t) => {
  await patients('pgprev', [['a', 'A', '1950-01-01'], ['b', 'B', '1960-01-01'], ['c', 'C', '1970-01-01'], ['d', 'D', '1980-01-01'], ['e', 'E', '1990-01-01']]);
  const first = (await request(server, 'GET', 'Patient?family=pgprev&_sort=birthdate&_count=2')).body;
  t.is(link(first, 'previous'), undefined);
  const second = await get(link(first, 'next')!);
  const third = await get(link(second, 'next')!);
  t.deepEqual(matchIds(third), ['pgprev-e']);
  t.is(link(third, 'next'), undefined);
  const back = await get(link(third, 'previous')!);
  t.deepEqual(matchIds(back), ['pgprev-c', 'pgprev-d']);
  const backAgain = await get(link(back, 'previous')!);
  t.deepEqual(matchIds(backAgain), ['pgprev-a', 'pgprev-b']);
  t.is(link(backAgain, 'previous'), undefined);
  t.deepEqual(matchIds(await get(link(back, 'next')!)), ['pgprev-e']);
  t.deepEqual(matchIds(await get(link(third, 'first')!)), ['pgprev-a', 'pgprev-b']);
});

test('_offset is still accepted and its next link continues with a cursor', async (t) => {
  await patients('pgoff', [['a', 'A', '1950-01-01'], ['b', 'B', '1960-01-01'], ['c', 'C', '1970-01-01']]);
  const res = (await request(server, 'GET', 'Patient?family=pgoff&_sort=birthdate&_count=1&_offset=1')).body;
  t.deepEqual(matchIds(res), ['pgoff-b']);
  t.is(res.total, 3);
  const next = link(res, 'next')!;
  t.false(next.includes('_offset'));
  t.deepEqual(matchIds(await get(next)), ['pgoff-c']);
});

test('a cursor that is not ours is reported under lenient handling and a 400 when strict', async (t) => {
  await patients('pgbad', [['a', 'A', '1950-01-01'], ['b', 'B', '1960-01-01']]);
  const lenient = await request(server, 'GET', 'Patient?family=pgbad&_cursor=garbage');
  t.is(lenient.status, 200);
  t.deepEqual(matchIds(lenient.body), ['pgbad-a', 'pgbad-b']);
  t.true(lenient.body.entry.some((e: any) => e.search.mode === 'outcome'));
  const strict = await request(server, 'GET', 'Patient?family=pgbad&_cursor=garbage', { headers: { prefer: 'handling=strict' } });
  t.is(strict.status, 400);
  // A cursor made for another sort order is not applied to this one.
  const first = (await request(server, 'GET', 'Patient?family=pgbad&_sort=birthdate&_count=1')).body;
  const cursor = new URL(link(first, 'next')!).searchParams.get('_cursor')!;
  const otherSort = await request(server, 'GET', `Patient?family=pgbad&_sort=-birthdate&_cursor=${cursor}`, { headers: { prefer: 'handling=strict' } });
  t.is(otherSort.status, 400);
});

test('_total=none leaves the total out, accurate counts all matches, estimate gives a number', async (t) => {
  await patients('pgtot', [['a', 'A', '1950-01-01'], ['b', 'B', '1960-01-01'], ['c', 'C', '1970-01-01']]);
  const none = (await request(server, 'GET', 'Patient?family=pgtot&_count=1&_total=none')).body;
  t.is(none.total, undefined);
  const accurate = (await request(server, 'GET', 'Patient?family=pgtot&_count=1&_total=accurate')).body;
  t.is(accurate.total, 3);
  const estimate = (await request(server, 'GET', 'Patient?family=pgtot&_count=1&_total=estimate')).body;
  t.true(Number.isInteger(estimate.total) && estimate.total >= 0);
  const fits = (await request(server, 'GET', 'Patient?family=pgtot&_total=estimate')).body;
  t.is(fits.total, 3, 'when everything fits on the first page the exact count is free');
});

test('malformed and unknown parameters are left out of the self link and reported', async (t) => {
  await patients('pgself', [['a', 'A', '1950-01-01']]);
  const res = await request(server, 'GET', 'Patient?family=pgself&birthdate=not-a-date&shoe-size=42&_sort=birthdate,bogus');
  t.is(res.status, 200);
  t.deepEqual(matchIds(res.body), ['pgself-a']);
  const self = new URL(link(res.body, 'self')!);
  t.deepEqual([...self.searchParams.keys()], ['family', '_sort']);
  t.is(self.searchParams.get('_sort'), 'birthdate');
  const outcome = res.body.entry.find((e: any) => e.search.mode === 'outcome').resource;
  t.is(outcome.issue.length, 3);
  t.is((await request(server, 'GET', 'Patient?family=pgself&birthdate=not-a-date', { headers: { prefer: 'handling=strict' } })).status, 400);
});
