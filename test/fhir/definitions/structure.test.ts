import test from 'ava';
import {
  isResourceType, resourceTypes, structureDefinitions, typeModel,
} from '../../../fhir/definitions/structure.ts';

test('resourceTypes lists the 146 concrete R4 resource types and no abstract ones', (t) => {
  const types = resourceTypes();
  t.is(types.length, 146);
  t.true(types.includes('Patient'));
  t.true(types.includes('Bundle'));
  t.true(types.includes('Parameters'));
  t.false(types.includes('Resource'));
  t.false(types.includes('DomainResource'));
  t.false(types.includes('MetadataResource'));
});

test('isResourceType accepts resource types and rejects datatypes and unknown names', (t) => {
  t.true(isResourceType('Observation'));
  t.false(isResourceType('HumanName'));
  t.false(isResourceType('DomainResource'));
  t.false(isResourceType('patient'));
});

test('the definitions are compiled once and shared', (t) => {
  t.is(structureDefinitions(), structureDefinitions());
  t.true(structureDefinitions().loadMs > 0);
});

test('a choice element is expanded into one JSON property per type', (t) => {
  const observation = typeModel('Observation')!;
  const quantity = observation.properties.get('valueQuantity')!;
  t.is(quantity.element.path, 'Observation.value[x]');
  t.is(quantity.type.code, 'Quantity');
  t.truthy(observation.properties.get('valueCodeableConcept'));
  t.is(observation.properties.get('value'), undefined);
  t.deepEqual(observation.choices.map((e) => e.name).sort(), ['effective', 'value']);
});

test('required elements and required bindings come from the snapshot', (t) => {
  const observation = typeModel('Observation')!;
  t.deepEqual(observation.required.map((e) => e.path), ['Observation.status', 'Observation.code']);
  t.is(observation.properties.get('status')!.element.binding?.valueSet, 'http://hl7.org/fhir/ValueSet/observation-status');
});

test('repeating elements are marked by their base cardinality', (t) => {
  const patient = typeModel('Patient')!;
  t.true(patient.properties.get('name')!.element.repeating);
  t.false(patient.properties.get('gender')!.element.repeating);
  t.is(patient.properties.get('name')!.element.max, Infinity);
});

test('a contentReference element reuses the model of the element it points to', (t) => {
  const item = typeModel('Questionnaire')!.properties.get('item')!.type.model;
  t.is(item.name, 'Questionnaire.item');
  t.is(item.properties.get('item')!.type.model, item);
  const bundleEntry = typeModel('Bundle')!.properties.get('entry')!.type.model;
  t.is(bundleEntry.properties.get('resource')!.type.model.name, 'Resource');
});

test('reference target types come from targetProfile, and Resource targets allow any type', (t) => {
  const subject = typeModel('Observation')!.properties.get('subject')!.type;
  t.deepEqual([...subject.targets!].sort(), ['Device', 'Group', 'Location', 'Patient']);
  const entry = typeModel('List')!.properties.get('entry')!.type.model;
  t.is(entry.properties.get('item')!.type.targets, undefined);
});

test('a type profile such as SimpleQuantity selects the constrained model', (t) => {
  const low = typeModel('Range')!.properties.get('low')!.type;
  t.is(low.code, 'Quantity');
  t.is(low.model.name, 'SimpleQuantity');
  t.is(low.model.properties.get('comparator')!.element.max, 0);
});

test('primitive types carry the regex published in their StructureDefinition', (t) => {
  const date = typeModel('date')!;
  t.is(date.kind, 'primitive-type');
  t.true(new RegExp(`^(?:${date.regex})$`).test('2020-02'));
  t.is(typeModel('Extension')!.properties.get('url')!.type.model.name, 'uri');
});
