// Encounters (就诊) and the Conditions (诊断) they are about.
// Encounter.class uses v3 ActCode AMB / EMER / IMP (R4 binding v3-ActEncounterCode); an
// inpatient stay records how the patient came in (hospitalization.admitSource), how they left
// (dischargeDisposition) and the bed (Encounter.location, status active while they are in it).
import { coding, concept, english, refTo, type Reference } from './fhir.ts';
import { CONDITIONS, type ConditionKey } from './clinical-codes.ts';
import { departmentRef, type DepartmentKey } from './departments.ts';
import { practitionerRef, type PatientContext } from './record-context.ts';
import type { StaffMember } from './staff.ts';
import { INPATIENT_NUMBER_SYSTEM, OUTPATIENT_NUMBER_SYSTEM, SYSTEMS } from './systems.ts';

export type EncounterKind = 'AMB' | 'EMER' | 'IMP';

const classDisplay = { AMB: 'ambulatory', EMER: 'emergency', IMP: 'inpatient encounter' } as const;

export interface EncounterPlan {
  kind: EncounterKind;
  dept: DepartmentKey;
  daysAgo: number;
  hour: number;
  minute?: number;
  /** Outpatient visit length; inpatient stays use dischargeDaysAgo instead. */
  minutes?: number;
  /** Inpatient only: undefined means still in hospital. */
  dischargeDaysAgo?: number;
  admitSource?: 'emd' | 'outp';
  /** Day the encounter's diagnoses resolved, if they have. */
  resolvedDaysAgo?: number;
  /** Chronic Conditions this visit also addresses (created earlier with problem()). */
  comorbidities?: readonly Reference[];
}

export interface EncounterHandle {
  id: string;
  ref: Reference;
  kind: EncounterKind;
  dept: DepartmentKey;
  doctor: StaffMember;
  daysAgo: number;
  hour: number;
  /** When the encounter began; nothing recorded for it is earlier. */
  start: Date;
  /** The encounter's diagnoses, in rank order, once written. */
  diagnoses: Reference[];
  current: boolean;
}

/** Start an encounter; diagnose() then finish() write the Condition(s) and the Encounter. */
export function openEncounter(ctx: PatientContext, plan: EncounterPlan): EncounterHandle & { plan: EncounterPlan } {
  const id = ctx.nextId('enc');
  const current = plan.kind === 'IMP' && plan.dischargeDaysAgo === undefined;
  const start = ctx.clock.instant(plan.daysAgo, plan.hour, plan.minute ?? 0);
  return {
    id, ref: refTo('Encounter', id), kind: plan.kind, dept: plan.dept, doctor: ctx.doctor(plan.dept),
    daysAgo: plan.daysAgo, hour: plan.hour, start, diagnoses: [], current, plan,
  };
}

/** `minutes` after the encounter began, as a FHIR dateTime. */
export function afterStart(ctx: PatientContext, enc: EncounterHandle, minutes: number): string {
  return ctx.clock.format(new Date(enc.start.getTime() + minutes * 60000));
}

/**
 * The instant at `daysAgo`/`hour`:`minute`, but never before the encounter began plus
 * `leadMinutes`: a result or an order cannot predate the visit it belongs to.
 */
export function notBeforeStart(ctx: PatientContext, enc: EncounterHandle, daysAgo: number, hour: number, minute: number, leadMinutes: number): Date {
  const wanted = ctx.clock.instant(daysAgo, hour, minute).getTime();
  return new Date(Math.max(wanted, enc.start.getTime() + leadMinutes * 60000));
}

function conditionCode(key: ConditionKey) {
  const c = CONDITIONS[key];
  // Display in Chinese (the ICD-10 Chinese edition, GB/T 14396), English as its translation.
  return {
    coding: [{ ...coding(SYSTEMS.icd10, c.icd10, c.zh), _display: english(c.en) }],
    text: c.zh,
  };
}

const clinical = (code: 'active' | 'resolved') =>
  concept(coding(SYSTEMS.conditionClinical, code, code === 'active' ? 'Active' : 'Resolved'));
const confirmed = concept(coding(SYSTEMS.conditionVerification, 'confirmed', 'Confirmed'));

/** A long-standing problem-list Condition (e.g. hypertension), diagnosed `onsetYearsAgo` years ago. */
export function problem(ctx: PatientContext, key: ConditionKey, onsetYearsAgo: number, dept: DepartmentKey): Reference {
  const id = ctx.nextId('cond');
  const onsetDaysAgo = onsetYearsAgo * 365 + ctx.prng.int(0, 180);
  ctx.add({
    resourceType: 'Condition',
    id,
    clinicalStatus: clinical('active'),
    verificationStatus: confirmed,
    category: [concept(coding(SYSTEMS.conditionCategory, 'problem-list-item', 'Problem List Item'))],
    code: conditionCode(key),
    subject: ctx.patientRef,
    onsetDateTime: ctx.clock.date(onsetDaysAgo),
    recordedDate: ctx.clock.date(onsetDaysAgo),
    recorder: practitionerRef(ctx.doctor(dept)),
  });
  return refTo('Condition', id, CONDITIONS[key].zh);
}

