import test from 'ava';
import { readFileSync } from 'node:fs';
import { validateResource } from '../../../fhir/validation/validate.ts';
import type { OutcomeIssue } from '../../../fhir/outcome.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/fhir/${name}`, import.meta.url), 'utf8'));
}

/** [code, expression] pairs, the stable part of an issue. */
function found(resource: unknown, options?: { expectedType?: string }): [string, string | undefined][] {
  const issues: OutcomeIssue[] = validateResource(resource, options);
  for (const i of issues) {
    if (i.severity !== 'error' || !i.details?.text) throw new Error(`malformed issue ${JSON.stringify(i)}`);
  }
  return issues.map((i) => [i.code, i.expression?.[0]]);
}

const observation = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation', status: 'final', code: { text: 'glucose' }, ...extra,
});

test('valid Synthea Patient, Observation and Encounter resources have no issues', (t) => {
  for (const name of ['synthea-patient.json', 'synthea-observation.json', 'synthea-encounter.json']) {
    t.deepEqual(validateResource(fixture(name)), [], name);
  }
});

test('an unknown element is a structure error at its path', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', name: [{ family: 'X', nickname: 'Y' }] }),
    [['structure', 'Patient.name[0].nickname']]);
});

test('a primitive of the wrong JSON type is a value error', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', active: 'yes' }), [['value', 'Patient.active']]);
  t.deepEqual(found(observation({ valueQuantity: { value: '5' } })), [['value', 'Observation.valueQuantity.value']]);
});

test('a complex element given a primitive is a structure error', (t) => {
  t.deepEqual(found(observation({ code: 'glucose' })), [['structure', 'Observation.code']]);
});

test('missing required elements are required errors at their paths', (t) => {
  t.deepEqual(found({ resourceType: 'Observation' }),
    [['required', 'Observation.status'], ['required', 'Observation.code']]);
});

test('an impossible or malformed date is a value error', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', birthDate: '2021-02-29' }), [['value', 'Patient.birthDate']]);
  t.deepEqual(found({ resourceType: 'Patient', birthDate: '1990-1-5' }), [['value', 'Patient.birthDate']]);
  t.deepEqual(found({ resourceType: 'Patient', birthDate: '2020-02-29' }), []);
});

test('a dateTime with a time but no time zone is a value error', (t) => {
  t.deepEqual(found(observation({ effectiveDateTime: '2020-01-01T10:00:00' })), [['value', 'Observation.effectiveDateTime']]);
  t.deepEqual(found(observation({ effectiveDateTime: '2020-01-01T10:00:00.5+02:00' })), []);
});

test('an id outside [A-Za-z0-9-.]{1,64} is a value error at the resource id', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', id: 'a_b' }), [['value', 'Patient.id']]);
  t.deepEqual(found({ resourceType: 'Patient', id: 'x'.repeat(65) }), [['value', 'Patient.id']]);
  t.deepEqual(found({ resourceType: 'Patient', id: '' }), [['value', 'Patient.id']]);
  t.deepEqual(found({ resourceType: 'Patient', id: 7 }), [['value', 'Patient.id']]);
  t.deepEqual(found({ resourceType: 'Patient', id: 'A-1.b' }), []);
});

test('a wrong choice-type suffix is an unknown element naming the allowed ones', (t) => {
  const issues = validateResource(observation({ valueDecimal: 1.5 }));
  t.deepEqual(issues.map((i) => [i.code, i.expression?.[0]]), [['structure', 'Observation.valueDecimal']]);
  t.regex(issues[0].details!.text, /valueQuantity/);
});

test('two types of the same choice element are a structure error', (t) => {
  t.deepEqual(found(observation({ valueString: 'a', valueBoolean: true })), [['structure', 'Observation.valueBoolean']]);
});

test('a repeating element given as a single value is a structure error at its path', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', name: [{ given: 'Ann' }] }), [['structure', 'Patient.name[0].given']]);
});

test('a non-repeating element given as an array is a structure error', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', gender: ['female'] }), [['structure', 'Patient.gender']]);
});

