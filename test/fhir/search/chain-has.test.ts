// Chaining and reverse chaining (http://hl7.org/fhir/R4/search.html#chaining, #has) against a real
// database: PGlite by default, PostgreSQL when DATABASE_URL is set.
import test from 'ava';
import type { Resource } from '../../../fhir/types.ts';
import { loadOfficialSearchParameters } from '../../../fhir/definitions/search-parameters.ts';
import { createIndexRowExtractor } from '../../../fhir/search/index-values.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import { compileCount, compileSearch } from '../../../fhir/search/sql.ts';
import { insertIndexed, openIndexDatabase, type IndexDatabase } from '../../helpers/index-fixture.ts';

const registry = loadOfficialSearchParameters();
const extract = createIndexRowExtractor(registry);

const fixtures: Array<{ resource: Resource; deleted?: boolean }> = [
  { resource: { resourceType: 'Patient', id: 'peter', name: [{ family: 'Chalmers', given: ['Peter'] }], gender: 'male' } },
  { resource: { resourceType: 'Patient', id: 'anna', name: [{ family: 'Lee', given: ['Anna'] }], gender: 'female' } },
  { resource: { resourceType: 'Patient', id: 'gone', name: [{ family: 'Chalmers' }] }, deleted: true },
  { resource: { resourceType: 'Location', id: 'ward', name: 'Peter Ward' } },
  { resource: { resourceType: 'Encounter', id: 'e-peter', status: 'finished', subject: { reference: 'Patient/peter' } } },
  { resource: { resourceType: 'Encounter', id: 'e-anna', status: 'finished', subject: { reference: 'Patient/anna' } } },
  { resource: { resourceType: 'Encounter', id: 'e-gone', status: 'finished', subject: { reference: 'Patient/gone' } } },
  ...[['o-peter', 'Patient/peter', 'e-peter'], ['o-anna', 'Patient/anna', 'e-anna'], ['o-gone', 'Patient/gone', 'e-gone'],
    ['o-ward', 'Location/ward', undefined]].map(([id, subject, encounter]) => ({
    resource: {
      resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: subject }, ...(encounter ? { encounter: { reference: `Encounter/${encounter}` } } : {}),
    } as Resource,
  })),
  {
    resource: {
      resourceType: 'AuditEvent', id: 'a1', recorded: '2024-01-01T00:00:00Z', type: { code: 'rest' },
      agent: [{ who: { reference: 'Practitioner/dr' }, requestor: true }], source: { observer: { reference: 'Device/d' } },
      entity: [{ what: { reference: 'Observation/o-peter' } }],
    } as Resource,
  },
];

let db: IndexDatabase;

test.before(async () => {
  db = await openIndexDatabase();
  for (const f of fixtures) await insertIndexed(db, f.resource, extract(f.resource), { deleted: f.deleted });
});

test.after.always(async () => {
  await db?.close();
});

async function ids(resourceType: string, query: string): Promise<string[]> {
  const req = parseSearch(resourceType, new URLSearchParams(query), registry);
  const sql = compileSearch(req, { columns: 'r.id' });
  const rows = (await db.query<{ id: string }>(sql.text, sql.values)).rows.map((r) => r.id);
  const count = compileCount(req);
  const total = (await db.query<{ total: number }>(count.text, count.values)).rows[0]!.total;
  if (Number(total) !== rows.length) throw new Error(`count ${total} disagrees with ${rows.length} rows`);
  return rows.sort();
}

test('chained search with a type modifier finds observations of patients with that name', async (t) => {
  t.deepEqual(await ids('Observation', 'subject:Patient.name=peter'), ['o-peter']);
  t.deepEqual(await ids('Observation', 'subject:Patient.gender=female'), ['o-anna']);
});

test('an untyped chain is resolved over every target type that has the parameter', async (t) => {
  t.deepEqual(await ids('Observation', 'subject.name=peter'), ['o-peter', 'o-ward']);
  t.deepEqual(await ids('Observation', 'subject._id=peter'), ['o-peter']);
});

test('chained search through two references finds observations of patients with that family name', async (t) => {
  t.deepEqual(await ids('Observation', 'encounter:Encounter.subject:Patient.family=chalmers'), ['o-peter']);
  t.deepEqual(await ids('Observation', 'encounter.patient.family=lee'), ['o-anna']);
});

test('a chain never reaches a deleted resource', async (t) => {
  t.deepEqual(await ids('Observation', 'subject:Patient._id=gone'), []);
  t.deepEqual(await ids('Observation', 'subject:Patient.gender:missing=true'), []);
});

test('chained values are ORed and repeated chains ANDed', async (t) => {
  t.deepEqual(await ids('Observation', 'subject:Patient.name=peter,anna'), ['o-anna', 'o-peter']);
  t.deepEqual(await ids('Observation', 'subject:Patient.name=peter&subject:Patient.gender=female'), []);
});

test('_has finds patients referred to by a matching observation', async (t) => {
  t.deepEqual(await ids('Patient', '_has:Observation:patient:code=http://loinc.org|8867-4'), ['anna', 'peter']);
  t.deepEqual(await ids('Patient', '_has:Observation:subject:_id=o-anna'), ['anna']);
  t.deepEqual(await ids('Location', '_has:Observation:subject:_id=o-ward'), ['ward']);
});

test('nested _has follows references backwards twice', async (t) => {
  t.deepEqual(await ids('Patient', '_has:Observation:patient:_has:AuditEvent:entity:agent=Practitioner/dr'), ['peter']);
  t.deepEqual(await ids('Patient', '_has:Observation:patient:_has:AuditEvent:entity:agent=Practitioner/other'), []);
});

test('_has and chains combine', async (t) => {
  t.deepEqual(await ids('Encounter', '_has:Observation:encounter:subject:Patient.name=anna'), ['e-anna']);
});