/** An encounter diagnosis; `resolvedDaysAgo` marks it resolved (abated) since. */
export function diagnose(ctx: PatientContext, enc: EncounterHandle, key: ConditionKey, resolvedDaysAgo?: number): Reference {
  const id = ctx.nextId('cond');
  const recorded = afterStart(ctx, enc, 12);
  const resource: Record<string, unknown> & { resourceType: string; id: string } = {
    resourceType: 'Condition',
    id,
    clinicalStatus: clinical(resolvedDaysAgo === undefined ? 'active' : 'resolved'),
    verificationStatus: confirmed,
    category: [concept(coding(SYSTEMS.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis'))],
    code: conditionCode(key),
    subject: ctx.patientRef,
    encounter: enc.ref,
    onsetDateTime: ctx.clock.date(enc.daysAgo + ctx.prng.int(0, 3)),
    recordedDate: recorded,
    recorder: practitionerRef(enc.doctor),
  };
  if (resolvedDaysAgo !== undefined) resource.abatementDateTime = ctx.clock.date(resolvedDaysAgo);
  ctx.add(resource);
  const ref = refTo('Condition', id, CONDITIONS[key].zh);
  enc.diagnoses.push(ref);
  return ref;
}

/** Write the Encounter resource itself. */
export function finish(ctx: PatientContext, enc: EncounterHandle & { plan: EncounterPlan }): void {
  const { plan } = enc;
  const start = enc.start;
  const end = plan.kind === 'IMP'
    ? (plan.dischargeDaysAgo === undefined ? undefined : ctx.clock.instant(plan.dischargeDaysAgo, 10, 30))
    : new Date(start.getTime() + (plan.minutes ?? 15) * 60000);
  const period: Record<string, string> = { start: ctx.clock.format(start) };
  if (end) period.end = ctx.clock.format(end);
  const inpatient = plan.kind === 'IMP';
  // The status history the clinic workflow writes (server/emr/stay.ts): outpatients wait between
  // check-in and being called (the dashboard's waiting time), inpatients are in progress until discharge.
  const statusHistory: Record<string, unknown>[] = [];
  if (!inpatient) {
    const arrived = new Date(start.getTime() - ctx.prng.int(4, 45) * 60000);
    statusHistory.push({ status: 'arrived', period: { start: ctx.clock.format(arrived), end: period.start } });
  }
  statusHistory.push({ status: 'in-progress', period: { ...period } });
  if (end) statusHistory.push({ status: 'finished', period: { start: period.end } });
  const diagnosisUse = inpatient
    ? (enc.current ? ['AD', 'Admission diagnosis'] : ['DD', 'Discharge diagnosis'])
    : undefined;
  const diagnosis = [
    ...enc.diagnoses.map((condition, i) => ({
      condition,
      ...(diagnosisUse ? { use: concept(coding(SYSTEMS.diagnosisRole, diagnosisUse[0] as string, diagnosisUse[1])) } : {}),
      rank: i + 1,
    })),
    ...(plan.comorbidities ?? []).map((condition, i) => ({
      condition,
      use: concept(coding(SYSTEMS.diagnosisRole, 'CM', 'Comorbidity diagnosis')),
      rank: enc.diagnoses.length + i + 1,
    })),
  ];
  const resource: Record<string, unknown> & { resourceType: string; id: string } = {
    resourceType: 'Encounter',
    id: enc.id,
    identifier: [{
      use: 'official',
      system: inpatient ? INPATIENT_NUMBER_SYSTEM : OUTPATIENT_NUMBER_SYSTEM,
      value: inpatient ? ctx.book.nextInpatientNumber() : ctx.book.nextOutpatientNumber(),
    }],
    status: enc.current ? 'in-progress' : 'finished',
    statusHistory,
    class: coding(SYSTEMS.v3ActCode, plan.kind, classDisplay[plan.kind]),
    subject: ctx.patientRef,
    participant: [{
      type: [concept(coding(SYSTEMS.v3ParticipationType, 'ATND', 'attender'))],
      individual: practitionerRef(enc.doctor),
    }],
    period,
    serviceProvider: departmentRef(plan.dept),
  };
  if (plan.kind === 'EMER') {
    resource.priority = concept(coding(SYSTEMS.v3ActPriority, 'EM', 'emergency'));
  }
  if (diagnosis.length > 0) resource.diagnosis = diagnosis;
  if (inpatient) {
    const source = plan.admitSource ?? 'outp';
    const hospitalization: Record<string, unknown> = {
      admitSource: concept(coding(SYSTEMS.admitSource, source,
        source === 'emd' ? 'From accident/emergency department' : 'From outpatient department')),
    };
    if (!enc.current) hospitalization.dischargeDisposition = concept(coding(SYSTEMS.dischargeDisposition, 'home', 'Home'));
    resource.hospitalization = hospitalization;
    const bed = enc.current ? ctx.book.takeBed(plan.dept) : ctx.book.pastBed(plan.dept, ctx.prng);
    resource.location = [{
      location: refTo('Location', bed.id, bed.label),
      status: enc.current ? 'active' : 'completed',
      period: { ...period },
    }];
  }
  ctx.add(resource);
}