test('empty arrays, empty objects and empty strings are errors', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', name: [] }), [['structure', 'Patient.name']]);
  t.deepEqual(found({ resourceType: 'Patient', name: [{}] }), [['invariant', 'Patient.name[0]']]);
  t.deepEqual(found({ resourceType: 'Patient', name: [{ family: '' }] }), [['value', 'Patient.name[0].family']]);
});

test('strings may contain non-ASCII spaces but not control characters', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', name: [{ text: 'Ann\u00a0Lee\n' }] }), []);
  t.deepEqual(found({ resourceType: 'Patient', name: [{ text: 'Ann\u0001' }] }), [['value', 'Patient.name[0].text']]);
});

test('integer subtypes are checked against their ranges', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', multipleBirthInteger: 2147483648 }), [['value', 'Patient.multipleBirthInteger']]);
  t.deepEqual(found({ resourceType: 'Patient', multipleBirthInteger: 1.5 }), [['value', 'Patient.multipleBirthInteger']]);
  const plan = { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'Patient/1' } };
  t.deepEqual(found({ ...plan, activity: [{ detail: { status: 'scheduled', scheduledTiming: { repeat: { frequency: 0 } } } }] }),
    [['value', 'CarePlan.activity[0].detail.scheduledTiming.repeat.frequency']]);
});

test('a code outside a required binding is a code-invalid error', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', gender: 'unknown-gender-x' }), [['code-invalid', 'Patient.gender']]);
  t.deepEqual(found(observation({ status: 'done' })), [['code-invalid', 'Observation.status']]);
});

test('a required binding on a CodeableConcept needs one coding from the value set', (t) => {
  const allergy = (coding: unknown[]) => ({
    resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/1' }, clinicalStatus: { coding },
  });
  const system = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
  t.deepEqual(found(allergy([{ system, code: 'active' }])), []);
  t.deepEqual(found(allergy([{ system, code: 'bogus' }])), [['code-invalid', 'AllergyIntolerance.clinicalStatus.coding']]);
});

test('a reference to a resource type outside targetProfile is an error', (t) => {
  t.deepEqual(found(observation({ subject: { reference: 'Medication/1' } })), [['invalid', 'Observation.subject.reference']]);
  t.deepEqual(found(observation({ subject: { reference: 'Patient/1/_history/2' } })), []);
});

test('contained, urn:uuid and absolute references are accepted for any target', (t) => {
  for (const reference of ['#med1', 'urn:uuid:0b6e7c5a-1c2f-4b8b-9a9e-5c5a3c1d2e3f', 'http://example.org/fhir/Medication/1']) {
    t.deepEqual(found(observation({ subject: { reference } })), [], reference);
  }
});

test('a contained resource is validated as a resource at its contained path', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', contained: [{ resourceType: 'Observation', id: 'o1', status: 'final' }] }),
    [['required', 'Patient.contained[0].code']]);
  t.deepEqual(found({ resourceType: 'Patient', contained: [{ resourceType: 'Nope' }] }), [['invalid', 'Patient.contained[0]']]);
});

test('a contained resource must not contain resources itself (dom-2)', (t) => {
  const inner = { resourceType: 'Patient', id: 'p', contained: [{ resourceType: 'Patient', id: 'q' }] };
  t.deepEqual(found({ resourceType: 'Patient', contained: [inner] }), [['invariant', 'Patient.contained[0].contained']]);
});

test('Bundle entry resources are validated with the entry index in the path', (t) => {
  const bundle = {
    resourceType: 'Bundle', type: 'collection',
    entry: [{ resource: fixture('synthea-patient.json') }, { resource: { resourceType: 'Patient', gender: 'x' } }],
  };
  t.deepEqual(found(bundle), [['code-invalid', 'Bundle.entry[1].resource.gender']]);
});

test('Parameters parameter resources are validated as resources', (t) => {
  const parameters = { resourceType: 'Parameters', parameter: [{ name: 'p', resource: { resourceType: 'Observation' } }] };
  t.deepEqual(found(parameters),
    [['required', 'Parameters.parameter[0].resource.status'], ['required', 'Parameters.parameter[0].resource.code']]);
});

