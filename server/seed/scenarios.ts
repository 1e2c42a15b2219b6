// Clinical stories behind the demo patients. Each scenario writes a plausible course of care —
// who was seen where, when, for what, with which findings and treatment — relative to `now`.
// Days are counted back from today; inpatients without a discharge day are in hospital now
// and hold a bed on the ward board.
import type { ConditionKey } from './clinical-codes.ts';
import type { DepartmentKey } from './departments.ts';
import { diagnose, finish, openEncounter, problem, type EncounterKind, type EncounterPlan } from './encounters.ts';
import { prescribe } from './medications.ts';
import { chestXray, labPanel, recordVitals, type VitalsPlan } from './observations.ts';
import type { PatientContext } from './record-context.ts';

type Handle = ReturnType<typeof openEncounter>;
type Step = (enc: Handle) => void;

const FEVER: VitalsPlan = { temperature: [38.2, 39.3], heartRate: [92, 112] };
const CHILD_FEVER: VitalsPlan = { temperature: [38.3, 39.5], heartRate: [115, 140], respiratoryRate: [26, 34] };
const HTN_HIGH: VitalsPlan = { systolic: [146, 166], diastolic: [88, 102] };
const HTN_CONTROLLED: VitalsPlan = { systolic: [126, 140], diastolic: [76, 88] };
const FEVER_TRIGGER = { code: '386661006', display: 'Fever', zh: '发热（体温≥38.5℃）' };
const WHEEZE_TRIGGER = { code: '56018004', display: 'Wheezing', zh: '喘息发作' };

/** One encounter: open, diagnose, run the steps, write the Encounter. */
function visit(
  ctx: PatientContext, kind: EncounterKind, dept: DepartmentKey, daysAgo: number, hour: number,
  diagnoses: readonly ConditionKey[], step: Step, extra: Partial<EncounterPlan> = {},
): Handle {
  const enc = openEncounter(ctx, { kind, dept, daysAgo, hour, minute: ctx.prng.int(0, 45), minutes: ctx.prng.int(10, 25), ...extra });
  ctx.encounters.push(enc);
  for (const key of diagnoses) diagnose(ctx, enc, key, extra.resolvedDaysAgo);
  step(enc);
  finish(ctx, enc);
  return enc;
}

/** Daily ward-round vitals for an inpatient stay, from admission to discharge (or today). */
function wardVitals(ctx: PatientContext, enc: Handle, from: number, to: number, sick: VitalsPlan, recovering: VitalsPlan): void {
  for (let day = from; day >= Math.max(to, 1); day--) {
    const plan = day >= from - 1 ? sick : recovering;
    recordVitals(ctx, enc, day, 8, plan, ['temperature', 'heartRate', 'respiratoryRate', 'bp', 'spo2']);
  }
}

function hypertensionDiabetes(ctx: PatientContext): void {
  const htn = problem(ctx, 'hypertension', ctx.prng.int(5, 12), 'im');
  const dm = problem(ctx, 'diabetes2', ctx.prng.int(2, 8), 'im');
  [90, 60, 30, 7].forEach((daysAgo, i) => {
    visit(ctx, 'AMB', 'im', daysAgo, 9, [], (enc) => {
      recordVitals(ctx, enc, daysAgo, 9, i === 0 ? HTN_HIGH : HTN_CONTROLLED, ['bp', 'heartRate']);
      if (i === 0 || i === 3) {
        labPanel(ctx, enc, 'chemistry', daysAgo, 8, { glucose: i === 0 ? [8.2, 10.5] : [6.4, 7.6] });
        labPanel(ctx, enc, 'hba1c', daysAgo, 8, { hba1c: i === 0 ? [7.6, 8.6] : [6.6, 7.2] });
      }
      const status = i === 3 ? 'active' : 'completed';
      prescribe(ctx, enc, 'nifedipineCR', { status, reason: htn });
      prescribe(ctx, enc, 'metformin', { status, reason: dm });
    }, { comorbidities: [htn, dm] });
  });
}

