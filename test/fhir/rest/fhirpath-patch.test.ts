import test from 'ava';
import { applyFhirPathPatch } from '../../../fhir/rest/fhirpath-patch.ts';
import { FhirError, type ErrorCode } from '../../../fhir/outcome.ts';
import type { Resource } from '../../../fhir/types.ts';

type Part = Record<string, unknown>;

/** One `operation` parameter (fhirpatch.html#encoding); `value` is the value part without its name. */
function op(type: string, path: string, extra: { name?: string; value?: Part; index?: number; source?: number; destination?: number } = {}) {
  const part: Part[] = [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }];
  if (extra.name !== undefined) part.push({ name: 'name', valueString: extra.name });
  if (extra.value !== undefined) part.push({ name: 'value', ...extra.value });
  for (const k of ['index', 'source', 'destination'] as const) {
    if (extra[k] !== undefined) part.push({ name: k, valueInteger: extra[k] });
  }
  return { name: 'operation', part };
}

const params = (...operation: unknown[]) => ({ resourceType: 'Parameters', parameter: operation });

const patient = (): Resource => ({
  resourceType: 'Patient',
  id: 'p1',
  active: true,
  identifier: [{ system: 'urn:mrn', value: '1' }, { system: 'urn:mrn', value: '2' }, { system: 'urn:ssn', value: '3' }],
  name: [{ use: 'official', family: 'Chalmers', given: ['Peter', 'James'] }, { use: 'usual', given: ['Jim'] }],
  gender: 'male',
  birthDate: '1974-12-25',
  deceasedBoolean: false,
});

function fails(t: import('ava').ExecutionContext, resource: Resource, parameters: unknown, status: number, code: ErrorCode): FhirError {
  const err = t.throws(() => applyFhirPathPatch(resource, parameters), { instanceOf: FhirError }) as FhirError;
  t.is(err.status, status, err.message);
  t.is(err.code, code);
  return err;
}

test('spec example: add birthDate with valueDate to Patient', (t) => {
  const { birthDate: _, ...noBirthDate } = patient();
  const out = applyFhirPathPatch(noBirthDate as Resource, params(op('add', 'Patient', { name: 'birthDate', value: { valueDate: '1930-01-01' } })));
  t.is(out.birthDate, '1930-01-01');
});

test('spec example: add a contact given as nested parts builds an anonymous element', (t) => {
  const out = applyFhirPathPatch(patient(), params(op('add', 'Patient', {
    name: 'contact',
    value: { part: [{ name: 'name', valueHumanName: { text: 'a name' } }, { name: 'telecom', valueContactPoint: { system: 'phone', value: '555' } }] },
  })));
  // contact and telecom repeat in R4, so they become arrays; name does not.
  t.deepEqual(out.contact, [{ name: { text: 'a name' }, telecom: [{ system: 'phone', value: '555' }] }]);
});

test('add appends to a repeating element and creates the list when absent', (t) => {
  const out = applyFhirPathPatch(patient(), params(
    op('add', 'Patient', { name: 'identifier', value: { valueIdentifier: { system: 'urn:x', value: '9' } } }),
    op('add', 'Patient', { name: 'telecom', value: { valueContactPoint: { system: 'email', value: 'a@b.c' } } }),
    op('add', "Patient.name.where(use = 'usual')", { name: 'given', value: { valueString: 'Jimmy' } }),
  ));
  t.is((out.identifier as unknown[]).length, 4);
  t.deepEqual((out.identifier as unknown[])[3], { system: 'urn:x', value: '9' });
  t.deepEqual(out.telecom, [{ system: 'email', value: 'a@b.c' }]);
  t.deepEqual((out.name as any[])[1].given, ['Jim', 'Jimmy']);
});

test('add to a single element that already exists is 422; a choice element takes the value type', (t) => {
  fails(t, patient(), params(op('add', 'Patient', { name: 'gender', value: { valueCode: 'female' } })), 422, 'unprocessable');
  fails(t, patient(), params(op('add', 'Patient', { name: 'deceased', value: { valueDateTime: '2020-01-01' } })), 422, 'unprocessable');
  const { deceasedBoolean: _, ...alive } = patient();
  const out = applyFhirPathPatch(alive as Resource, params(op('add', 'Patient', { name: 'deceased', value: { valueDateTime: '2020-01-01' } })));
  t.is(out.deceasedDateTime, '2020-01-01');
});