test('nested items reached through contentReference are validated like their parent', (t) => {
  const questionnaire = {
    resourceType: 'Questionnaire', status: 'draft',
    item: [{ linkId: '1', type: 'group', item: [{ type: 'string' }] }],
  };
  t.deepEqual(found(questionnaire), [['required', 'Questionnaire.item[0].item[0].linkId']]);
});

test('an extension without url is a required error', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', extension: [{ valueString: 'x' }] }), [['required', 'Patient.extension[0].url']]);
});

test('an extension needs exactly one of value[x] and nested extensions (ext-1)', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', extension: [{ url: 'http://x' }] }), [['invariant', 'Patient.extension[0]']]);
  t.deepEqual(found({
    resourceType: 'Patient',
    extension: [{ url: 'http://x', valueBoolean: true, extension: [{ url: 'a', valueString: 'b' }] }],
  }), [['invariant', 'Patient.extension[0]']]);
  t.deepEqual(found({ resourceType: 'Patient', extension: [{ url: 'http://x', extension: [{ url: 'a', valueCode: 'b' }] }] }), []);
});

test('primitive extensions in _x are validated at the primitive path', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', birthDate: '1990', _birthDate: { extension: [{ valueDateTime: '1990-01-01T10:00:00Z' }] } }),
    [['required', 'Patient.birthDate.extension[0].url']]);
  t.deepEqual(found({ resourceType: 'Patient', _gender: { extension: [{ url: 'http://x', valueString: 'y' }] } }), []);
  t.deepEqual(found({ resourceType: 'Patient', _name: {} }), [['structure', 'Patient._name']]);
});

test('a null in a repeating primitive is allowed only where _x carries the element', (t) => {
  const ext = { extension: [{ url: 'http://x', valueString: 'y' }] };
  t.deepEqual(found({ resourceType: 'Patient', name: [{ given: ['A', null], _given: [null, ext] }] }), []);
  t.deepEqual(found({ resourceType: 'Patient', name: [{ given: ['A', null] }] }), [['structure', 'Patient.name[0].given[1]']]);
  t.deepEqual(found({ resourceType: 'Patient', name: [{ given: ['A'], _given: [null, ext] }] }), [['structure', 'Patient.name[0].given']]);
});

test('a SimpleQuantity does not allow a comparator', (t) => {
  t.deepEqual(found(observation({ referenceRange: [{ low: { value: 1, comparator: '<' } }] })),
    [['structure', 'Observation.referenceRange[0].low.comparator']]);
  t.deepEqual(found(observation({ valueQuantity: { value: 1, comparator: '<' } })), []);
});

test('the narrative div must be an XHTML div', (t) => {
  t.deepEqual(found({ resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }), []);
  t.deepEqual(found({ resourceType: 'Patient', text: { status: 'generated', div: '<p>x</p>' } }), [['value', 'Patient.text.div']]);
});

test('input that is not a resource of a known type is rejected', (t) => {
  t.deepEqual(found(null), [['structure', 'Resource']]);
  t.deepEqual(found([]), [['structure', 'Resource']]);
  t.deepEqual(found({ id: '1' }), [['structure', 'Resource']]);
  t.deepEqual(found({ resourceType: 'Patientt' }), [['invalid', 'Patientt']]);
  t.deepEqual(found({ resourceType: 'DomainResource' }), [['invalid', 'DomainResource']]);
});

test('absurdly deep nesting is reported instead of crashing', (t) => {
  let item: Record<string, unknown> = { linkId: 'x', type: 'display' };
  for (let i = 0; i < 20000; i++) item = { linkId: String(i), type: 'group', item: [item] };
  t.deepEqual(found({ resourceType: 'Questionnaire', status: 'draft', item: [item] }), [['too-costly', undefined]]);
});

test('a resource of another type than expected is an error', (t) => {
  t.deepEqual(found({ resourceType: 'Patient' }, { expectedType: 'Observation' }), [['invalid', 'Patient.resourceType']]);
  t.deepEqual(found({ resourceType: 'Patient' }, { expectedType: 'Patient' }), []);
});
