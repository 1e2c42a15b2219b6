// The radiology report of a study (http://hl7.org/fhir/R4/diagnosticreport.html): drafted as
// preliminary, signed as final with a Provenance carrying the radiologist's signature, and changed
// after signing only by an amendment (a new version, signed again). Findings go in presentedForm,
// the impression in conclusion.
import { FhirError, type Repository, type Resource } from '../../fhir/index.ts';
import { AUTHOR_SIGNATURE, type Signatures } from '../signing/signatures.ts';
import type { Database } from '../../fhir/index.ts';

export interface ReportInput { findings: string; impression: string; reason?: string }
export interface Author { accountId: string; login: string; practitioner?: string; display: string }

interface Json { [key: string]: any }
const LOINC_IMAGING = { system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' };
const RAD = { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' };
const signedStatuses = new Set(['final', 'amended', 'corrected', 'appended']);

export interface StudyContext { studyUid: string; imagingStudyId: string; reportId?: string }

export async function studyContext(db: Database, studyUid: string): Promise<StudyContext> {
  const { rows } = await db.query<{ imaging_study_id: string; report_id: string | null }>(
    'SELECT imaging_study_id, report_id FROM radiology_study WHERE study_uid = $1', [studyUid]);
  if (!rows[0]) throw new FhirError('not-found', 'No ImagingStudy for this Study Instance UID (yet)');
  return { studyUid, imagingStudyId: rows[0].imaging_study_id, reportId: rows[0].report_id ?? undefined };
}

function checkInput(input: unknown, needReason = false): ReportInput {
  const i = (input ?? {}) as Record<string, unknown>;
  const text = (name: string, max: number) => {
    const v = i[name];
    if (typeof v !== 'string') throw new FhirError('invalid-request', `${name} is text`);
    if (v.length > max) throw new FhirError('invalid-request', `${name} is longer than ${max} characters`);
    return v;
  };
  const out: ReportInput = { findings: text('findings', 50_000), impression: text('impression', 10_000) };
  if (needReason) out.reason = text('reason', 2_000);
  return out;
}

function presentedForm(input: ReportInput): Json[] {
  const body = `Findings / 检查所见:\n${input.findings}\n\nImpression / 诊断意见:\n${input.impression}\n`;
  return [{ contentType: 'text/plain; charset=utf-8', language: 'zh-CN', title: 'Radiology report', data: Buffer.from(body, 'utf8').toString('base64') }];
}

function reportResource(study: Json, input: ReportInput, status: string, author: Author, current: Json | undefined): Resource {
  const now = new Date().toISOString();
  return {
    ...(current ?? {}),
    resourceType: 'DiagnosticReport',
    ...(current?.id ? { id: current.id } : {}),
    status,
    category: [{ coding: [RAD] }],
    code: { coding: [LOINC_IMAGING], text: study.description ?? 'Imaging study' },
    subject: study.subject,
    ...(study.basedOn ? { basedOn: study.basedOn } : {}),
    ...(study.started ? { effectiveDateTime: study.started } : {}),
    issued: now,
    resultsInterpreter: [{ ...(author.practitioner ? { reference: author.practitioner } : {}), display: author.display }],
    imagingStudy: [{ reference: `ImagingStudy/${study.id}` }],
    conclusion: input.impression,
    presentedForm: presentedForm(input),
    extension: [{ url: 'https://open-his.example.org/fhir/StructureDefinition/radiology-findings', valueString: input.findings }],
  } as Resource;
}

function readJson(repo: Repository, type: string, id: string): Promise<Json> {
  return repo.read(type, id).then((v) => JSON.parse(v.json!) as Json);
}

/** Saves the draft (preliminary). A signed report is not edited in place: 409. */
export async function saveDraft(repo: Repository, ctx: StudyContext, body: unknown, author: Author): Promise<Json> {
  const input = checkInput(body);
  return repo.transaction(async (tx) => {
    const study = await readJson(tx, 'ImagingStudy', ctx.imagingStudyId);
    const current = ctx.reportId ? await readJson(tx, 'DiagnosticReport', ctx.reportId) : undefined;
    if (current && signedStatuses.has(current.status)) throw new FhirError('conflict', 'The report is signed: change it by an amendment');
    const written = current
      ? await tx.update(reportResource(study, input, 'preliminary', author, current), { ifMatch: Number(current.meta?.versionId) })
      : await tx.create(reportResource(study, input, 'preliminary', author, undefined));
    return JSON.parse(written.version.json!) as Json;
  });
}

async function signed(repo: Repository, signatures: Signatures, ctx: StudyContext, input: ReportInput, status: 'final' | 'amended', author: Author, check: (current: Json | undefined) => void): Promise<Json> {
  const signer = await signatures.signer({ accountId: author.accountId, display: author.display });
  return repo.transaction(async (tx) => {
    const study = await readJson(tx, 'ImagingStudy', ctx.imagingStudyId);
    const current = ctx.reportId ? await readJson(tx, 'DiagnosticReport', ctx.reportId) : undefined;
    check(current);
    const written = current
      ? await tx.update(reportResource(study, input, status, author, current), { ifMatch: Number(current.meta?.versionId) })
      : await tx.create(reportResource(study, input, status, author, undefined));
    const report = JSON.parse(written.version.json!) as Json;
    const when = new Date().toISOString();
    const target = `DiagnosticReport/${report.id}/_history/${report.meta.versionId}`;
    const jws = await signer.sign(report as Resource, target, when);
    const who = author.practitioner ? { reference: author.practitioner, display: author.display } : { display: author.display };
    await tx.create({
      resourceType: 'Provenance',
      target: [{ reference: target }],
      recorded: when,
      activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: status === 'final' ? 'CREATE' : 'UPDATE' }] },
      ...(input.reason ? { reason: [{ text: input.reason }] } : {}),
      agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] }, who }],
      signature: [{ type: [AUTHOR_SIGNATURE], when, who, sigFormat: 'application/jose', data: Buffer.from(jws).toString('base64') }],
    } as Resource);
    return report;
  });
}