test('insert places a value at an index of a list, including an empty one', (t) => {
  const out = applyFhirPathPatch(patient(), params(
    op('insert', 'Patient.identifier', { value: { valueIdentifier: { system: 'urn:x', value: '0' } }, index: 0 }),
    op('insert', 'Patient.name[0].given', { value: { valueString: 'Middle' }, index: 1 }),
    op('insert', 'Patient.telecom', { value: { valueContactPoint: { value: '1' } }, index: 0 }),
  ));
  t.deepEqual((out.identifier as any[]).map((i) => i.value), ['0', '1', '2', '3']);
  t.deepEqual((out.name as any[])[0].given, ['Peter', 'Middle', 'James']);
  t.deepEqual(out.telecom, [{ value: '1' }]);
});

test('insert past the end of the list is 422; a missing or negative index is 400', (t) => {
  fails(t, patient(), params(op('insert', 'Patient.identifier', { value: { valueIdentifier: { value: 'x' } }, index: 4 })), 422, 'unprocessable');
  fails(t, patient(), params(op('insert', 'Patient.identifier', { value: { valueIdentifier: { value: 'x' } } })), 400, 'invalid-request');
  fails(t, patient(), params(op('insert', 'Patient.identifier', { value: { valueIdentifier: { value: 'x' } }, index: -1 })), 400, 'invalid-request');
  fails(t, patient(), params(op('insert', 'Patient.gender', { value: { valueCode: 'male' }, index: 0 })), 422, 'unprocessable');
});

test('delete removes one element, drops an emptied list, and ignores a path that matches nothing', (t) => {
  const out = applyFhirPathPatch(patient(), params(
    op('delete', 'Patient.identifier[1]'),
    op('delete', "Patient.name.where(use = 'usual').given"),
    op('delete', 'Patient.name[1].use'),
    op('delete', 'Patient.birthDate'),
    op('delete', 'Patient.deceased'),
    op('delete', 'Patient.photo'),
  ));
  t.deepEqual((out.identifier as any[]).map((i) => i.value), ['1', '3']);
  t.is(out.birthDate, undefined);
  t.false('deceasedBoolean' in out);
  // Once its list and its use are gone the second name is empty, and goes too (ele-1).
  t.is((out.name as any[]).length, 1);
  t.is((out.name as any[])[0].use, 'official');
});

test('delete of the last item removes the property, and its _primitive companion with it', (t) => {
  const resource = { ...patient(), name: [{ given: ['A'], _given: [{ id: 'g1' }] }] } as Resource;
  const out = applyFhirPathPatch(resource, params(op('delete', 'Patient.name.given')));
  t.false('name' in out);
  const one = { resourceType: 'Patient', identifier: [{ value: 'only' }] } as Resource;
  t.false('identifier' in applyFhirPathPatch(one, params(op('delete', 'Patient.identifier'))));
});

test('delete matching several elements is 422', (t) => {
  fails(t, patient(), params(op('delete', "Patient.identifier.where(system = 'urn:mrn')")), 422, 'unprocessable');
});

test('replace a primitive, an item of a list and a complex value', (t) => {
  const out = applyFhirPathPatch(patient(), params(
    op('replace', 'Patient.birthDate', { value: { valueDate: '1930-01-01' } }),
    op('replace', 'Patient.active', { value: { valueBoolean: false } }),
    op('replace', 'Patient.name[0].given[1]', { value: { valueString: 'Jacob' } }),
    op('replace', "Patient.identifier.where(system = 'urn:ssn')", { value: { valueIdentifier: { system: 'urn:ssn', value: '4' } } }),
  ));
  t.is(out.birthDate, '1930-01-01');
  t.is(out.active, false);
  t.deepEqual((out.name as any[])[0].given, ['Peter', 'Jacob']);
  t.deepEqual((out.identifier as any[])[2], { system: 'urn:ssn', value: '4' });
});

test('an indexer over a flattened collection finds the right list item', (t) => {
  const resource = { resourceType: 'Patient', name: [{ given: ['a', 'b'] }, { given: ['c'] }] } as Resource;
  const out = applyFhirPathPatch(resource, params(op('replace', 'Patient.name.given[2]', { value: { valueString: 'Z' } })));
  t.deepEqual(out.name, [{ given: ['a', 'b'] }, { given: ['Z'] }]);
});