function hypertensionLipids(ctx: PatientContext): void {
  const htn = problem(ctx, 'hypertension', ctx.prng.int(3, 10), 'im');
  const lipid = problem(ctx, 'hyperlipidaemia', ctx.prng.int(1, 4), 'im');
  [45, 14].forEach((daysAgo, i) => {
    visit(ctx, 'AMB', 'im', daysAgo, 10, [], (enc) => {
      recordVitals(ctx, enc, daysAgo, 10, i === 0 ? HTN_HIGH : HTN_CONTROLLED, ['bp', 'heartRate']);
      if (i === 0) labPanel(ctx, enc, 'lipids', daysAgo, 8, { cholesterol: [5.8, 6.9], triglyceride: [1.9, 2.8], ldl: [3.7, 4.6] });
      const status = i === 1 ? 'active' : 'completed';
      prescribe(ctx, enc, 'amlodipine', { status, reason: htn });
      prescribe(ctx, enc, 'atorvastatin', { status, reason: lipid });
    }, { comorbidities: [htn, lipid] });
  });
}

function coronary(ctx: PatientContext): void {
  const htn = problem(ctx, 'hypertension', ctx.prng.int(8, 15), 'im');
  const chd = problem(ctx, 'coronary', ctx.prng.int(1, 3), 'im');
  const antiplatelet = ctx.patient.plan.allergy === 'aspirin' ? 'clopidogrel' : 'aspirin';
  visit(ctx, 'AMB', 'im', 120, 9, [], (enc) => {
    recordVitals(ctx, enc, 120, 9, HTN_CONTROLLED, ['bp', 'heartRate']);
    prescribe(ctx, enc, antiplatelet, { reason: chd });
  }, { comorbidities: [chd, htn] });
  visit(ctx, 'IMP', 'im', 40, 14, [], (enc) => {
    wardVitals(ctx, enc, 40, 34, { systolic: [140, 155], heartRate: [80, 96] }, HTN_CONTROLLED);
    labPanel(ctx, enc, 'cbc', 39, 6);
    labPanel(ctx, enc, 'chemistry', 39, 6);
    labPanel(ctx, enc, 'lipids', 39, 6, { ldl: [2.9, 3.6] });
    labPanel(ctx, enc, 'troponin', 40, 15);
    prescribe(ctx, enc, antiplatelet, { reason: chd, status: 'completed' });
    prescribe(ctx, enc, 'atorvastatin', { reason: chd, status: 'completed' });
    prescribe(ctx, enc, 'metoprolol', { reason: chd, status: 'completed' });
  }, { dischargeDaysAgo: 33, admitSource: 'outp', comorbidities: [chd, htn] });
  visit(ctx, 'AMB', 'im', 20, 10, [], (enc) => {
    recordVitals(ctx, enc, 20, 10, HTN_CONTROLLED, ['bp', 'heartRate']);
    for (const drug of [antiplatelet, 'atorvastatin', 'metoprolol'] as const) prescribe(ctx, enc, drug, { reason: chd, status: 'active' });
  }, { comorbidities: [chd, htn] });
}

