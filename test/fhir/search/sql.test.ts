import test from 'ava';
import type { Resource } from '../../../fhir/types.ts';
import { loadOfficialSearchParameters } from '../../../fhir/definitions/search-parameters.ts';
import { createIndexRowExtractor } from '../../../fhir/search/index-values.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import { compileCount, compileSearch } from '../../../fhir/search/sql.ts';
import { insertIndexed, openIndexDatabase, type IndexDatabase } from '../../helpers/index-fixture.ts';

const registry = loadOfficialSearchParameters();
const extract = createIndexRowExtractor(registry);
const now = new Date('2024-06-15T00:00:00Z');
const mrType = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };

const fixtures: Array<{ resource: Resource; lastUpdated?: string; deleted?: boolean }> = [
  {
    resource: {
      resourceType: 'Patient', id: 'p1', active: true, gender: 'male', birthDate: '1980-05-15',
      meta: { tag: [{ system: 'http://his.example/tags', code: 'vip' }], profile: ['http://his.example/StructureDefinition/patient'] },
      name: [{ family: 'Müller', given: ['José'] }],
      identifier: [{ system: 'http://hospital/mrn', value: 'MRN001', type: mrType }],
      telecom: [{ system: 'phone', value: '555-0001' }],
    },
    lastUpdated: '2024-01-10T08:00:00Z',
  },
  {
    resource: {
      resourceType: 'Patient', id: 'p2', active: false, gender: 'female', birthDate: '1980-05-16',
      name: [{ family: 'Mueller', given: ['Anna'] }], identifier: [{ system: 'http://other/ids', value: 'MRN001' }],
    },
    lastUpdated: '2024-03-01T08:00:00Z',
  },
  { resource: { resourceType: 'Patient', id: 'p3', birthDate: '1975', name: [{ family: 'Smith', given: ['John'], text: 'John Smith' }] }, lastUpdated: '2024-06-01T00:00:00Z' },
  { resource: { resourceType: 'Patient', id: 'p4', birthDate: '1990-01-01', name: [{ family: '张', given: ['伟'] }] }, lastUpdated: '2024-06-02T00:00:00Z' },
  { resource: { resourceType: 'Patient', id: 'p5', gender: 'male', name: [{ family: 'Müller' }] }, deleted: true },
  {
    resource: {
      resourceType: 'Observation', id: 'o1', status: 'final', subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body Weight' }] },
      effectiveDateTime: '2016-03-28T10:00:00+08:00',
      valueQuantity: { value: 185, unit: 'lbs', system: 'http://unitsofmeasure.org', code: '[lb_av]' },
    },
  },
  {
    resource: {
      resourceType: 'Observation', id: 'o2', status: 'final', subject: { reference: 'Patient/p2' },
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      effectivePeriod: { start: '2021-01-01T00:00:00Z', end: '2021-01-02T00:00:00Z' },
      valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    },
  },
  {
    resource: {
      resourceType: 'Observation', id: 'o3', status: 'final', subject: { reference: 'Group/g1' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '29463-7' }] },
      valueQuantity: { value: 100.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
    },
  },
  {
    resource: {
      resourceType: 'Observation', id: 'o4', status: 'preliminary', subject: { reference: 'http://other.org/fhir/Patient/p1' },
      code: { coding: [{ code: '29463-7' }] }, performer: [{ identifier: { system: 'http://npi', value: '999' } }],
    },
  },
  { resource: { resourceType: 'RiskAssessment', id: 'r1', status: 'final', subject: { reference: 'Patient/p1' }, prediction: [{ probabilityDecimal: 0.02 }] } },
  { resource: { resourceType: 'RiskAssessment', id: 'r2', status: 'final', subject: { reference: 'Patient/p1' }, prediction: [{ probabilityDecimal: 0.5 }] } },
  { resource: { resourceType: 'ValueSet', id: 'v1', status: 'active', url: 'http://his.example/ValueSet/wards' } },
  { resource: { resourceType: 'ValueSet', id: 'v2', status: 'active', url: 'http://his.example/ValueSet/wards/icu' } },
  { resource: { resourceType: 'ValueSet', id: 'v3', status: 'active', url: 'http://other.example/ValueSet/x' } },
];

