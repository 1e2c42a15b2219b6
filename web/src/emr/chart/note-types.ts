// The kinds of note and their sections, LOINC-coded as the EMR contract (/notes/emr-api.md) sets:
// type 11506-3 progress note, 34117-2 H&P (入院记录), 18842-5 discharge summary, 34108-1 outpatient
// note; sections chief complaint 10154-3, history 10164-2, physical exam 29545-1, assessment 51848-0,
// plan 18776-5, hospital course 8648-8, discharge medications 10183-2, follow-up 18776-5.
import type { ChartKey } from './messages.ts';

export interface SectionKind { key: string; loinc: string; display: string; label: ChartKey }
export interface NoteKind { loinc: string; display: string; label: ChartKey; sections: SectionKind[] }

const section = (key: string, loinc: string, display: string, label: ChartKey): SectionKind => ({ key, loinc, display, label });
const chief = section('chief', '10154-3', 'Chief complaint Narrative - Reported', 'secChief');
const history = section('history', '10164-2', 'History of Present illness Narrative', 'secHistory');
const exam = section('exam', '29545-1', 'Physical findings Narrative', 'secExam');
const assessment = section('assessment', '51848-0', 'Evaluation note', 'secAssessment');
const plan = section('plan', '18776-5', 'Plan of care note', 'secPlan');
const course = section('course', '8648-8', 'Hospital course Narrative', 'secCourse');
const dischargeMeds = section('dischargeMeds', '10183-2', 'Hospital discharge medications Narrative', 'secDischargeMeds');
const followUp = section('followUp', '18776-5', 'Plan of care note', 'secFollowUp');

export const NOTE_KINDS: readonly NoteKind[] = [
  { loinc: '11506-3', display: 'Progress note', label: 'typeProgress', sections: [history, exam, assessment, plan] },
  { loinc: '34117-2', display: 'History and physical note', label: 'typeAdmission', sections: [chief, history, exam, assessment, plan] },
  { loinc: '18842-5', display: 'Discharge summary', label: 'typeDischarge', sections: [course, assessment, dischargeMeds, followUp] },
  { loinc: '34108-1', display: 'Outpatient Note', label: 'typeOutpatient', sections: [chief, history, exam, assessment, plan] },
];

export const kindOf = (loinc: string | undefined) => NOTE_KINDS.find((k) => k.loinc === loinc);