function pneumoniaInpatient(ctx: PatientContext): void {
  const admitted = ctx.prng.int(2, 5);
  const antibiotic = ctx.patient.plan.allergy === 'penicillin' ? 'levofloxacinIV' : 'cefuroximeIV';
  visit(ctx, 'EMER', 'ed', admitted, 20, ['pneumonia'], (enc) => {
    recordVitals(ctx, enc, admitted, 20, { ...FEVER, spo2: [90, 94], respiratoryRate: [22, 28] }, ['temperature', 'heartRate', 'respiratoryRate', 'bp', 'spo2']);
    labPanel(ctx, enc, 'cbc', admitted, 20, { wbc: [11.5, 16.5] });
    labPanel(ctx, enc, 'crp', admitted, 20, { crp: [35, 95] });
    chestXray(ctx, enc, admitted, 21, '右下肺野见斑片状模糊影，考虑右下肺炎。');
  });
  visit(ctx, 'IMP', 'im', admitted, 23, ['pneumonia'], (enc) => {
    wardVitals(ctx, enc, admitted - 1, 1, { ...FEVER, spo2: [91, 95] }, { temperature: [36.6, 37.4], spo2: [95, 98] });
    labPanel(ctx, enc, 'chemistry', admitted - 1, 6);
    prescribe(ctx, enc, antibiotic);
    prescribe(ctx, enc, 'ambroxol');
  }, { admitSource: 'emd' });
}

function copdInpatient(ctx: PatientContext): void {
  const admitted = ctx.prng.int(3, 6);
  visit(ctx, 'AMB', 'im', admitted, 9, ['copdExacerbation'], (enc) => {
    recordVitals(ctx, enc, admitted, 9, { spo2: [87, 91], respiratoryRate: [24, 30], heartRate: [96, 110] }, ['heartRate', 'respiratoryRate', 'spo2']);
  });
  visit(ctx, 'IMP', 'im', admitted, 11, ['copdExacerbation'], (enc) => {
    wardVitals(ctx, enc, admitted, 1, { spo2: [88, 92], respiratoryRate: [24, 28] }, { spo2: [92, 95], respiratoryRate: [18, 22] });
    labPanel(ctx, enc, 'cbc', admitted, 12, { wbc: [9.8, 12.5] });
    labPanel(ctx, enc, 'chemistry', admitted - 1, 6);
    chestXray(ctx, enc, admitted, 13, '双肺纹理增多紊乱，肺气肿征象，未见明确实变。');
    prescribe(ctx, enc, 'methylprednisoloneIV');
    prescribe(ctx, enc, 'tiotropium');
    prescribe(ctx, enc, 'salbutamol', { asNeededFor: WHEEZE_TRIGGER });
  }, { admitSource: 'outp' });
}

function surgicalAdmission(ctx: PatientContext, key: ConditionKey, admitted: number, discharged: number | undefined, viaEmergency: boolean): void {
  if (viaEmergency) {
    visit(ctx, 'EMER', 'ed', admitted, 2, [key], (enc) => {
      recordVitals(ctx, enc, admitted, 2, { temperature: [37.6, 38.4], heartRate: [90, 108] }, ['temperature', 'heartRate', 'bp']);
      labPanel(ctx, enc, 'cbc', admitted, 2, { wbc: [12, 17] });
      labPanel(ctx, enc, 'crp', admitted, 2, { crp: [20, 70] });
    }, discharged === undefined ? {} : { resolvedDaysAgo: discharged });
  } else {
    visit(ctx, 'AMB', 'surg', admitted + 8, 10, [key], (enc) => {
      recordVitals(ctx, enc, admitted + 8, 10, {}, ['bp', 'heartRate']);
      labPanel(ctx, enc, 'cbc', admitted + 8, 10);
      labPanel(ctx, enc, 'chemistry', admitted + 8, 10, key === 'gallstones' ? { alt: [45, 70] } : {});
    });
  }
  const plan: Partial<EncounterPlan> = { admitSource: viaEmergency ? 'emd' : 'outp' };
  if (discharged !== undefined) {
    plan.dischargeDaysAgo = discharged;
    plan.resolvedDaysAgo = discharged;
  }
  visit(ctx, 'IMP', 'surg', admitted, viaEmergency ? 4 : 9, [key], (enc) => {
    wardVitals(ctx, enc, admitted, discharged ?? 1, viaEmergency ? { temperature: [37.5, 38.3] } : {}, {});
    prescribe(ctx, enc, ctx.patient.plan.allergy === 'penicillin' ? 'levofloxacinIV' : 'cefuroximeIV');
  }, plan);
}

