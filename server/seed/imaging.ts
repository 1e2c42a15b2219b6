// Demo imaging: a few studies of demo patients, each with its imaging order (ServiceRequest with an
// accession number), stored through the same path as a modality's STOW; one signed report and one
// draft, so the radiology worklist and the doctors' imaging page are not empty on a new server.
// Runs once: only when nothing is stored yet.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import type { OpenHisServer } from '../server.ts';
import { ACCESSION_NUMBER_SYSTEM, MRN_SYSTEM } from './systems.ts';
import { Signatures } from '../signing/signatures.ts';
import { saveDraft, sign, studyContext, type Author } from '../radiology/report.ts';

interface DemoStudy {
  file: string;
  daysAgo: number;
  time: string;
  patient: number;
  description: string;
  order: string;
  report?: { status: 'final' | 'preliminary'; findings: string; impression: string };
}

const studies: DemoStudy[] = [
  { file: 'ct-512.dcm', daysAgo: 0, time: '083015', patient: 0, description: 'CT 胸部平扫 Chest CT', order: 'CT 胸部平扫',
    report: { status: 'final', findings: '双肺纹理清晰，右肺上叶见一直径约 6 mm 磨玻璃结节，边界清。纵隔淋巴结未见肿大。', impression: '右肺上叶小磨玻璃结节，建议 12 个月后复查 CT。' } },
  { file: 'ct-small.dcm', daysAgo: 0, time: '101200', patient: 1, description: 'CT 头颅平扫 Head CT', order: 'CT 头颅平扫',
    report: { status: 'preliminary', findings: '脑实质密度未见明显异常，脑室系统不大。', impression: '头颅 CT 平扫未见明显异常。' } },
  { file: 'us-rgb.dcm', daysAgo: 0, time: '094500', patient: 2, description: '腹部彩超 Abdominal ultrasound', order: '腹部彩超' },
  { file: 'mr-multiframe.dcm', daysAgo: 1, time: '153000', patient: 3, description: 'MR 颅脑 Brain MRI', order: 'MR 颅脑平扫' },
  { file: 'mr-small.dcm', daysAgo: 3, time: '111000', patient: 0, description: 'MR 膝关节 Knee MRI', order: 'MR 右膝关节平扫' },
];

/** A fresh UID under the UUID-derived root 2.25 (PS3.5 §B.2). */
function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString()}`;
}

function dayInZone(daysAgo: number, timeZone: string): string {
  const date = new Date(Date.now() - daysAgo * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date).replaceAll('-', '');
}

interface Json { [key: string]: any }

function rewrite(bytes: Buffer, values: Record<string, { vr: string; Value: unknown[] }>, sopUid: string): Buffer {
  const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  Object.assign(dicom.dict, values);
  dicom.meta['00020003'] = { vr: 'UI', Value: [sopUid] };
  // The public files carry a few values longer than their VR allows; written as they came.
  return Buffer.from(dicom.write({ allowInvalidVRLength: true }));
}

export async function seedDemoImaging(app: OpenHisServer, options: { timezone: string }): Promise<number> {
  const { rows } = await app.db.query('SELECT 1 FROM dicom_instance LIMIT 1');
  if (rows.length > 0) return 0;
  const repo = app.engine.repo;
  const patients = (await repo.findMatches('Patient', new URLSearchParams({ identifier: `${MRN_SYSTEM}|`, _sort: 'identifier' }), 4))
    .map((v) => JSON.parse(v.json!) as Json);
  if (patients.length < 4) return 0;
  const radiologist = await app.auth.accounts.byLogin('radiologist');
  const requester = await app.auth.accounts.byLogin('doctor');
  let stored = 0;
  const today = dayInZone(0, options.timezone);
  for (const [n, demo] of studies.entries()) {
    const patient = patients[demo.patient]!;
    const mrn = String((patient.identifier as Json[]).find((i) => i.system === MRN_SYSTEM)?.value ?? patient.id);
    const name = patient.name?.[0];
    const accession = `RIS${today}${String(n + 1).padStart(3, '0')}`;
    await repo.create({
      resourceType: 'ServiceRequest', status: 'active', intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] }],
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] }, system: ACCESSION_NUMBER_SYSTEM, value: accession }],
      code: { text: demo.order }, subject: { reference: `Patient/${patient.id}` },
      ...(requester?.practitionerId ? { requester: { reference: `Practitioner/${requester.practitionerId}` } } : {}),
      authoredOn: new Date(Date.now() - demo.daysAgo * 86_400_000 - 3_600_000).toISOString(),
    } as never);
    const sopUid = newUid();
    const date = dayInZone(demo.daysAgo, options.timezone);
    const bytes = rewrite(readFileSync(new URL(`./dicom/${demo.file}`, import.meta.url)), {
      '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
      '00080018': { vr: 'UI', Value: [sopUid] },
      '0020000D': { vr: 'UI', Value: [newUid()] },
      '0020000E': { vr: 'UI', Value: [newUid()] },
      '00080020': { vr: 'DA', Value: [date] },
      '00080030': { vr: 'TM', Value: [demo.time] },
      '00080021': { vr: 'DA', Value: [date] },
      '00080050': { vr: 'SH', Value: [accession] },
      '00081030': { vr: 'LO', Value: [demo.description] },
      '00100020': { vr: 'LO', Value: [mrn] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: `${name?.family ?? ''}^${(name?.given ?? []).join(' ')}` }] },
      '00100040': { vr: 'CS', Value: [patient.gender === 'female' ? 'F' : patient.gender === 'male' ? 'M' : 'O'] },
      ...(patient.birthDate ? { '00100030': { vr: 'DA', Value: [String(patient.birthDate).replaceAll('-', '')] } } : {}),
    }, sopUid);
    const [outcome] = await app.imaging.store.store([{ bytes }]);
    if (outcome.status === 'failed') throw new Error(`demo imaging: ${demo.file} was refused: ${outcome.message}`);
    stored++;
    await app.imaging.store.idle();
    if (demo.report && radiologist) {
      const author: Author = {
        accountId: radiologist.id, login: radiologist.username ?? 'radiologist', display: radiologist.displayName ?? 'radiologist',
        practitioner: radiologist.practitionerId ? `Practitioner/${radiologist.practitionerId}` : undefined,
      };
      const ctx = await studyContext(app.db, outcome.studyInstanceUid);
      const input = { findings: demo.report.findings, impression: demo.report.impression };
      if (demo.report.status === 'final') await sign(repo, new Signatures(app.db), ctx, input, author);
      else await saveDraft(repo, ctx, input, author);
    }
  }
  return stored;
}
