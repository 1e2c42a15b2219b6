// Composite parameters (http://hl7.org/fhir/R4/search.html#composite) and token `:in` / `:not-in`
// (http://hl7.org/fhir/R4/search.html#token) against a real database.
import test from 'ava';
import type { Resource } from '../../../fhir/types.ts';
import { loadOfficialSearchParameters } from '../../../fhir/definitions/search-parameters.ts';
import { createIndexRowExtractor } from '../../../fhir/search/index-values.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import { compileSearch } from '../../../fhir/search/sql.ts';
import { insertIndexed, openIndexDatabase, type IndexDatabase } from '../../helpers/index-fixture.ts';

const registry = loadOfficialSearchParameters();
const extract = createIndexRowExtractor(registry);
const loinc = 'http://loinc.org';
const ucum = 'http://unitsofmeasure.org';

const bp = (id: string, systolic: number, diastolic: number): Resource => ({
  resourceType: 'Observation', id, status: 'final',
  code: { coding: [{ system: loinc, code: '85354-9' }] },
  component: [
    { code: { coding: [{ system: loinc, code: '8480-6' }] }, valueQuantity: { value: systolic, system: ucum, code: 'mm[Hg]' } },
    { code: { coding: [{ system: loinc, code: '8462-4' }] }, valueQuantity: { value: diastolic, system: ucum, code: 'mm[Hg]' } },
  ],
} as Resource);

const fixtures: Resource[] = [
  bp('bp-high', 150, 95),
  bp('bp-normal', 118, 76),
  {
    resourceType: 'Observation', id: 'weight', status: 'final', code: { coding: [{ system: loinc, code: '29463-7' }] },
    valueQuantity: { value: 185, system: ucum, code: '[lb_av]' }, effectiveDateTime: '2024-02-01',
  } as Resource,
  {
    resourceType: 'Observation', id: 'smoker', status: 'preliminary', code: { coding: [{ system: loinc, code: '72166-2' }] },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '77176002' }] },
  } as Resource,
  {
    resourceType: 'Observation', id: 'note', status: 'amended', code: { coding: [{ system: loinc, code: '8302-2' }] },
    valueString: 'Tall for age',
  } as Resource,
  {
    resourceType: 'Observation', id: 'onset', status: 'final', code: { coding: [{ system: loinc, code: '11368-8' }] },
    valueDateTime: '2023-05-04',
  } as Resource,
  { resourceType: 'Patient', id: 'm', gender: 'male' },
  { resourceType: 'Patient', id: 'x', gender: 'other' },
  { resourceType: 'Patient', id: 'none' },
];

let db: IndexDatabase;

test.before(async () => {
  db = await openIndexDatabase();
  for (const r of fixtures) await insertIndexed(db, r, extract(r));
});

test.after.always(async () => {
  await db?.close();
});

async function ids(resourceType: string, query: URLSearchParams | string): Promise<string[]> {
  const req = parseSearch(resourceType, typeof query === 'string' ? new URLSearchParams(query) : query, registry);
  const sql = compileSearch(req, { columns: 'r.id' });
  return (await db.query<{ id: string }>(sql.text, sql.values)).rows.map((r) => r.id).sort();
}

const q = (name: string, value: string): URLSearchParams => new URLSearchParams([[name, value]]);

test('composite code and quantity must come from the same component', async (t) => {
  t.deepEqual(await ids('Observation', q('component-code-value-quantity', `${loinc}|8480-6$gt140`)), ['bp-high']);
  // 95 is a diastolic value: the systolic component of bp-high does not have it.
  t.deepEqual(await ids('Observation', q('component-code-value-quantity', `${loinc}|8480-6$95`)), []);
  t.deepEqual(await ids('Observation', q('component-code-value-quantity', `8462-4$lt80|${ucum}|mm[Hg]`)), ['bp-normal']);
});

test('composite values are ORed by comma and the second component takes prefixes', async (t) => {
  t.deepEqual(await ids('Observation', q('code-value-quantity', `${loinc}|29463-7$ge185|${ucum}|[lb_av]`)), ['weight']);
  t.deepEqual(await ids('Observation', q('code-value-quantity', `${loinc}|29463-7$gt185`)), []);
  t.deepEqual(await ids('Observation', q('combo-code-value-quantity', `8480-6$150,29463-7$185`)), ['bp-high', 'weight']);
});

test('composite concept, string and date second components', async (t) => {
  t.deepEqual(await ids('Observation', q('code-value-concept', `72166-2$http://snomed.info/sct|77176002`)), ['smoker']);
  t.deepEqual(await ids('Observation', q('code-value-string', `8302-2$tall`)), ['note']);
  t.deepEqual(await ids('Observation', q('code-value-date', `11368-8$2023-05`)), ['onset']);
  t.deepEqual(await ids('Observation', q('code-value-date', `11368-8$gt2024`)), []);
});

test('composite and value-set values are bind parameters, never SQL text', (t) => {
  const composite = compileSearch(parseSearch('Observation', q('code-value-quantity', `${loinc}|8480-6$gt140`), registry));
  t.false(composite.text.includes('8480') || composite.text.includes('140'));
  const inValueSet = compileSearch(parseSearch('Patient', q('gender:in', 'http://hl7.org/fhir/ValueSet/administrative-gender'), registry));
  t.false(inValueSet.text.includes('female'));
  t.true(inValueSet.values.some((v) => Array.isArray(v) && v.includes('female')));
});

test('composite :missing and malformed composite values', async (t) => {
  t.deepEqual(await ids('Observation', 'code-value-quantity:missing=false'), ['weight']);
  t.throws(() => parseSearch('Observation', q('code-value-quantity', `${loinc}|29463-7`), registry), { message: /\$/ });
});

test('token :in and :not-in expand a local value set', async (t) => {
  const statuses = 'http://hl7.org/fhir/ValueSet/observation-status';
  t.is((await ids('Observation', q('status:in', statuses))).length, 6);
  t.deepEqual(await ids('Patient', q('gender:in', 'http://hl7.org/fhir/ValueSet/administrative-gender')), ['m', 'x']);
  t.deepEqual(await ids('Patient', q('gender:not-in', 'http://hl7.org/fhir/ValueSet/administrative-gender')), ['none']);
  t.throws(() => parseSearch('Patient', q('gender:in', 'http://example.org/ValueSet/unknown'), registry), { message: /cannot be expanded/ });
});