function simpleClinic(dept: DepartmentKey, key: ConditionKey, days: readonly number[], drugs: readonly Parameters<typeof prescribe>[2][], vitals: readonly Parameters<typeof recordVitals>[5][number][] = ['bp', 'heartRate']) {
  return (ctx: PatientContext): void => {
    days.forEach((daysAgo, i) => {
      visit(ctx, 'AMB', dept, daysAgo, ctx.prng.int(8, 16), [key], (enc) => {
        recordVitals(ctx, enc, daysAgo, enc.hour, {}, vitals);
        if (i === 0) for (const drug of drugs) prescribe(ctx, enc, drug);
      });
    });
  };
}

function childRespiratory(key: 'uri' | 'bronchitis', days: readonly number[]) {
  return (ctx: PatientContext): void => {
    days.forEach((daysAgo, i) => {
      visit(ctx, 'AMB', 'paed', daysAgo, ctx.prng.int(8, 16), [key], (enc) => {
        recordVitals(ctx, enc, daysAgo, enc.hour, i === 0 ? { ...CHILD_FEVER, anthropometry: true } : {}, ['temperature', 'heartRate', 'respiratoryRate']);
        if (i === 0 && key === 'uri') prescribe(ctx, enc, 'ibuprofenSuspension', { asNeededFor: FEVER_TRIGGER });
        if (i === 0 && key === 'bronchitis') {
          labPanel(ctx, enc, 'cbc', daysAgo, enc.hour);
          prescribe(ctx, enc, 'ambroxol');
        }
      }, { resolvedDaysAgo: Math.max(daysAgo - 5, 1) });
    });
  };
}

function childPneumonia(ctx: PatientContext): void {
  const admitted = ctx.prng.int(2, 4);
  visit(ctx, 'AMB', 'paed', admitted, 9, ['pneumonia'], (enc) => {
    recordVitals(ctx, enc, admitted, 9, { ...CHILD_FEVER, spo2: [93, 96], anthropometry: true }, ['temperature', 'heartRate', 'respiratoryRate', 'spo2']);
    labPanel(ctx, enc, 'cbc', admitted, 9, { wbc: [13, 19] });
    labPanel(ctx, enc, 'crp', admitted, 9, { crp: [25, 60] });
    chestXray(ctx, enc, admitted, 10, '双肺纹理增粗，左下肺见小片状阴影，考虑支气管肺炎。');
  });
  visit(ctx, 'IMP', 'paed', admitted, 11, ['pneumonia'], (enc) => {
    wardVitals(ctx, enc, admitted, 1, CHILD_FEVER, { temperature: [36.5, 37.3] });
    prescribe(ctx, enc, 'cefuroximeIVChild');
    prescribe(ctx, enc, 'ibuprofenSuspension', { asNeededFor: FEVER_TRIGGER });
  }, { admitSource: 'outp' });
}

function pregnancy(ctx: PatientContext): void {
  const supervision = problem(ctx, 'pregnancy', 0, 'obgyn');
  [84, 56, 28, 7].forEach((daysAgo, i) => {
    visit(ctx, 'AMB', 'obgyn', daysAgo, 9, [], (enc) => {
      recordVitals(ctx, enc, daysAgo, 9, { anthropometry: i === 0 }, ['bp', 'heartRate']);
      if (i === 0) {
        labPanel(ctx, enc, 'cbc', daysAgo, 9);
        prescribe(ctx, enc, 'folicAcid', { reason: supervision });
      }
      if (i === 2) labPanel(ctx, enc, 'chemistry', daysAgo, 8);
    }, { comorbidities: [supervision] });
  });
}

