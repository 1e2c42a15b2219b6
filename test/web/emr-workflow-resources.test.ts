// The FHIR resources the workflow pages build from their forms (web/src/emr/workflow/resources.ts,
// notes.ts): vital-signs profiles, narrative round trips, prescriptions and MAR entries.
import test from 'ava';
import { administration, invalidVitals, medicationRequest, vitalsObservations } from '../../web/src/emr/workflow/resources.ts';
import { compositionDraft, fromDiv, NOTES, textsOf, toDiv } from '../../web/src/emr/workflow/notes.ts';

type Json = Record<string, any>;
const context = { patient: 'p1', encounter: 'e1', practitioner: 'dr1', now: '2026-12-03T08:00:00Z' };

test('vitals: one Observation per filled measurement, blood pressure as the 85354-9 panel, blanks left out', (t) => {
  const out = vitalsObservations({ temperature: '37.5', systolic: '120', diastolic: '80', pulse: '' }, context) as Json[];
  t.deepEqual(out.map((o) => o.code.coding[0].code), ['8310-5', '85354-9']);
  t.true(out.every((o) => o.category[0].coding[0].code === 'vital-signs' && o.status === 'final' && o.encounter.reference === 'Encounter/e1'));
  t.like(out[0]!.valueQuantity, { value: 37.5, code: 'Cel', system: 'http://unitsofmeasure.org' });
  t.is(out[1]!.valueQuantity, undefined);
  t.deepEqual(out[1]!.component.map((c: Json) => [c.code.coding[0].code, c.valueQuantity.value]), [['8480-6', 120], ['8462-4', 80]]);
});

test('vitals out of range, not numbers, or half a blood pressure are refused before anything is written', (t) => {
  t.deepEqual(invalidVitals({ temperature: '73', spo2: '101', pain: 'x' }).sort(), ['pain', 'spo2', 'temperature']);
  t.deepEqual(invalidVitals({ systolic: '120' }), ['diastolic']);
  t.deepEqual(invalidVitals({ temperature: '36.8', pulse: '72' }), []);
});

test('note text survives the XHTML narrative: escaped, lines kept', (t) => {
  const text = 'a < b & c > d\n<script>alert(1)</script>\n第三行';
  const div = toDiv(text);
  t.false(div.includes('<script>'));
  t.true(div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml">'));
  t.is(fromDiv(div), text);
});

test('a draft note keeps the filled sections with their LOINC codes and reads back by section', (t) => {
  const titles = { chiefComplaint: '主诉', history: '现病史', examination: '体格检查', assessment: '诊断', plan: '处理' };
  const draft = compositionDraft(NOTES.outpatient, { title: '门诊病历', texts: { chiefComplaint: '咳嗽', assessment: 'J18.9 肺炎', plan: ' ' }, titles }, context);
  t.like(draft, { status: 'preliminary', author: [{ reference: 'Practitioner/dr1' }], type: { coding: [{ code: '34108-1' }] } });
  t.deepEqual(draft.section!.map((s) => s.code!.coding![0]!.code), ['10154-3', '51848-0']);
  t.like(textsOf(NOTES.outpatient, draft, titles), { chiefComplaint: '咳嗽', assessment: 'J18.9 肺炎', history: '' });
});

test('a prescription carries timing, route, dose and the dispense quantity and duration', (t) => {
  const drug = { key: 'metformin', atc: 'A10BA02', zh: '盐酸二甲双胍片', en: 'Metformin', strength: '0.5g', route: { code: '26643006', zh: '口服', en: 'Oral' }, dose: { value: 0.5, code: 'g', unit: 'g' }, frequency: 'TID', days: 30 };
  const request = medicationRequest({
    drug, doseValue: 0.5, route: drug.route, frequency: { code: 'TID', zh: '每日3次', en: 'three times a day', repeat: { frequency: 3, period: 1, periodUnit: 'd' } },
    days: 30, quantity: 90, quantityUnit: '片', category: 'discharge',
  }, context) as Json;
  t.is(request.category[0].coding[0].code, 'discharge');
  t.is(request.dosageInstruction[0].timing.code.coding[0].code, 'TID');
  t.deepEqual(request.dosageInstruction[0].timing.repeat, { frequency: 3, period: 1, periodUnit: 'd' });
  t.like(request.dosageInstruction[0].doseAndRate[0].doseQuantity, { value: 0.5, code: 'g' });
  t.deepEqual(request.dispenseRequest, { quantity: { value: 90, unit: '片' }, expectedSupplyDuration: { value: 30, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' } });
});

test('a held dose is a not-done MedicationAdministration with the reason and the scheduled time', (t) => {
  const request = { resourceType: 'MedicationRequest', id: 'mr1', medicationCodeableConcept: { text: 'x' }, dosageInstruction: [{ text: 'once' }] };
  const held = administration({ request, scheduled: '2026-12-03T08:00:00+08:00', outcome: 'held', reason: 'NPO' }, context) as Json;
  t.is(held.status, 'not-done');
  t.deepEqual(held.statusReason[0], { coding: [{ system: 'https://open-his.example.org/fhir/CodeSystem/mar-not-given', code: 'held' }], text: 'held' });
  t.deepEqual(held.note, [{ text: 'NPO' }]);
  t.is(held.extension[0].valueDateTime, '2026-12-03T08:00:00+08:00');
  t.deepEqual(held.performer, [{ actor: { reference: 'Practitioner/dr1' } }]);
  const given = administration({ request, scheduled: '2026-12-03T08:00:00+08:00', outcome: 'given' }, context) as Json;
  t.is(given.status, 'completed');
  t.is(given.statusReason, undefined);
});
