import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Resource } from '../../../fhir/types.ts';
import { createIndexRowExtractor, extractIndexRows } from '../../../fhir/search/index-values.ts';
import { loadOfficialSearchParameters } from '../../../fhir/definitions/search-parameters.ts';
import { normalizeString } from '../../../fhir/search/normalize.ts';
import { decimalRange } from '../../../fhir/search/decimal-range.ts';
import { dateRange, isoRange } from '../../../fhir/search/date-range.ts';

const fixture = (name: string): Resource =>
  JSON.parse(readFileSync(new URL(`../../fixtures/fhir/${name}`, import.meta.url), 'utf8')) as Resource;

const patientExample = fixture('hl7-patient-example.json');
const observationExample = fixture('hl7-observation-example.json');

test('HumanName gives family, given, prefix, suffix and text rows, normalised', (t) => {
  const rows = extractIndexRows({
    resourceType: 'Patient', id: 'p',
    name: [{ family: 'Müller', given: ['José', 'Ann'], prefix: ['Dr.'], suffix: ['Jr'], text: 'Dr. José Müller' }],
  });
  const name = rows.string.filter((r) => r.param === 'name');
  t.deepEqual(name.map((r) => r.value).sort(), ['Ann', 'Dr.', 'Dr. José Müller', 'José', 'Jr', 'Müller'].sort());
  t.is(name.find((r) => r.value === 'Müller')!.valueNorm, 'muller');
  t.deepEqual(rows.string.filter((r) => r.param === 'family').map((r) => r.valueNorm), ['muller']);
});

test('normalisation lower-cases and strips accents but keeps CJK and kana as written', (t) => {
  t.is(normalizeString('ÉLODIE Çà'), 'elodie ca');
  t.is(normalizeString('张伟'), '张伟');
  t.is(normalizeString('ガンマ'), 'ガンマ');
  t.is(normalizeString('김민준'), '김민준');
});

test('Address gives line, city, district, state, postalCode, country and text', (t) => {
  const rows = extractIndexRows(patientExample);
  const address = rows.string.filter((r) => r.param === 'address').map((r) => r.value);
  t.true(address.includes('534 Erewhon St'));
  t.true(address.includes('PleasantVille'));
  t.true(address.includes('3999'));
  t.deepEqual(rows.string.filter((r) => r.param === 'address-city').map((r) => r.value), ['PleasantVille']);
});

test('Identifier gives a system|value token and an :of-type row', (t) => {
  const rows = extractIndexRows(patientExample);
  t.deepEqual(rows.token.filter((r) => r.param === 'identifier'), [
    { param: 'identifier', system: 'urn:oid:1.2.36.146.595.217.0.1', code: '12345', textNorm: null },
  ]);
  t.deepEqual(rows.token.filter((r) => r.param === 'identifier:of-type'), [
    { param: 'identifier:of-type', system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR|12345', textNorm: null },
  ]);
});

test('code and boolean primitives are tokens without system; ContactPoint keeps its system', (t) => {
  const rows = extractIndexRows(patientExample);
  t.deepEqual(rows.token.filter((r) => r.param === 'gender'), [{ param: 'gender', system: null, code: 'male', textNorm: null }]);
  t.deepEqual(rows.token.filter((r) => r.param === 'active'), [{ param: 'active', system: null, code: 'true', textNorm: null }]);
  const phone = rows.token.filter((r) => r.param === 'phone');
  t.true(phone.some((r) => r.system === 'phone' && r.code === '(03) 5555 6473'));
});

test('CodeableConcept gives one row per coding plus text, with display and text normalised', (t) => {
  const rows = extractIndexRows({
    resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/p' },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes' }], text: 'Type 2 Diabétes' },
  });
  t.deepEqual(rows.token.filter((r) => r.param === 'code'), [
    { param: 'code', system: 'http://snomed.info/sct', code: '44054006', textNorm: 'diabetes' },
    { param: 'code', system: null, code: null, textNorm: 'type 2 diabetes' },
  ]);
});

test('references give type and id; the where(resolve() is Patient) parameters only for Patient targets', (t) => {
  const rows = extractIndexRows(observationExample);
  const subject = rows.reference.filter((r) => r.param === 'subject');
  t.deepEqual(subject, [{ param: 'subject', targetType: 'Patient', targetId: 'example', targetUrl: null }]);
  t.is(rows.reference.filter((r) => r.param === 'patient').length, 1);
  const groupSubject = extractIndexRows({ resourceType: 'Observation', id: 'o', subject: { reference: 'Group/g1' } });
  t.is(groupSubject.reference.filter((r) => r.param === 'patient').length, 0);
  t.is(groupSubject.reference.filter((r) => r.param === 'subject').length, 1);
});