function emergency(key: ConditionKey, daysAgo: number, hour: number, step: (ctx: PatientContext, enc: Handle) => void, followUp?: DepartmentKey) {
  return (ctx: PatientContext): void => {
    visit(ctx, 'EMER', 'ed', daysAgo, hour, [key], (enc) => {
      recordVitals(ctx, enc, daysAgo, hour, {}, ['temperature', 'heartRate', 'respiratoryRate', 'bp', 'spo2']);
      step(ctx, enc);
    }, followUp ? {} : { resolvedDaysAgo: Math.max(daysAgo - 7, 1) });
    if (followUp) {
      visit(ctx, 'AMB', followUp, Math.max(daysAgo - 7, 1), 10, [key], (enc) => {
        recordVitals(ctx, enc, enc.daysAgo, 10, {}, ['bp', 'heartRate']);
      });
    }
  };
}

export const SCENARIOS = {
  'htn-dm': hypertensionDiabetes,
  'htn-lipid': hypertensionLipids,
  'chd': coronary,
  'pneumonia-inpatient': pneumoniaInpatient,
  'copd-inpatient': copdInpatient,
  'gastritis': simpleClinic('im', 'gastritis', [25, 10], ['omeprazole']),
  'appendicitis-discharged': (ctx: PatientContext) => surgicalAdmission(ctx, 'appendicitis', 24, 19, true),
  'appendicitis-inpatient': (ctx: PatientContext) => surgicalAdmission(ctx, 'appendicitis', 2, undefined, true),
  'gallstone-inpatient': (ctx: PatientContext) => surgicalAdmission(ctx, 'gallstones', 3, undefined, false),
  'hernia': (ctx: PatientContext) => surgicalAdmission(ctx, 'inguinalHernia', 50, 46, false),
  'child-uri': childRespiratory('uri', [6]),
  'child-pneumonia-inpatient': childPneumonia,
  'child-bronchitis': childRespiratory('bronchitis', [20, 13]),
  'pregnancy': pregnancy,
  'ovarian-cyst': simpleClinic('obgyn', 'ovarianCyst', [30, 2], []),
  'cataract': simpleClinic('ophth', 'cataract', [40, 12], ['levofloxacinEyeDrops']),
  'myopia': simpleClinic('ophth', 'myopia', [15], []),
  'caries': simpleClinic('stom', 'caries', [9], ['ibuprofenSR']),
  'gingivitis': simpleClinic('stom', 'gingivitis', [22], []),
  'eczema': simpleClinic('derm', 'eczema', [35, 14], ['tacrolimusOintment', 'loratadine']),
  'acne': simpleClinic('derm', 'acne', [18], ['adapaleneGel']),
  'wrist-fracture': emergency('radiusFracture', 12, 16, (ctx, enc) => prescribe(ctx, enc, 'ibuprofenSR'), 'surg'),
  'chest-pain': emergency('chestPain', 8, 21, (ctx, enc) => {
    labPanel(ctx, enc, 'troponin', 8, 21);
    labPanel(ctx, enc, 'cbc', 8, 21);
  }, 'im'),
  'concussion': emergency('concussion', 16, 22, (ctx, enc) => prescribe(ctx, enc, 'paracetamol')),
  'asthma': (ctx: PatientContext) => {
    const asthma = problem(ctx, 'asthma', ctx.prng.int(2, 5), 'paed');
    [50, 20].forEach((daysAgo, i) => {
      visit(ctx, 'AMB', 'paed', daysAgo, 15, [], (enc) => {
        recordVitals(ctx, enc, daysAgo, 15, { anthropometry: i === 0 }, ['heartRate', 'respiratoryRate', 'spo2']);
        prescribe(ctx, enc, 'budesonide', { reason: asthma, status: i === 1 ? 'active' : 'completed' });
        prescribe(ctx, enc, 'salbutamol', { reason: asthma, status: i === 1 ? 'active' : 'completed', asNeededFor: WHEEZE_TRIGGER });
      }, { comorbidities: [asthma] });
    });
  },
} satisfies Record<string, (ctx: PatientContext) => void>;

export type ScenarioKey = keyof typeof SCENARIOS;
