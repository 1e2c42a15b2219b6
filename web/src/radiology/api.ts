// The radiology pages' calls: the worklist, report and measurement routes of /radiology (JSON, staff
// bearer token), DICOMweb QIDO-RS and WADO-RS metadata (PS3.18 §10.6, §10.4) for the viewer's series
// list, and STOW-RS (PS3.18 §10.5) for the upload page. Shapes are written out here: the web app
// imports no server module.
import { ApiError, requestJson, refreshSession, session } from '../shared/http.ts';

export type ReadingStatus = 'unread' | 'preliminary' | 'final' | 'amended';

export interface WorklistItem {
  studyInstanceUid: string;
  imagingStudyId?: string;
  patient: { id?: string; name?: string; identifier?: string; birthDate?: string; sex?: string };
  accessionNumber?: string;
  modalities: string[];
  description?: string;
  started?: string;
  numberOfSeries: number;
  numberOfInstances: number;
  status: ReadingStatus;
  reportId?: string;
  orderId?: string;
}
/** An imaging order still waiting for its images (its accession number is what the modality will carry). */
export interface OrderedItem {
  orderId: string;
  accessionNumber: string;
  patient: { id?: string; name?: string };
  modality?: string;
  description?: string;
  authored?: string;
  requester?: string;
}
export interface Worklist { total: number; items: WorklistItem[]; ordered?: OrderedItem[] }

export interface WorklistQuery {
  from?: string;
  to?: string;
  modality?: string;
  status?: '' | 'ordered' | 'unread' | 'preliminary' | 'final';
  q?: string;
  accession?: string;
  offset?: number;
  limit?: number;
}

export interface DiagnosticReport {
  resourceType: 'DiagnosticReport';
  id?: string;
  status: string;
  conclusion?: string;
  issued?: string;
  effectiveDateTime?: string;
  presentedForm?: { contentType?: string; data?: string; title?: string }[];
  text?: { div?: string };
  extension?: { url: string; valueString?: string; valueMarkdown?: string }[];
  resultsInterpreter?: { display?: string; reference?: string }[];
  subject?: { reference?: string; display?: string };
  imagingStudy?: { reference?: string }[];
  [key: string]: unknown;
}
export interface Signature { verified: boolean; signer: string; when: string }
export interface ReportAnswer { report: DiagnosticReport | null; signature?: Signature }
export interface ReportInput { findings: string; impression: string }
/** An amendment after signing says why (kept with the new version). */
export interface AmendmentInput extends ReportInput { reason: string }

export type MeasurementKind = 'length' | 'angle' | 'ellipse' | 'rectangle' | 'probe';
export interface Measurement {
  id?: string;
  kind: MeasurementKind;
  value: number;
  unit: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** Frame number from 1 (multi-frame instances only). */
  frame?: number;
  label?: string;
  stats?: { mean?: number; sd?: number; area?: number };
  handles?: unknown;
}

const q = encodeURIComponent;
const auth = { auth: true } as const;

/** Newest first: by start time, studies without one last. */
export const newestFirst = (a: WorklistItem, b: WorklistItem) => (b.started ?? '').localeCompare(a.started ?? '');

export function worklistSearch(query: WorklistQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params.toString();
}

export const radiology = {
  async worklist(query: WorklistQuery, signal?: AbortSignal): Promise<Worklist> {
    const answer = await requestJson<Worklist | undefined>(`/radiology/worklist?${worklistSearch(query)}`, { ...auth, signal });
    if (!answer || !Array.isArray(answer.items)) throw new ApiError(502, 'bad-answer', 'The worklist answer is not a worklist');
    return answer;
  },
  report: (study: string) => requestJson<ReportAnswer>(`/radiology/studies/${q(study)}/report`, auth),
  saveReport: (study: string, input: ReportInput) =>
    requestJson<DiagnosticReport>(`/radiology/studies/${q(study)}/report`, { ...auth, method: 'PUT', body: input }),
  signReport: (study: string, input: ReportInput) =>
    requestJson<DiagnosticReport>(`/radiology/studies/${q(study)}/report/sign`, { ...auth, method: 'POST', body: input }),
  /** A signed report changed: a new version, status amended, signed again. */
  amendReport: (study: string, input: AmendmentInput) =>
    requestJson<DiagnosticReport>(`/radiology/studies/${q(study)}/report/amend`, { ...auth, method: 'POST', body: input }),
  async measurements(study: string): Promise<Measurement[]> {
    const answer = await requestJson<Measurement[] | { items?: Measurement[]; measurements?: Measurement[] }>(`/radiology/studies/${q(study)}/measurements`, auth);
    return Array.isArray(answer) ? answer : answer.items ?? answer.measurements ?? [];
  },
  saveMeasurement: (study: string, measurement: Measurement) =>
    requestJson<unknown>(`/radiology/studies/${q(study)}/measurements`, { ...auth, method: 'POST', body: measurement }),
};

