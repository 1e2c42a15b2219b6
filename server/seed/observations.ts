// Vital signs and laboratory results.
// Vital signs follow the R4 vital signs profiles (http://hl7.org/fhir/R4/observation-vitalsigns.html):
// status, category `vital-signs`, a LOINC code, subject, effectiveDateTime, and a UCUM
// valueQuantity — or, for blood pressure (85354-9), systolic 8480-6 and diastolic 8462-4
// components in mm[Hg] and no value. Oxygen saturation carries 2708-6 (required by the R4
// oxygensat profile) alongside the pulse-oximetry code 59408-5.
// Laboratory results are Observations with category `laboratory`, a reference range and an
// interpretation (v3 ObservationInterpretation H / L / N), grouped by one DiagnosticReport per panel.
import { coding, concept, refTo, ucum, type CodeableConcept, type Reference } from './fhir.ts';
import { LAB_TESTS, PANELS, type LabKey, type LabTest, type PanelKey } from './clinical-codes.ts';
import { notBeforeStart, type EncounterHandle } from './encounters.ts';
import { HOSPITAL_ID, HOSPITAL_NAME } from './organization.ts';
import { practitionerRef, type PatientContext } from './record-context.ts';
import { SYSTEMS } from './systems.ts';

type Range = readonly [number, number];

/** What the encounter's vitals look like; unspecified ones are normal for the patient's age. */
export interface VitalsPlan {
  temperature?: Range;
  heartRate?: Range;
  respiratoryRate?: Range;
  systolic?: Range;
  diastolic?: Range;
  spo2?: Range;
  /** Also measure weight and height (first visit, children, pregnancy). */
  anthropometry?: boolean;
}