/** Signs the report as final. Only its author signs a draft; a signed report needs an amendment instead. */
export function sign(repo: Repository, signatures: Signatures, ctx: StudyContext, body: unknown, author: Author): Promise<Json> {
  return signed(repo, signatures, ctx, checkInput(body), 'final', author, (current) => {
    if (current && signedStatuses.has(current.status)) throw new FhirError('conflict', 'The report is already signed: change it by an amendment');
    const draftAuthor = current?.resultsInterpreter?.[0];
    if (current && draftAuthor && (draftAuthor.reference ?? draftAuthor.display) !== (author.practitioner ?? author.display)) {
      throw new FhirError('forbidden', 'Only the radiologist who drafted this report signs it');
    }
  });
}

/** An amendment after signing: a new version with status amended and a new signature; the old version stays in history. */
export function amend(repo: Repository, signatures: Signatures, ctx: StudyContext, body: unknown, author: Author): Promise<Json> {
  return signed(repo, signatures, ctx, checkInput(body, true), 'amended', author, (current) => {
    if (!current || !signedStatuses.has(current.status)) throw new FhirError('conflict', 'Only a signed report is amended; save or sign the draft instead');
  });
}

/** The report and whether its latest signature verifies against its current content. */
export async function readReport(repo: Repository, signatures: Signatures, ctx: StudyContext): Promise<{ report: Json | null; signature?: { verified: boolean; signer: string; when: string } }> {
  if (!ctx.reportId) return { report: null };
  const report = await readJson(repo, 'DiagnosticReport', ctx.reportId);
  if (!signedStatuses.has(report.status)) return { report };
  const provenance = await repo.search('Provenance', new URLSearchParams({ target: `DiagnosticReport/${report.id}`, _sort: '-recorded', _count: '1' }));
  const first = provenance.versions[0];
  const jws = first?.json ? (JSON.parse(first.json) as Json).signature?.[0]?.data : undefined;
  if (!jws) return { report, signature: { verified: false, signer: '', when: '' } };
  const result = await signatures.verify(report as Resource, Buffer.from(jws, 'base64').toString());
  return { report, signature: { verified: result.verified, signer: result.signer ?? '', when: result.when ?? '' } };
}
