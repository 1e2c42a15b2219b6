// Demo only (SEED_DEMO): signed clinical notes (Composition, http://hl7.org/fhir/R4/composition.html)
// so that a newcomer's chart shows notes with their signatures and version history — an admission
// note for every current inpatient, a progress note for the internal-medicine ones (one of them
// amended), and a discharge summary for every finished stay. Each is drafted, then signed through the
// same code as a clinician's $sign (server/emr/notes/sign.ts). The demo `doctor` signs with their
// account's key; roster doctors without an account sign with a demo key of their own.
import type { FhirEngine, Repository, Resource } from '../../fhir/index.ts';
import type { AccountStore } from '../auth/accounts.ts';
import { Signatures } from '../signing/signatures.ts';
import { amendNote, signNote, type Clinician } from '../emr/notes/sign.ts';
import { staffRoster } from './staff.ts';

interface Json { [key: string]: any }

const LOINC = 'http://loinc.org';
const NOTE_TYPES = {
  admission: { code: '34117-2', display: 'History and physical note', zh: '入院记录' },
  progress: { code: '11506-3', display: 'Progress note', zh: '病程记录' },
  discharge: { code: '18842-5', display: 'Discharge summary', zh: '出院记录' },
} as const;
const SECTIONS = {
  complaint: { code: '10154-3', display: 'Chief complaint Narrative - Reported', zh: '主诉' },
  history: { code: '10164-2', display: 'History of Present illness Narrative', zh: '现病史' },
  exam: { code: '29545-1', display: 'Physical findings Narrative', zh: '体格检查' },
  assessment: { code: '51848-0', display: 'Evaluation note', zh: '诊断' },
  plan: { code: '18776-5', display: 'Plan of care note', zh: '诊疗计划' },
  course: { code: '8648-8', display: 'Hospital course Narrative', zh: '住院经过' },
  medications: { code: '10183-2', display: 'Hospital discharge medications Narrative', zh: '出院带药' },
} as const;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const section = (key: keyof typeof SECTIONS, text: string): Json => ({
  title: SECTIONS[key].zh,
  code: { coding: [{ system: LOINC, code: SECTIONS[key].code, display: SECTIONS[key].display }] },
  text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escape(text)}</p></div>` },
});

async function search(repo: Repository, type: string, params: Record<string, string>): Promise<Json[]> {
  return (await repo.search(type, new URLSearchParams({ _count: '200', ...params }))).versions.map((v) => JSON.parse(v.json!) as Json);
}

const diagnosisText = (conditions: Json[]) => conditions.map((c) => `${c.code?.text ?? c.code?.coding?.[0]?.display}（${c.code?.coding?.[0]?.code ?? ''}）`).join('；');

export async function seedDemoNotes(engine: FhirEngine, accounts: AccountStore, signatures: Signatures): Promise<number> {
  const repo = engine.repo;
  if ((await repo.search('Composition', new URLSearchParams({ _summary: 'count' }))).total) return 0;
  const roster = staffRoster();
  const demoDoctor = roster.find((m) => m.kind === 'physician')!;
  const account = await accounts.byLogin('doctor');
  if (!account) return 0;
  const clinicianOf = (practitionerRef: string | undefined): Clinician => {
    const member = roster.find((m) => `Practitioner/${m.practitionerId}` === practitionerRef) ?? demoDoctor;
    return {
      accountId: member === demoDoctor ? account.id : `demo-key-${member.practitionerId}`,
      practitioner: `Practitioner/${member.practitionerId}`,
      display: member.name,
    };
  };
  const stays = await search(repo, 'Encounter', { class: 'IMP', _sort: 'date' });
  let written = 0;
  let amended = false;
  const draftAndSign = async (encounter: Json, kind: keyof typeof NOTE_TYPES, date: string, sections: Json[]): Promise<Json> => {
    const clinician = clinicianOf((encounter.participant as Json[] | undefined)?.[0]?.individual?.reference);
    const type = NOTE_TYPES[kind];
    const draft = await repo.create({
      resourceType: 'Composition', status: 'preliminary', language: 'zh-CN',
      type: { coding: [{ system: LOINC, code: type.code, display: type.display }], text: type.zh },
      subject: encounter.subject, encounter: { reference: `Encounter/${encounter.id}` }, date,
      author: [{ reference: clinician.practitioner, display: clinician.display }],
      title: type.zh, section: sections,
    } as Resource);
    written++;
    return signNote(repo, signatures, draft.version.id, clinician);
  };
  for (const stay of stays) {
    const conditions = await search(repo, 'Condition', { encounter: `Encounter/${stay.id}` });
    const diagnoses = diagnosisText(conditions) || '待查';
    const medications = (await search(repo, 'MedicationRequest', { encounter: `Encounter/${stay.id}` }))
      .map((m) => `${m.medicationCodeableConcept?.text ?? ''} ${m.dosageInstruction?.[0]?.text ?? ''}`.trim());
    const admitted = stay.period?.start as string;
    await draftAndSign(stay, 'admission', admitted, [
      section('complaint', `因"${diagnoses.split('（')[0]}"相关症状入院。`),
      section('history', '患者近日出现症状，门诊/急诊评估后收入院进一步诊治。既往史详见病历。'),
      section('exam', '神志清楚，生命体征见护理记录，余查体详见体格检查表。'),
      section('assessment', diagnoses),
      section('plan', `完善相关检查，予${medications.slice(0, 3).join('、') || '对症支持'}治疗，监测生命体征，观察病情变化。`),
    ]);
    if (stay.status === 'in-progress' && stay.serviceProvider?.reference === 'Organization/demo-dept-im') {
      const progress = await draftAndSign(stay, 'progress', new Date(new Date(admitted).getTime() + 86_400_000).toISOString(), [
        section('history', '患者一般情况可，症状较入院时减轻，夜间睡眠可。'),
        section('assessment', diagnoses),
        section('plan', '继续目前治疗方案，复查血常规及炎症指标。'),
      ]);
      if (!amended) {
        amended = true;
        // One amended note, so the version history shows what an amendment looks like.
        await amendNote(repo, signatures, progress.id, {
          resource: { ...progress, section: [...progress.section.slice(0, 2), section('plan', '继续目前治疗方案，复查血常规、C反应蛋白及胸片。')] },
          reason: '补充复查项目 / Follow-up tests added',
        }, clinicianOf(progress.author?.[0]?.reference));
      }
    }
    if (stay.status === 'finished') {
      await draftAndSign(stay, 'discharge', stay.period?.end ?? admitted, [
        section('course', `入院后予${medications.join('、') || '对症'}治疗，症状缓解，病情平稳。`),
        section('assessment', diagnoses),
        section('medications', medications.length ? medications.join('；') : '无'),
        section('plan', '出院后一周门诊复诊，如有不适随诊。'),
      ]);
    }
  }
  return written;
}