test('absolute, versioned and contained references; Reference.identifier as :identifier token', (t) => {
  const rows = extractIndexRows({
    resourceType: 'Observation', id: 'o',
    subject: { reference: 'http://other.org/fhir/Patient/42/_history/3' },
    encounter: { reference: 'Encounter/e1/_history/2' },
    performer: [{ reference: '#contained' }, { identifier: { system: 'http://npi', value: '999' } }],
  });
  t.deepEqual(rows.reference.filter((r) => r.param === 'subject'), [
    { param: 'subject', targetType: 'Patient', targetId: '42', targetUrl: 'http://other.org/fhir/Patient/42/_history/3' },
  ]);
  t.deepEqual(rows.reference.filter((r) => r.param === 'encounter'), [
    { param: 'encounter', targetType: 'Encounter', targetId: 'e1', targetUrl: null },
  ]);
  t.is(rows.reference.filter((r) => r.param === 'performer').length, 0);
  t.deepEqual(rows.token.filter((r) => r.param === 'performer:identifier'), [
    { param: 'performer:identifier', system: 'http://npi', code: '999', textNorm: null },
  ]);
});

test('canonical references keep the URL; where(type=...) filters the related artifacts', (t) => {
  const rows = extractIndexRows({
    resourceType: 'PlanDefinition', id: 'pd', status: 'active',
    relatedArtifact: [
      { type: 'derived-from', resource: 'http://example.org/PlanDefinition/base|2.0' },
      { type: 'predecessor', resource: 'http://example.org/PlanDefinition/old' },
    ],
  });
  t.deepEqual(rows.reference.filter((r) => r.param === 'derived-from'), [
    { param: 'derived-from', targetType: 'PlanDefinition', targetId: 'base', targetUrl: 'http://example.org/PlanDefinition/base|2.0' },
  ]);
  t.deepEqual(rows.reference.filter((r) => r.param === 'predecessor').map((r) => r.targetUrl), ['http://example.org/PlanDefinition/old']);
});

test('a date covers its whole precision, in the configured time zone', (t) => {
  const rows = extractIndexRows(patientExample);
  t.deepEqual(rows.date.filter((r) => r.param === 'birthdate'), [
    { param: 'birthdate', low: '1974-12-24T16:00:00.000Z', high: '1974-12-25T15:59:59.999Z' },
  ]);
  const utc = createIndexRowExtractor(loadOfficialSearchParameters(), { timeZone: 'UTC' })(patientExample);
  t.deepEqual(utc.date.filter((r) => r.param === 'birthdate'), [
    { param: 'birthdate', low: '1974-12-25T00:00:00.000Z', high: '1974-12-25T23:59:59.999Z' },
  ]);
});

test('date ranges: year, month, seconds with offset, fractions, local times and DST', (t) => {
  t.deepEqual(isoRange(dateRange('2020', 'UTC')!), { low: '2020-01-01T00:00:00.000Z', high: '2020-12-31T23:59:59.999Z' });
  t.deepEqual(isoRange(dateRange('2020-02', 'UTC')!), { low: '2020-02-01T00:00:00.000Z', high: '2020-02-29T23:59:59.999Z' });
  t.deepEqual(isoRange(dateRange('2020-02-29T10:00:00+08:00')!), { low: '2020-02-29T02:00:00.000Z', high: '2020-02-29T02:00:00.999Z' });
  t.deepEqual(isoRange(dateRange('2020-02-29T10:00:00.5Z')!), { low: '2020-02-29T10:00:00.500Z', high: '2020-02-29T10:00:00.599Z' });
  // China observed daylight saving time in 1988 (UTC+9).
  t.deepEqual(isoRange(dateRange('1988-07-01T12:00:00', 'Asia/Shanghai')!).low, '1988-07-01T03:00:00.000Z');
  t.is(dateRange('2020-13'), undefined);
  t.is(dateRange('not a date'), undefined);
});

test('Period, dateTime choice types and Timing events', (t) => {
  const enc = extractIndexRows({
    resourceType: 'Encounter', id: 'e', status: 'finished', class: { code: 'AMB' },
    period: { start: '2021-03-01T08:00:00+00:00' },
  });
  t.deepEqual(enc.date.filter((r) => r.param === 'date'), [{ param: 'date', low: '2021-03-01T08:00:00.000Z', high: null }]);
  const obs = extractIndexRows(observationExample);
  t.deepEqual(obs.date.filter((r) => r.param === 'date'), [
    { param: 'date', low: '2016-03-27T16:00:00.000Z', high: '2016-03-28T15:59:59.999Z' },
  ]);
});

test('quantities keep value as text with the implicit precision range, system, code and unit', (t) => {
  const rows = extractIndexRows(observationExample);
  t.deepEqual(rows.quantity.filter((r) => r.param === 'value-quantity'), [{
    param: 'value-quantity', system: 'http://unitsofmeasure.org', code: '[lb_av]', unit: 'lbs',
    value: '185', low: '184.5', high: '185.5',
  }]);
});