const VITAL_CODES = {
  temperature: { loinc: '8310-5', display: 'Body temperature', zh: '体温', ucum: 'Cel', unit: '℃', profile: 'bodytemp' },
  heartRate: { loinc: '8867-4', display: 'Heart rate', zh: '心率', ucum: '/min', unit: '次/分', profile: 'heartrate' },
  respiratoryRate: { loinc: '9279-1', display: 'Respiratory rate', zh: '呼吸频率', ucum: '/min', unit: '次/分', profile: 'resprate' },
  spo2: { loinc: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', zh: '血氧饱和度', ucum: '%', unit: '%', profile: 'oxygensat' },
  weight: { loinc: '29463-7', display: 'Body weight', zh: '体重', ucum: 'kg', unit: 'kg', profile: 'bodyweight' },
  height: { loinc: '8302-2', display: 'Body height', zh: '身高', ucum: 'cm', unit: 'cm', profile: 'bodyheight' },
} as const;

const vitalCategory = [concept(coding(SYSTEMS.observationCategory, 'vital-signs', 'Vital Signs'))];
const labCategory = [concept(coding(SYSTEMS.observationCategory, 'laboratory', 'Laboratory'))];

function normalVitals(age: number): Required<Omit<VitalsPlan, 'anthropometry'>> {
  if (age < 6) return { temperature: [36.4, 37.2], heartRate: [90, 120], respiratoryRate: [22, 30], systolic: [85, 100], diastolic: [50, 65], spo2: [97, 100] };
  if (age < 14) return { temperature: [36.3, 37.1], heartRate: [75, 105], respiratoryRate: [18, 24], systolic: [95, 112], diastolic: [55, 72], spo2: [97, 100] };
  return { temperature: [36.2, 37.0], heartRate: [62, 88], respiratoryRate: [14, 20], systolic: [108, 132], diastolic: [66, 84], spo2: [96, 100] };
}

/** Record a set of vital signs at `daysAgo`/`hour` during the encounter. */
export function recordVitals(
  ctx: PatientContext, enc: EncounterHandle, daysAgo: number, hour: number, plan: VitalsPlan,
  which: readonly ('temperature' | 'heartRate' | 'respiratoryRate' | 'bp' | 'spo2')[],
): void {
  const normal = normalVitals(ctx.patient.age);
  const effective = ctx.clock.format(notBeforeStart(ctx, enc, daysAgo, hour, ctx.prng.int(0, 50), ctx.prng.int(3, 9)));
  const performer = enc.kind === 'AMB' ? enc.doctor : (ctx.nurse(enc.dept) ?? ctx.nurse('ed') ?? enc.doctor);
  const base = (id: string, code: CodeableConcept, profile: string) => ({
    resourceType: 'Observation',
    id,
    meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${profile}`] },
    status: 'final',
    category: vitalCategory,
    code,
    subject: ctx.patientRef,
    encounter: enc.ref,
    effectiveDateTime: effective,
    performer: [practitionerRef(performer)],
  });
  const simple = (key: keyof typeof VITAL_CODES, value: number) => {
    const v = VITAL_CODES[key];
    const codings = [coding(SYSTEMS.loinc, v.loinc, v.display)];
    if (key === 'spo2') codings.push(coding(SYSTEMS.loinc, '2708-6', 'Oxygen saturation in Arterial blood'));
    ctx.add({ ...base(ctx.nextId('obs'), concept(codings, v.zh), v.profile), valueQuantity: ucum(value, v.ucum, v.unit) });
  };
  for (const kind of which) {
    if (kind === 'bp') {
      const [sLow, sHigh] = plan.systolic ?? normal.systolic;
      const [dLow, dHigh] = plan.diastolic ?? normal.diastolic;
      const component = (loinc: string, display: string, zh: string, value: number) => ({
        code: concept(coding(SYSTEMS.loinc, loinc, display), zh),
        valueQuantity: ucum(value, 'mm[Hg]', 'mmHg'),
      });
      ctx.add({
        ...base(ctx.nextId('obs'), concept(coding(SYSTEMS.loinc, '85354-9', 'Blood pressure panel with all children optional'), '血压'), 'bp'),
        component: [
          component('8480-6', 'Systolic blood pressure', '收缩压', ctx.prng.int(sLow, sHigh)),
          component('8462-4', 'Diastolic blood pressure', '舒张压', ctx.prng.int(dLow, dHigh)),
        ],
      });
    } else {
      const [low, high] = plan[kind] ?? normal[kind];
      simple(kind, kind === 'temperature' ? ctx.prng.decimal(low, high, 1) : ctx.prng.int(low, high));
    }
  }
  if (plan.anthropometry) {
    simple('weight', ctx.body.weightKg);
    simple('height', ctx.body.heightCm);
  }
}

function referenceRange(test: LabTest, ctx: PatientContext, key: LabKey): { low?: number; high?: number; text?: string } {
  const age = ctx.patient.age;
  // Children's intervals for the blood count, WS/T 779-2021 (儿童血细胞分析参考区间).
  if (age < 18 && (key === 'wbc' || key === 'hgb' || key === 'plt')) {
    const child = {
      wbc: age < 6 ? [4.4, 11.9] : age < 13 ? [4.3, 11.3] : [4.1, 11.0],
      hgb: age < 6 ? [112, 149] : age < 13 ? [118, 156] : [114, 158],
      plt: age < 6 ? [188, 472] : age < 12 ? [167, 456] : [150, 407],
    }[key] as [number, number];
    return { low: child[0], high: child[1], text: '儿童参考区间' };
  }
  const range = test.range;
  if ('male' in range) return ctx.patient.gender === 'male' ? { ...range.male } : { ...range.female };
  return { ...range };
}

function typicalValue(range: { low?: number; high?: number }, ctx: PatientContext, decimals: number): number {
  const low = range.low ?? (range.high ?? 1) * 0.3;
  const high = range.high ?? (range.low ?? 1) * 1.6;
  const margin = (high - low) * 0.1;
  return ctx.prng.decimal(range.low === undefined ? low : low + margin, range.high === undefined ? high : high - margin, decimals);
}

const quantity = (test: LabTest, value: number) => ({ value, unit: test.unit, system: SYSTEMS.ucum, code: test.ucum });

/** A lab panel: one Observation per test and a DiagnosticReport over them. `abnormal` overrides value ranges. */
export function labPanel(
  ctx: PatientContext, enc: EncounterHandle, panelKey: PanelKey, daysAgo: number, hour: number,
  abnormal: Partial<Record<LabKey, Range>> = {},
): Reference {
  const panel = PANELS[panelKey];
  const collected = notBeforeStart(ctx, enc, daysAgo, hour, ctx.prng.int(0, 30), ctx.prng.int(20, 40));
  const issued = ctx.clock.format(new Date(collected.getTime() + ctx.prng.int(60, 150) * 60000));
  const effective = ctx.clock.format(collected);
  const lab = refTo('Organization', HOSPITAL_ID, HOSPITAL_NAME);
  const results: Reference[] = [];
  const flagged: string[] = [];
  for (const key of panel.tests) {
    const test: LabTest = LAB_TESTS[key];
    const range = referenceRange(test, ctx, key);
    const forced = abnormal[key];
    const value = forced ? ctx.prng.decimal(forced[0], forced[1], test.decimals) : typicalValue(range, ctx, test.decimals);
    const flag = range.high !== undefined && value > range.high ? ['H', 'High', '升高']
      : range.low !== undefined && value < range.low ? ['L', 'Low', '降低'] : ['N', 'Normal', '正常'];
    if (flag[0] !== 'N') flagged.push(`${test.zh}${flag[2]}`);
    const id = ctx.nextId('obs');
    const rangeEntry: Record<string, unknown> = {};
    if (range.low !== undefined) rangeEntry.low = quantity(test, range.low);
    if (range.high !== undefined) rangeEntry.high = quantity(test, range.high);
    if (range.text) rangeEntry.text = range.text;
    ctx.add({
      resourceType: 'Observation',
      id,
      status: 'final',
      category: labCategory,
      code: concept(coding(SYSTEMS.loinc, test.loinc, test.display), test.zh),
      subject: ctx.patientRef,
      encounter: enc.ref,
      effectiveDateTime: effective,
      issued,
      performer: [lab],
      valueQuantity: quantity(test, value),
      interpretation: [concept(coding(SYSTEMS.v3Interpretation, flag[0] as string, flag[1]), flag[2])],
      referenceRange: [rangeEntry],
    });
    results.push(refTo('Observation', id, test.zh));
  }
  const reportId = ctx.nextId('dr');
  ctx.add({
    resourceType: 'DiagnosticReport',
    id: reportId,
    status: 'final',
    category: [concept(coding(SYSTEMS.v2DiagnosticService, panel.section, panel.section === 'HM' ? 'Hematology' : 'Chemistry'))],
    code: concept(coding(SYSTEMS.loinc, panel.loinc, panel.display), panel.zh),
    subject: ctx.patientRef,
    encounter: enc.ref,
    effectiveDateTime: effective,
    issued,
    performer: [lab],
    resultsInterpreter: [practitionerRef(enc.doctor)],
    result: results,
    conclusion: flagged.length === 0 ? '未见异常' : flagged.join('，'),
  });
  return refTo('DiagnosticReport', reportId, panel.zh);
}

/** A chest radiograph report, read by a radiologist (LOINC 36643-5 XR Chest 2 Views). */
export function chestXray(ctx: PatientContext, enc: EncounterHandle, daysAgo: number, hour: number, conclusion: string): void {
  const effective = notBeforeStart(ctx, enc, daysAgo, hour, ctx.prng.int(0, 40), ctx.prng.int(30, 60));
  ctx.add({
    resourceType: 'DiagnosticReport',
    id: ctx.nextId('dr'),
    status: 'final',
    category: [concept(coding(SYSTEMS.v2DiagnosticService, 'RAD', 'Radiology'))],
    code: concept(coding(SYSTEMS.loinc, '36643-5', 'XR Chest 2 Views'), '胸部X线正侧位片'),
    subject: ctx.patientRef,
    encounter: enc.ref,
    effectiveDateTime: ctx.clock.format(effective),
    issued: ctx.clock.format(new Date(effective.getTime() + 45 * 60000)),
    performer: [refTo('Organization', 'demo-dept-rad', '放射科')],
    resultsInterpreter: [practitionerRef(ctx.radiologist())],
    conclusion,
  });
}
