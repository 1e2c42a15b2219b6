// The chart's plain functions, outside the browser: what a typed search is, ages, names in either
// language, H/L flags from interpretation or reference range, the previous value of a test, and the
// points, bands and abnormal marks of the trend lines.
import test from 'ava';
import { classify } from '../../web/src/emr/chart/api.ts';
import { ageOf, conceptText, maskResidentId, personName, testName, type Observation } from '../../web/src/emr/chart/fhir.ts';
import { flagOf, previousOf, rangeText } from '../../web/src/emr/chart/results.ts';
import { VITAL_SERIES, componentLines, valueLine } from '../../web/src/emr/chart/trends.ts';

const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
const obs = (id: string, code: string, when: string, value: number, extra: Partial<Observation> = {}): Observation =>
  ({ resourceType: 'Observation', id, code: loinc(code), effectiveDateTime: when, valueQuantity: { value, unit: '%' }, ...extra });

test('a typed search is a resident ID (18 characters), a mobile number (11 digits), an MRN (other digits) or a name', (t) => {
  t.is(classify('33010619580522257X'), 'residentId');
  t.is(classify('330106195805222578'), 'residentId');
  t.is(classify('13800000025'), 'phone');
  t.is(classify('10000025'), 'mrn');
  t.is(classify('梁'), 'name');
  t.is(classify('Liang'), 'name');
});

test('ages in years, months for infants, days for the newborn; resident IDs masked', (t) => {
  t.deepEqual(ageOf('1958-05-22', '2026-12-03'), { value: 68, unit: 'y' });
  t.deepEqual(ageOf('1958-12-04', '2026-12-03'), { value: 67, unit: 'y' }, 'not yet this year\'s birthday');
  t.deepEqual(ageOf('2026-06-10', '2026-12-03'), { value: 5, unit: 'm' });
  t.deepEqual(ageOf('2026-11-28', '2026-12-03'), { value: 5, unit: 'd' });
  t.is(ageOf(undefined, '2026-12-03'), undefined);
  t.is(maskResidentId('330106195805222578'), '330106********2578');
});

test('names and codes read in the UI\'s language', (t) => {
  const patient = { name: [
    { text: '梁萱', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'IDE' }] },
    { text: 'Liang Xuan', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'ABC' }] },
  ] };
  t.is(personName(patient, 'zh-CN'), '梁萱');
  t.is(personName(patient, 'en'), '梁萱 (Liang Xuan)');
  const condition = { text: '原发性高血压', coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10', display: '原发性高血压', _display: { extension: [{
    url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'en' }, { url: 'content', valueString: 'Essential (primary) hypertension' }],
  }] } }] };
  t.is(conceptText(condition, 'zh-CN'), '原发性高血压');
  t.is(conceptText(condition, 'en'), 'Essential (primary) hypertension');
  const glucose = { text: '葡萄糖', coding: [{ system: 'http://loinc.org', code: '14749-6', display: 'Glucose [Moles/volume] in Serum or Plasma' }] };
  t.is(testName(glucose, 'en'), 'Glucose');
  t.is(testName(glucose, 'zh-CN'), '葡萄糖');
  t.is(conceptText({ text: '青霉素类', coding: [{ system: 'http://snomed.info/sct', code: '373270004', display: 'Penicillin -class of antibiotic- (substance)' }] }, 'en'),
    'Penicillin -class of antibiotic-', 'no SNOMED CT semantic tag');
});

test('H / L from the interpretation, else from the reference range; the previous value of the same code', (t) => {
  const range = [{ low: { value: 4 }, high: { value: 6 } }];
  const high = obs('a', '4548-4', '2026-11-26T09:31:00+08:00', 6.6, { interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }], referenceRange: range });
  t.is(flagOf(high), 'H');
  t.is(flagOf(obs('b', '4548-4', '2026-01-01', 3.1, { referenceRange: range })), 'L');
  t.is(flagOf(obs('c', '4548-4', '2026-01-01', 5, { referenceRange: range })), undefined);
  t.is(rangeText(range[0]), '4–6');
  t.is(rangeText({ high: { value: 5.2 } }), '≤ 5.2');

  const older = obs('d', '4548-4', '2026-09-04T09:53:00+08:00', 7.8);
  const oldest = obs('e', '4548-4', '2026-03-01T09:00:00+08:00', 6.1);
  const other = obs('f', '14749-6', '2026-10-01T09:00:00+08:00', 7);
  const comparison = previousOf(high, [high, oldest, other, older]);
  t.is(comparison?.previous.id, 'd');
  t.is(comparison?.direction, '↓');
  t.is(previousOf(oldest, [high, oldest, older]), undefined);
});

test('trend lines: points in time order, the reference band, abnormal points; blood pressure as two lines', (t) => {
  const line = valueLine('8867-4', [
    obs('p2', '8867-4', '2026-11-02T08:00:00+08:00', 112),
    obs('p1', '8867-4', '2026-11-01T08:00:00+08:00', 80),
  ], [60, 100]);
  t.deepEqual(line.points.map((p) => p.id), ['p1', 'p2']);
  t.deepEqual(line.band, [60, 100]);
  t.deepEqual(line.points.map((p) => p.flag), [undefined, 'H']);

  const bp = VITAL_SERIES.find((s) => s.key === 'bp')!;
  const panel = (id: string, when: string, sys: number, dia: number): Observation => ({
    resourceType: 'Observation', id, code: loinc('85354-9'), effectiveDateTime: when,
    component: [{ code: loinc('8480-6'), valueQuantity: { value: sys } }, { code: loinc('8462-4'), valueQuantity: { value: dia } }],
  });
  const [systolic, diastolic] = componentLines(bp, [panel('b1', '2026-11-01T08:00:00+08:00', 150, 80), panel('b2', '2026-11-02T08:00:00+08:00', 120, 55)], true);
  t.deepEqual(systolic!.points.map((p) => [p.value, p.flag]), [[150, 'H'], [120, undefined]]);
  t.deepEqual(diastolic!.points.map((p) => [p.value, p.flag]), [[80, undefined], [55, 'L']]);
  t.is(componentLines(bp, [panel('b1', '2026-11-01T08:00:00+08:00', 150, 80)], false)[0]!.band, undefined, 'no adult band for a child');
});
