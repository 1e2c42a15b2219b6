import test from 'ava';
import {
  defaultRegistry, getSearchParameter, loadOfficialSearchParameters, restrictExpression, searchParametersFor, splitUnion,
  type SearchParameterResource,
} from '../../../fhir/definitions/search-parameters.ts';

test('official parameters are loaded per resource type with the expression restricted to that type', (t) => {
  const name = getSearchParameter('Practitioner', 'name');
  t.truthy(name);
  t.is(name!.type, 'string');
  t.is(name!.expression, 'Practitioner.name');
  const patientName = getSearchParameter('Patient', 'name');
  t.is(patientName!.expression, 'Patient.name');
});

test('multi-base union expressions keep only the parts of the requested base', (t) => {
  const code = getSearchParameter('Observation', 'code');
  t.is(code!.expression, 'Observation.code');
  const clinicalPatient = getSearchParameter('Condition', 'patient');
  t.is(clinicalPatient!.expression, 'Condition.subject.where(resolve() is Patient)');
  t.deepEqual(getSearchParameter('MedicationRequest', 'code')!.expression, '(MedicationRequest.medication as CodeableConcept)');
});

test('reference parameters carry their target types', (t) => {
  const subject = getSearchParameter('Observation', 'subject');
  t.is(subject!.type, 'reference');
  t.true(subject!.targets.includes('Patient'));
  t.true(subject!.targets.includes('Group'));
  t.deepEqual(getSearchParameter('Observation', 'patient')!.targets, ['Patient'], 'clinical-patient lists Group too, but Observation.patient resolves only Patient');
});

test('composite parameters carry their components', (t) => {
  const cvq = getSearchParameter('Observation', 'code-value-quantity');
  t.is(cvq!.type, 'composite');
  t.is(cvq!.components.length, 2);
  t.is(cvq!.components[0]!.definition, 'http://hl7.org/fhir/SearchParameter/clinical-code');
});

test('resource-level parameters apply to every type; those without expression are left out', (t) => {
  const codes = new Set(searchParametersFor('Encounter').map((p) => p.code));
  for (const code of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']) t.true(codes.has(code), code);
  t.false(codes.has('_content'));
  t.false(codes.has('_query'));
  t.is(getSearchParameter('Basic', '_tag')!.type, 'token');
  t.is(getSearchParameter('Basic', '_profile')!.type, 'uri');
});

test('the registry knows the 146 concrete R4 resource types (as fhir.schema.json)', (t) => {
  const types = defaultRegistry().resourceTypes;
  t.true(types.has('Patient'));
  t.true(types.has('Observation'));
  t.false(types.has('DomainResource'));
  t.false(types.has('HumanName'));
  t.is(types.size, 146);
});

test('custom SearchParameters can be added at run time and bump the version', (t) => {
  const registry = loadOfficialSearchParameters();
  const before = registry.version;
  const sp: SearchParameterResource = {
    resourceType: 'SearchParameter', url: 'http://example.org/SearchParameter/patient-multiplebirth',
    code: 'multiplebirth', base: ['Patient'], type: 'number', expression: '(Patient.multipleBirth as integer)',
  };
  registry.add(sp);
  t.is(registry.version, before + 1);
  t.is(registry.get('Patient', 'multiplebirth')!.type, 'number');
  t.is(registry.getByUrl(sp.url!), sp);
  t.is(getSearchParameter('Patient', 'multiplebirth'), undefined, 'the default registry is untouched');
});

test('a custom resource-level parameter reaches types created before and after it', (t) => {
  const registry = loadOfficialSearchParameters();
  registry.get('Patient', 'name');
  registry.add({ resourceType: 'SearchParameter', code: 'ext-source', base: ['Resource'], type: 'uri', expression: 'Resource.meta.source' });
  t.truthy(registry.get('Patient', 'ext-source'));
  t.truthy(registry.get('Appointment', 'ext-source'));
});

test('union splitting respects parentheses and string literals', (t) => {
  t.deepEqual(splitUnion("A.b | (A.c as X) | A.d.where(e='x|y')"), ['A.b', '(A.c as X)', "A.d.where(e='x|y')"]);
  t.is(restrictExpression('Patient.name | Practitioner.name | (Person.x as T)', 'Person'), '(Person.x as T)');
  t.is(restrictExpression('name | alias', 'InsurancePlan'), 'name | alias');
});