test('decimal precision ranges are exact', (t) => {
  t.deepEqual(decimalRange('100'), { value: '100', low: '99.5', high: '100.5' });
  t.deepEqual(decimalRange('100.00'), { value: '100.00', low: '99.995', high: '100.005' });
  t.deepEqual(decimalRange('1e2'), { value: '100', low: '50.0', high: '150.0' });
  t.deepEqual(decimalRange(0.1), { value: '0.1', low: '0.05', high: '0.15' });
  t.deepEqual(decimalRange('-1.5'), { value: '-1.5', low: '-1.55', high: '-1.45' });
  t.is(decimalRange('abc'), undefined);
});

test('Money is indexed as a quantity in ISO 4217', (t) => {
  const rows = extractIndexRows({
    resourceType: 'Claim', id: 'c', total: { value: 12.5, currency: 'USD' },
  } as Resource);
  // Claim has no Money search parameter in R4; ChargeItem's factor-override... use Invoice.totalGross.
  t.is(rows.quantity.length, 0);
  const invoice = extractIndexRows({ resourceType: 'Invoice', id: 'i', status: 'issued', totalGross: { value: 12.5, currency: 'USD' } });
  t.deepEqual(invoice.quantity.filter((r) => r.param === 'totalgross'), [{
    param: 'totalgross', system: 'urn:iso:std:iso:4217', code: 'USD', unit: 'USD', value: '12.5', low: '12.45', high: '12.55',
  }]);
});

test('meta.tag, meta.security, meta.profile and meta.source become _tag, _security, _profile, _source', (t) => {
  const rows = extractIndexRows({
    resourceType: 'Patient', id: 'p',
    meta: {
      tag: [{ system: 'https://smarthealthit.org/tags', code: 'synthea-5-2019' }],
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }],
      profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'],
      source: 'http://his.example/import#1',
      lastUpdated: '2024-01-01T00:00:00Z',
    },
  });
  t.deepEqual(rows.token.filter((r) => r.param === '_tag').map((r) => [r.system, r.code]), [['https://smarthealthit.org/tags', 'synthea-5-2019']]);
  t.deepEqual(rows.token.filter((r) => r.param === '_security').map((r) => r.code), ['R']);
  t.deepEqual(rows.uri.filter((r) => r.param === '_profile').map((r) => r.value), ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient']);
  t.deepEqual(rows.uri.filter((r) => r.param === '_source').map((r) => r.value), ['http://his.example/import#1']);
  t.is(rows.date.filter((r) => r.param === '_lastUpdated').length, 0, '_lastUpdated is answered from fhir_resource');
});

test('the Patient.deceased expression goes through fhirpath.js and gives a boolean token', (t) => {
  const dead = extractIndexRows({ resourceType: 'Patient', id: 'p', deceasedDateTime: '2020-01-01' });
  t.deepEqual(dead.token.filter((r) => r.param === 'deceased').map((r) => r.code), ['true']);
  t.deepEqual(dead.date.filter((r) => r.param === 'death-date').length, 1);
});

test('custom parameters with (X as T) casts are indexed once added, without a new extractor', (t) => {
  const registry = loadOfficialSearchParameters();
  const extract = createIndexRowExtractor(registry);
  const patient: Resource = { resourceType: 'Patient', id: 'twin', multipleBirthInteger: 2, name: [{ use: 'official', family: 'X' }] };
  t.is(extract(patient).number.length, 0);
  registry.add({ resourceType: 'SearchParameter', code: 'multiplebirth', base: ['Patient'], type: 'number', expression: '(Patient.multipleBirth as integer)' });
  registry.add({ resourceType: 'SearchParameter', code: 'name-use', base: ['Patient'], type: 'token', expression: 'Patient.name.use' });
  const rows = extract(patient);
  t.deepEqual(rows.number, [{ param: 'multiplebirth', value: '2', low: '1.5', high: '2.5' }]);
  t.deepEqual(rows.token.filter((r) => r.param === 'name-use').map((r) => r.code), ['official']);
});

test('repeated values give one row per distinct value', (t) => {
  const rows = extractIndexRows({
    resourceType: 'Patient', id: 'p', name: [{ family: 'Li', given: ['Wei'] }, { family: 'Li', given: ['Wei'] }],
  });
  t.is(rows.string.filter((r) => r.param === 'family').length, 1);
});

test('Synthea resources extract without errors (fixture copied from the shared data set)', (t) => {
  const patient = fixture('synthea-patient.json');
  const rows = extractIndexRows(patient);
  t.true(rows.string.some((r) => r.param === 'family'));
  t.true(rows.token.some((r) => r.param === '_tag'));
});