/** Decodes base64 (of UTF-8 text) as the browser has it. */
function fromBase64(data: string): string {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * Findings and impression of a report. The impression is DiagnosticReport.conclusion (FHIR R4
 * §DiagnosticReport); the findings are the text of presentedForm (plain text) unless an extension
 * carries them on their own.
 */
export function reportTexts(report: DiagnosticReport | null | undefined): ReportInput {
  if (!report) return { findings: '', impression: '' };
  const impression = report.conclusion ?? '';
  const own = report.extension?.find((e) => /findings/i.test(e.url));
  if (own) return { findings: own.valueString ?? own.valueMarkdown ?? '', impression };
  const form = report.presentedForm?.find((f) => f.data && (!f.contentType || f.contentType.startsWith('text/plain')));
  let findings = '';
  if (form?.data) {
    try { findings = fromBase64(form.data); } catch { findings = ''; }
    // A presented form holding both sections: keep the findings part only.
    const match = /^(?:findings|所见|检查所见)[:：]?\s*\n?([\s\S]*?)\n\s*(?:impression|印象|诊断意见|结论)[:：]/im.exec(findings);
    if (match) findings = match[1]!.trim();
  }
  return { findings, impression };
}

// ---- DICOMweb ----

/** A DICOM JSON object (PS3.18 Annex F): tag → { vr, Value }. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }>;

export function dicomValue(json: DicomJson, tag: string): unknown {
  return json[tag]?.Value?.[0];
}
export function dicomString(json: DicomJson, tag: string): string | undefined {
  const value = dicomValue(json, tag);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && value !== null) {
    const name = value as { Alphabetic?: string; Ideographic?: string };
    return name.Ideographic ?? name.Alphabetic;
  }
  return String(value);
}
export function dicomNumber(json: DicomJson, tag: string): number | undefined {
  const value = dicomValue(json, tag);
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

const dicomJson = 'application/dicom+json';

export const dicomweb = {
  /** QIDO-RS series of a study (PS3.18 §10.6.1.2.2). */
  series: (study: string) => requestJson<DicomJson[] | undefined>(`/dicomweb/studies/${q(study)}/series`, { ...auth, accept: dicomJson }),
  /** WADO-RS metadata of a series (PS3.18 §10.4.1.1.2): every instance's attributes, without bulk data. */
  seriesMetadata: (study: string, series: string) =>
    requestJson<DicomJson[]>(`/dicomweb/studies/${q(study)}/series/${q(series)}/metadata`, { ...auth, accept: dicomJson }),
  studyMetadata: (study: string) => requestJson<DicomJson[] | undefined>(`/dicomweb/studies/${q(study)}/metadata`, { ...auth, accept: dicomJson }),
};

export interface StowResult {
  status: number;
  /** The answer's ReferencedSOPSequence and FailedSOPSequence items (PS3.18 §10.5.3, Table 10.5.3-1). */
  stored: { sopInstanceUid?: string; retrieveUrl?: string }[];
  failed: { sopInstanceUid?: string; reason?: number }[];
  /** The server's message when it refused the whole request. */
  message?: string;
}

const boundaryOf = () => `open-his-${crypto.randomUUID()}`;

/** The multipart/related body of STOW-RS: one application/dicom part per file (PS3.18 §8.6.1.2). */
async function stowBody(files: File[], boundary: string): Promise<Blob> {
  const parts: BlobPart[] = [];
  for (const file of files) {
    parts.push(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, file, '\r\n');
  }
  parts.push(`--${boundary}--\r\n`);
  return new Blob(parts, { type: `multipart/related; type="application/dicom"; boundary=${boundary}` });
}

function sequenceItems(json: DicomJson | undefined, tag: string): DicomJson[] {
  return (json?.[tag]?.Value ?? []) as DicomJson[];
}

/**
 * Sends files with STOW-RS and reads the standard answer: 200 all stored, 202 some failed, 409 none
 * stored (PS3.18 §10.5.3). XMLHttpRequest rather than fetch: it reports upload progress.
 */
export function stow(files: File[], onProgress: (sent: number, total: number) => void): Promise<StowResult> {
  const send = async (retried: boolean): Promise<StowResult> => {
    const boundary = boundaryOf();
    const body = await stowBody(files, boundary);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/dicomweb/studies');
      xhr.setRequestHeader('content-type', `multipart/related; type="application/dicom"; boundary=${boundary}`);
      xhr.setRequestHeader('accept', dicomJson);
      const token = session.get().token;
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total || body.size);
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
      xhr.send(body);
    });
    if (answer.status === 401 && !retried && await refreshSession()) return send(true);
    let json: DicomJson | undefined;
    let message: string | undefined;
    try {
      const parsed = answer.text ? JSON.parse(answer.text) as unknown : undefined;
      if (Array.isArray(parsed)) json = parsed[0] as DicomJson;
      else if (parsed && typeof parsed === 'object' && !('resourceType' in parsed) && !('message' in parsed)) json = parsed as DicomJson;
      else if (parsed && typeof parsed === 'object') {
        const p = parsed as { message?: string; issue?: { diagnostics?: string; details?: { text?: string } }[] };
        message = p.message ?? p.issue?.[0]?.details?.text ?? p.issue?.[0]?.diagnostics;
      }
    } catch {
      message = answer.text.slice(0, 200);
    }
    return {
      status: answer.status,
      stored: sequenceItems(json, '00081199').map((item) => ({ sopInstanceUid: dicomString(item, '00081155'), retrieveUrl: dicomString(item, '00081190') })),
      failed: sequenceItems(json, '00081198').map((item) => ({ sopInstanceUid: dicomString(item, '00081155'), reason: dicomNumber(item, '00081197') })),
      message,
    };
  };
  return send(false);
}
