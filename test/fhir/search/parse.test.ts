import test from 'ava';
import { loadOfficialSearchParameters } from '../../../fhir/definitions/search-parameters.ts';
import { parseSearch, splitValues } from '../../../fhir/search/parse.ts';
import { isFhirError } from '../../../fhir/outcome.ts';
import type { ParameterFilter, SearchFilter } from '../../../fhir/search/search-request.ts';

const registry = loadOfficialSearchParameters();
const parse = (type: string, query: string, lenient = false) =>
  parseSearch(type, new URLSearchParams(query), registry, { handling: lenient ? 'lenient' : 'strict', timeZone: 'UTC' });
const only = (filters: SearchFilter[]): ParameterFilter => {
  if (filters.length !== 1 || filters[0]!.kind !== 'parameter') throw new Error('expected one parameter filter');
  return filters[0];
};

test('unknown parameters are rejected with invalid-search naming the parameter', (t) => {
  const err = t.throws(() => parse('Patient', 'foo=bar'));
  t.true(isFhirError(err));
  if (!isFhirError(err)) return;
  t.is(err.code, 'invalid-search');
  t.is(err.status, 400);
  t.regex(err.message, /"foo"/);
  t.deepEqual(err.issues[0]!.expression, ['foo']);
});

test('lenient handling ignores unknown parameters and reports them', (t) => {
  const req = parse('Patient', 'foo=bar&family=smith&name:sounds=x&_content=x', true);
  t.is(req.filters.length, 1);
  t.deepEqual(req.ignored.map((i) => i.name), ['foo', 'name:sounds', '_content']);
});

test('unsupported modifiers and parameter types are errors under strict handling', (t) => {
  t.throws(() => parse('Patient', 'name:sounds=x'), { code: 'invalid-search' } as never);
  t.throws(() => parse('Observation', 'code-value-quantity=x'), { message: /code-value-quantity/ });
  t.throws(() => parse('Location', 'near=1|2|3|km'), { message: /special/ });
  t.throws(() => parse('Patient', 'gender:missing=maybe'), { message: /:missing/ });
});

test('query objects with repeated values are accepted as records too', (t) => {
  const req = parseSearch('Patient', { family: ['a', 'b'], gender: 'male', _count: '5' }, registry);
  t.is(req.filters.length, 3);
  t.is(req.count, 5);
});

test('commas split OR values, backslash escapes them', (t) => {
  t.deepEqual(splitValues('a,b\\,c,d'), ['a', 'b\\,c', 'd']);
  const f = only(parse('Patient', 'family=a,b\\,c').filters);
  t.deepEqual(f.values, [{ kind: 'string', text: 'a' }, { kind: 'string', text: 'b,c' }]);
});

test('token forms: code, system|code, |code, system|', (t) => {
  const f = only(parse('Observation', 'code=1234,http://loinc.org|29463-7,|abc,http://snomed.info/sct|').filters);
  t.deepEqual(f.values, [
    { kind: 'token', system: undefined, code: '1234', text: '1234' },
    { kind: 'token', system: 'http://loinc.org', code: '29463-7', text: 'http://loinc.org|29463-7' },
    { kind: 'token', system: null, code: 'abc', text: '|abc' },
    { kind: 'token', system: 'http://snomed.info/sct', code: undefined, text: 'http://snomed.info/sct|' },
  ]);
});

test('identifier:of-type needs system|code|value', (t) => {
  const f = only(parse('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|123').filters);
  t.is(f.modifier, 'of-type');
  t.deepEqual(f.values, [{ kind: 'of-type', typeSystem: 'http://terminology.hl7.org/CodeSystem/v2-0203', typeCode: 'MR', value: '123' }]);
  t.throws(() => parse('Patient', 'identifier:of-type=MR|123'), { message: /of-type/ });
});

test('reference forms: id, Type/id, :Type, absolute URL, own base URL, :identifier', (t) => {
  const f = only(parse('Observation', 'subject=123,Patient/9/_history/2,http://x.org/fhir/Patient/1').filters);
  t.deepEqual(f.values, [
    { kind: 'reference', type: undefined, id: '123' },
    { kind: 'reference', type: 'Patient', id: '9' },
    { kind: 'reference', type: undefined, url: 'http://x.org/fhir/Patient/1' },
  ]);
  t.deepEqual(only(parse('Observation', 'subject:Patient=123').filters).values, [{ kind: 'reference', type: 'Patient', id: '123' }]);
  const own = parseSearch('Observation', new URLSearchParams('subject=https://his.example/fhir/Patient/5'), registry, { baseUrl: 'https://his.example/fhir/' });
  t.deepEqual(only(own.filters).values, [{ kind: 'reference', type: 'Patient', id: '5' }]);
  const ident = only(parse('Observation', 'subject:identifier=http://mrn|42').filters);
  t.is(ident.modifier, 'identifier');
  t.deepEqual(ident.values, [{ kind: 'token', system: 'http://mrn', code: '42', text: 'http://mrn|42' }]);
  t.throws(() => parse('Observation', 'encounter:Patient=1'), { message: /not supported/ }, 'Patient is no target of encounter');
});