let db: IndexDatabase;

test.before(async () => {
  db = await openIndexDatabase();
  for (const f of fixtures) {
    await insertIndexed(db, f.resource, extract(f.resource), { lastUpdated: f.lastUpdated, deleted: f.deleted });
  }
});

test.after.always(async () => {
  await db.close();
});

async function ids(resourceType: string, query: string, sorted = true): Promise<string[]> {
  const req = parseSearch(resourceType, new URLSearchParams(query), registry);
  const { text, values } = compileSearch(req, { now });
  const rows = (await db.query<{ id: string }>(text, values)).rows.map((r) => r.id);
  return sorted ? rows.sort() : rows;
}

test('family search is case- and accent-insensitive starts-with', async (t) => {
  t.deepEqual(await ids('Patient', 'family=mul'), ['p1']);
  t.deepEqual(await ids('Patient', 'family=MÜL'), ['p1']);
  t.deepEqual(await ids('Patient', 'family=mu'), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', 'name=jos'), ['p1']);
});

test('deleted resources never match', async (t) => {
  t.false((await ids('Patient', 'gender=male')).includes('p5'));
});

test('string :exact is case-sensitive whole-value, :contains is a substring', async (t) => {
  t.deepEqual(await ids('Patient', 'family:exact=Müller'), ['p1']);
  t.deepEqual(await ids('Patient', 'family:exact=müller'), []);
  t.deepEqual(await ids('Patient', 'family:exact=Mül'), []);
  t.deepEqual(await ids('Patient', 'name:contains=LLE'), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', 'name:contains=ohn smi'), ['p3']);
});

test('CJK names are found as written', async (t) => {
  t.deepEqual(await ids('Patient', 'family=张'), ['p4']);
  t.deepEqual(await ids('Patient', 'given=伟'), ['p4']);
});

test('LIKE wildcards and quotes in values are literal, never SQL', async (t) => {
  t.deepEqual(await ids('Patient', 'family=%25'), []);
  t.deepEqual(await ids('Patient', 'family=_'), []);
  t.deepEqual(await ids('Patient', "family=x'; DROP TABLE fhir_resource; --"), []);
  t.deepEqual(await ids('Patient', 'family=smith'), ['p3']);
});

test('token search with system|code ignores codes from other systems', async (t) => {
  t.deepEqual(await ids('Observation', 'code=http://loinc.org|29463-7'), ['o1']);
  t.deepEqual(await ids('Observation', 'code=29463-7'), ['o1', 'o3', 'o4']);
  t.deepEqual(await ids('Observation', 'code=|29463-7'), ['o4']);
  t.deepEqual(await ids('Observation', 'code=http://snomed.info/sct|'), ['o3']);
});

test('token :not keeps resources without the element; :text searches display text', async (t) => {
  t.deepEqual(await ids('Patient', 'gender=male'), ['p1']);
  t.deepEqual(await ids('Patient', 'gender:not=male'), ['p2', 'p3', 'p4']);
  t.deepEqual(await ids('Observation', 'code:text=body'), ['o1']);
  t.deepEqual(await ids('Patient', 'active=true'), ['p1']);
  t.deepEqual(await ids('Patient', 'active=garbage'), []);
});

test('identifier by value, by system|value and by :of-type', async (t) => {
  t.deepEqual(await ids('Patient', 'identifier=MRN001'), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', 'identifier=http://hospital/mrn|MRN001'), ['p1']);
  t.deepEqual(await ids('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|MRN001'), ['p1']);
  t.deepEqual(await ids('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|other'), []);
  t.deepEqual(await ids('Patient', 'telecom=phone|555-0001'), ['p1']);
});

test('commas OR values, repeated parameters AND them', async (t) => {
  t.deepEqual(await ids('Patient', 'family=smith,张'), ['p3', 'p4']);
  t.deepEqual(await ids('Patient', 'family=m&gender=female'), ['p2']);
  t.deepEqual(await ids('Patient', '_id=p1&_id=p2'), []);
  t.deepEqual(await ids('Patient', 'family=m&family=mue'), ['p2']);
});

test(':missing true and false', async (t) => {
  t.deepEqual(await ids('Patient', 'gender:missing=true'), ['p3', 'p4']);
  t.deepEqual(await ids('Patient', 'gender:missing=false'), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', '_profile:missing=false'), ['p1']);
});

test('reference by id, Type/id, :Type, absolute URL and :identifier', async (t) => {
  t.deepEqual(await ids('Observation', 'subject=Patient/p1'), ['o1', 'o4']);
  t.deepEqual(await ids('Observation', 'subject=p1'), ['o1', 'o4']);
  t.deepEqual(await ids('Observation', 'subject:Patient=p1'), ['o1', 'o4']);
  t.deepEqual(await ids('Observation', 'subject=http://other.org/fhir/Patient/p1'), ['o4']);
  t.deepEqual(await ids('Observation', 'subject=Group/g1'), ['o3']);
  t.deepEqual(await ids('Observation', 'patient=p2'), ['o2']);
  t.deepEqual(await ids('Observation', 'subject:Device=Patient/p1'), []);
  t.deepEqual(await ids('Observation', 'performer:identifier=http://npi|999'), ['o4']);
});

test('date search with ge prefix includes the boundary day', async (t) => {
  t.deepEqual(await ids('Patient', 'birthdate=ge1980-05-15'), ['p1', 'p2', 'p4']);
  t.deepEqual(await ids('Patient', 'birthdate=gt1980-05-15'), ['p2', 'p4']);
});

test('date prefixes eq ne lt le sa eb ap over precision intervals', async (t) => {
  t.deepEqual(await ids('Patient', 'birthdate=1980-05-15'), ['p1']);
  t.deepEqual(await ids('Patient', 'birthdate=1980'), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', 'birthdate=1975-06'), [], 'a year is not contained in one month');
  t.deepEqual(await ids('Patient', 'birthdate=ne1980'), ['p3', 'p4']);
  t.deepEqual(await ids('Patient', 'birthdate=lt1980-05-16'), ['p1', 'p3']);
  t.deepEqual(await ids('Patient', 'birthdate=le1980-05-15'), ['p1', 'p3']);
  t.deepEqual(await ids('Patient', 'birthdate=sa1980-05-15'), ['p2', 'p4']);
  t.deepEqual(await ids('Patient', 'birthdate=eb1980'), ['p3']);
  t.deepEqual(await ids('Patient', 'birthdate=ap1990-01-01'), ['p4']);
});

test('dates compare in the configured zone and against Periods', async (t) => {
  // 10:00+08:00 is 02:00Z: inside 2016-03-28 in Asia/Shanghai.
  t.deepEqual(await ids('Observation', 'date=2016-03-28'), ['o1']);
  t.deepEqual(await ids('Observation', 'date=2016-03-28T10:00:00%2B08:00'), ['o1']);
  t.deepEqual(await ids('Observation', 'date=2021-01-01'), [], 'the Period runs past the end of the day');
  t.deepEqual(await ids('Observation', 'date=ge2021-01-01'), ['o2']);
  t.deepEqual(await ids('Observation', 'date=2021-01'), ['o2']);
  t.deepEqual(await ids('Observation', 'date=lt2020'), ['o1']);
});

test('_lastUpdated compares against the stored instant', async (t) => {
  t.deepEqual(await ids('Patient', '_lastUpdated=gt2024-03-01'), ['p3', 'p4']);
  t.deepEqual(await ids('Patient', '_lastUpdated=2024-01'), ['p1']);
  t.deepEqual(await ids('Patient', '_lastUpdated=ge2024-01-10T08:00:00Z&_lastUpdated=lt2024-06-01T00:00:00Z'), ['p1', 'p2']);
});

test('number search with implicit precision and prefixes', async (t) => {
  t.deepEqual(await ids('RiskAssessment', 'probability=0.5'), ['r2']);
  t.deepEqual(await ids('RiskAssessment', 'probability=0.50'), ['r2']);
  t.deepEqual(await ids('RiskAssessment', 'probability=lt0.1'), ['r1']);
  t.deepEqual(await ids('RiskAssessment', 'probability=ge0.02'), ['r1', 'r2']);
  t.deepEqual(await ids('RiskAssessment', 'probability=ne0.5'), ['r1']);
  t.deepEqual(await ids('RiskAssessment', 'probability=ap0.52'), ['r2']);
});

test('quantity search by value, system and code, or unit without system', async (t) => {
  t.deepEqual(await ids('Observation', 'value-quantity=185|http://unitsofmeasure.org|[lb_av]'), ['o1']);
  t.deepEqual(await ids('Observation', 'value-quantity=185|http://unitsofmeasure.org|lbs'), []);
  t.deepEqual(await ids('Observation', 'value-quantity=185||lbs'), ['o1']);
  t.deepEqual(await ids('Observation', 'value-quantity=100'), ['o3']);
  t.deepEqual(await ids('Observation', 'value-quantity=gt100'), ['o1', 'o3']);
  t.deepEqual(await ids('Observation', 'value-quantity=le72|http://unitsofmeasure.org|/min'), ['o2']);
});

test('uri exact, :below and :above', async (t) => {
  t.deepEqual(await ids('ValueSet', 'url=http://his.example/ValueSet/wards'), ['v1']);
  t.deepEqual(await ids('ValueSet', 'url:below=http://his.example/'), ['v1', 'v2']);
  t.deepEqual(await ids('ValueSet', 'url:above=http://his.example/ValueSet/wards/icu/beds'), ['v1', 'v2']);
  t.deepEqual(await ids('Patient', '_profile=http://his.example/StructureDefinition/patient'), ['p1']);
});

test('_id with OR and :not; _tag', async (t) => {
  t.deepEqual(await ids('Patient', '_id=p1,p2,p5'), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', '_id:not=p1'), ['p2', 'p3', 'p4']);
  t.deepEqual(await ids('Patient', '_tag=http://his.example/tags|vip'), ['p1']);
});

test('_sort by _id, _lastUpdated, string, date and token; _count and _offset page', async (t) => {
  t.deepEqual(await ids('Patient', '_sort=-_id', false), ['p4', 'p3', 'p2', 'p1']);
  t.deepEqual(await ids('Patient', '_sort=-_lastUpdated', false), ['p4', 'p3', 'p2', 'p1']);
  t.deepEqual(await ids('Patient', '_sort=family', false), ['p2', 'p1', 'p3', 'p4']);
  t.deepEqual(await ids('Patient', '_sort=-birthdate', false), ['p4', 'p2', 'p1', 'p3']);
  t.deepEqual(await ids('Patient', '_sort=gender,_id', false), ['p2', 'p1', 'p3', 'p4'], 'missing values sort last');
  t.deepEqual(await ids('Patient', '_sort=_id&_count=2', false), ['p1', 'p2']);
  t.deepEqual(await ids('Patient', '_sort=_id&_count=2&_offset=2', false), ['p3', 'p4']);
});

test('the count query counts all matches regardless of paging', async (t) => {
  const req = parseSearch('Patient', new URLSearchParams('family=m&_count=1'), registry);
  const { text, values } = compileCount(req);
  const rows = (await db.query<{ total: number }>(text, values)).rows;
  t.is(rows[0]!.total, 2);
});

test('_count is capped by maxCount', async (t) => {
  const req = parseSearch('Patient', new URLSearchParams('_count=500'), registry);
  const { text, values } = compileSearch(req, { maxCount: 3 });
  t.is((await db.query(text, values)).rows.length, 3);
});

test('values are bind parameters, never SQL text', (t) => {
  const req = parseSearch('Patient', new URLSearchParams("family=O'Brien&birthdate=ge1980"), registry);
  const { text, values } = compileSearch(req);
  t.false(text.includes('Brien'));
  t.false(text.includes('1980'));
  t.true(values.includes("o'brien%"));
});

test('chained values are bind parameters too', (t) => {
  const req = parseSearch('Observation', new URLSearchParams("subject:Patient.name=O'Brien"), registry);
  const { text, values } = compileSearch(req);
  t.false(text.includes('Brien'));
  t.true(values.includes("o'brien%"));
});