test('replace of a choice element may change its type; numbers stay JSON numbers', (t) => {
  const obs = {
    resourceType: 'Observation', status: 'final', code: { text: 'weight' }, valueString: 'heavy',
    component: [{ code: { text: 'a' }, valueInteger: 1 }],
  } as Resource;
  const out = applyFhirPathPatch(obs, params(
    op('replace', 'Observation.value', { value: { valueQuantity: { value: 72.5, unit: 'kg' } } }),
    op('replace', 'Observation.component[0].value', { value: { valueInteger: 2 } }),
  ));
  t.false('valueString' in out);
  t.deepEqual(out.valueQuantity, { value: 72.5, unit: 'kg' });
  t.is((out.component as any[])[0].valueInteger, 2);
});

test('replace with nested parts builds a backbone element', (t) => {
  const resource = { ...patient(), contact: [{ name: { text: 'old' } }] } as Resource;
  const out = applyFhirPathPatch(resource, params(op('replace', 'Patient.contact[0]', {
    value: { part: [{ name: 'name', valueHumanName: { family: 'New' } }, { name: 'gender', valueCode: 'female' }] },
  })));
  t.deepEqual(out.contact, [{ name: { family: 'New' }, gender: 'female' }]);
});

test('replace where the path matches nothing or several elements is 422', (t) => {
  fails(t, patient(), params(op('replace', 'Patient.maritalStatus', { value: { valueCodeableConcept: { text: 'M' } } })), 422, 'unprocessable');
  fails(t, patient(), params(op('replace', 'Patient.name.given', { value: { valueString: 'X' } })), 422, 'unprocessable');
});

test('move reorders a list', (t) => {
  const out = applyFhirPathPatch(patient(), params(op('move', 'Patient.identifier', { source: 0, destination: 2 })));
  t.deepEqual((out.identifier as any[]).map((i) => i.value), ['2', '3', '1']);
  const back = applyFhirPathPatch(out, params(op('move', 'Patient.identifier', { source: 2, destination: 0 })));
  t.deepEqual((back.identifier as any[]).map((i) => i.value), ['1', '2', '3']);
  fails(t, patient(), params(op('move', 'Patient.identifier', { source: 0, destination: 3 })), 422, 'unprocessable');
  fails(t, patient(), params(op('move', 'Patient.telecom', { source: 0, destination: 0 })), 422, 'unprocessable');
  fails(t, patient(), params(op('move', 'Patient.identifier', { source: 0 })), 400, 'invalid-request');
});

test('elements of contained resources can be patched', (t) => {
  const resource = { ...patient(), contained: [{ resourceType: 'Organization', id: 'o', name: 'Old' }] } as Resource;
  const out = applyFhirPathPatch(resource, params(op('replace', 'Patient.contained.ofType(Organization).name', { value: { valueString: 'New' } })));
  t.is((out.contained as any[])[0].name, 'New');
});

test('the input resource is never mutated, and an empty Parameters changes nothing', (t) => {
  const input = patient();
  const before = structuredClone(input);
  applyFhirPathPatch(input, params(op('delete', 'Patient.identifier[0]'), op('replace', 'Patient.gender', { value: { valueCode: 'female' } })));
  t.deepEqual(input, before);
  t.deepEqual(applyFhirPathPatch(input, { resourceType: 'Parameters' }), before);
});

test('malformed Parameters documents are 400', (t) => {
  const r = patient();
  fails(t, r, [{ op: 'replace', path: '/gender', value: 'female' }], 400, 'invalid-request');
  fails(t, r, { resourceType: 'Patient' }, 400, 'invalid-request');
  fails(t, r, params(op('upsert', 'Patient.gender', { value: { valueCode: 'female' } })), 400, 'invalid-request');
  fails(t, r, params({ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }] }), 400, 'invalid-request');
  fails(t, r, params(op('add', 'Patient', { value: { valueDate: '1930-01-01' } })), 400, 'invalid-request');
  fails(t, r, params(op('replace', 'Patient.gender')), 400, 'invalid-request');
  fails(t, r, params(op('replace', 'Patient.gender', { value: { valueCode: 'female', valueString: 'female' } })), 400, 'invalid-request');
  fails(t, r, params({ name: 'other', part: [] }), 400, 'invalid-request');
  fails(t, r, params(op('delete', 'Patient.name.(')), 400, 'invalid-request');
  fails(t, r, params(op('add', 'Patient', { name: 'nickname', value: { valueString: 'x' } })), 400, 'invalid-request');
});

test('errors name the operation that failed', (t) => {
  const err = fails(t, patient(), params(op('delete', 'Patient.photo'), op('replace', 'Patient.photo', { value: { valueAttachment: {} } })), 422, 'unprocessable');
  t.deepEqual(err.issues[0].expression, ['Parameters.parameter[1]']);
});