test('date values take prefixes and become instant ranges in the given zone', (t) => {
  const f = only(parse('Patient', 'birthdate=ge2020-02,lt2021').filters);
  t.deepEqual(f.values.map((v) => v.kind === 'date' && [v.prefix, new Date(v.range.low).toISOString(), new Date(v.range.high).toISOString()]), [
    ['ge', '2020-02-01T00:00:00.000Z', '2020-02-29T23:59:59.999Z'],
    ['lt', '2021-01-01T00:00:00.000Z', '2021-12-31T23:59:59.999Z'],
  ]);
  t.throws(() => parse('Patient', 'birthdate=yesterday'), { message: /not a valid date/ });
});

test('number and quantity values keep their precision', (t) => {
  const n = only(parse('RiskAssessment', 'probability=gt0.50').filters);
  t.deepEqual(n.values, [{ kind: 'number', prefix: 'gt', range: { value: '0.50', low: '0.495', high: '0.505' } }]);
  const q = only(parse('Observation', 'value-quantity=le5.4|http://unitsofmeasure.org|mg,5||mg').filters);
  t.deepEqual(q.values, [
    { kind: 'quantity', prefix: 'le', range: { value: '5.4', low: '5.35', high: '5.45' }, system: 'http://unitsofmeasure.org', code: 'mg' },
    { kind: 'quantity', prefix: 'eq', range: { value: '5', low: '4.5', high: '5.5' }, system: undefined, code: 'mg' },
  ]);
  t.throws(() => parse('RiskAssessment', 'probability=high'), { message: /not a valid number/ });
});

test(':missing becomes a flag without values', (t) => {
  const f = only(parse('Patient', 'gender:missing=true').filters);
  t.is(f.missing, true);
  t.deepEqual(f.values, []);
});

test('result parameters are parsed into the request', (t) => {
  const req = parse('Observation', '_count=10&_offset=20&_sort=-date,code,_id&_total=accurate&_summary=count&_elements=id,status&_include=Observation:patient&_revinclude:iterate=Provenance:target&_format=json');
  t.is(req.count, 10);
  t.is(req.offset, 20);
  t.deepEqual(req.sort.map((s) => [s.code, s.descending]), [['date', true], ['code', false], ['_id', false]]);
  t.is(req.total, 'accurate');
  t.is(req.summary, 'count');
  t.deepEqual(req.elements, ['id', 'status']);
  t.is(req.include.length, 1);
  t.is(req.include[0]!.param!.code, 'patient');
  t.is(req.revinclude[0]!.sourceType, 'Provenance');
  t.true(req.revinclude[0]!.iterate);
  t.deepEqual(req.filters, []);
});

test('bad result parameter values are errors', (t) => {
  t.throws(() => parse('Patient', '_count=-1'), { message: /_count/ });
  t.throws(() => parse('Patient', '_summary=maybe'), { message: /_summary/ });
  t.throws(() => parse('Patient', '_sort=nope'), { message: /nope/ });
  t.throws(() => parse('Patient', '_include=Patient:nope'), { message: /nope/ });
});

test('chains and _has are parsed into nested filters', (t) => {
  const chain = parse('Observation', 'subject:Patient.name=peter').filters[0]!;
  t.is(chain.kind, 'chain');
  if (chain.kind !== 'chain') return;
  t.deepEqual(chain.targets.map((x) => x.targetType), ['Patient']);
  t.is(chain.targets[0]!.filter.kind === 'parameter' && chain.targets[0]!.filter.code, 'name');
  const typed = parse('Observation', 'patient.name=peter').filters[0]!;
  t.deepEqual(typed.kind === 'chain' && typed.targets.map((x) => x.targetType), ['Patient'], 'a single-target reference needs no type');
  const untyped = parse('Observation', 'subject.name=peter').filters[0]!;
  t.deepEqual(untyped.kind === 'chain' && untyped.targets.map((x) => x.targetType).sort(), ['Location', 'Patient'],
    'an untyped chain is resolved over every target type that has the parameter');
  t.throws(() => parse('Observation', 'subject.gender=male&subject.nope=x'), { message: /nope/ });
  const has = parse('Patient', '_has:Observation:patient:code=1234-5').filters[0]!;
  t.is(has.kind, 'has');
  if (has.kind !== 'has') return;
  t.is(has.resourceType, 'Observation');
  t.is(has.referenceParam.code, 'patient');
  t.is(has.filter.kind === 'parameter' && has.filter.code, 'code');
});

test('_id and _lastUpdated are ordinary token and date filters', (t) => {
  const req = parse('Patient', '_id=a,b&_lastUpdated=gt2024-01-01');
  t.deepEqual(req.filters.map((f) => f.kind === 'parameter' && [f.code, f.param.type]), [['_id', 'token'], ['_lastUpdated', 'date']]);
});
