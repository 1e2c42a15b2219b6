// STOW-RS (PS3.18 §10.5): a multipart/related body of DICOM instances in, the Store Instances
// Response Module (PS3.18 Table 10.5.3-1) out, in the DICOM JSON model.
import type { DicomStore, StoreOutcome } from '../ingest.ts';
import type { DicomJson } from '../dicom/dicom-json.ts';
import { DicomWebError } from './errors.ts';
import { parseMediaType, parseMultipart } from './multipart.ts';
import { FailureReason } from '../errors.ts';

export interface StowRequest {
  contentType?: string;
  body: Buffer;
  studyUid?: string;
  /** The DICOMweb root as clients reach it, e.g. https://his.example/dicomweb. */
  baseUrl: string;
}

export interface StowAnswer {
  status: number;
  body: DicomJson;
  outcomes: StoreOutcome[];
}

/** Private block of this server (PS3.5 §7.8): a stable code and a readable reason next to each FailureReason. */
const privateCreator = { '00090010': { vr: 'LO', Value: ['OPEN HIS'] } };

export async function stow(store: DicomStore, request: StowRequest): Promise<StowAnswer> {
  const media = parseMediaType(request.contentType);
  if (!media || media.type !== 'multipart/related') {
    throw new DicomWebError(415, 'STOW-RS takes multipart/related; type="application/dicom" (PS3.18 §10.5.1.1)');
  }
  const type = media.params.type?.toLowerCase();
  if (type !== undefined && type !== 'application/dicom') {
    throw new DicomWebError(415, `Only application/dicom parts are accepted, not ${type.slice(0, 64)}`);
  }
  const parts = parseMultipart(request.body, media.params.boundary ?? '');
  if (parts.length === 0) throw new DicomWebError(400, 'The multipart body holds no instance');
  const incoming = parts.map((p) => {
    const partType = parseMediaType(p.headers['content-type']);
    return { bytes: p.body, transferSyntaxUid: partType?.params['transfer-syntax'], acceptable: !partType || partType.type === 'application/dicom' };
  });
  const outcomes: StoreOutcome[] = new Array(parts.length);
  const storable = incoming.map((p, at) => ({ ...p, at })).filter((p) => p.acceptable);
  incoming.forEach((p, at) => {
    if (!p.acceptable) outcomes[at] = { status: 'failed', failureReason: FailureReason.sopClassNotSupported, code: 'unreadable', message: 'The part is not application/dicom' };
  });
  const stored = await store.store(storable.map((p) => ({ bytes: p.bytes, transferSyntaxUid: p.transferSyntaxUid })), { studyInstanceUid: request.studyUid });
  storable.forEach((p, i) => { outcomes[p.at] = stored[i]; });

  const referenced: DicomJson[] = [];
  const failed: DicomJson[] = [];
  outcomes.forEach((o, at) => {
    if (o.status === 'failed') {
      failed.push({
        ...(o.sopClassUid ? { '00081150': { vr: 'UI', Value: [o.sopClassUid] } } : {}),
        ...(o.sopInstanceUid ? { '00081155': { vr: 'UI', Value: [o.sopInstanceUid] } } : {}),
        '00081197': { vr: 'US', Value: [o.failureReason] },
        ...privateCreator,
        '00091001': { vr: 'LO', Value: [o.code] },
        '00091002': { vr: 'LT', Value: [o.message] },
        // Which part of the request failed (1-based), for clients that sent files without knowing their UIDs.
        '00091003': { vr: 'IS', Value: [at + 1] },
      });
    } else {
      referenced.push({
        '00081150': { vr: 'UI', Value: [o.sopClassUid] },
        '00081155': { vr: 'UI', Value: [o.sopInstanceUid] },
        '00081190': { vr: 'UR', Value: [`${request.baseUrl}/studies/${o.studyInstanceUid}/series/${o.seriesInstanceUid}/instances/${o.sopInstanceUid}`] },
      });
    }
  });
  const studies = new Set(outcomes.filter((o): o is Extract<StoreOutcome, { studyInstanceUid: string }> => o.status !== 'failed').map((o) => o.studyInstanceUid));
  const study = request.studyUid ?? (studies.size === 1 ? [...studies][0] : undefined);
  const body: DicomJson = {
    ...(study ? { '00081190': { vr: 'UR', Value: [`${request.baseUrl}/studies/${study}`] } } : {}),
    ...(failed.length ? { '00081198': { vr: 'SQ', Value: failed } } : {}),
    ...(referenced.length ? { '00081199': { vr: 'SQ', Value: referenced } } : {}),
  };
  // PS3.18 §10.5.3.1: 200 all stored; 202 some failed; 409 none stored.
  const status = failed.length === 0 ? 200 : referenced.length === 0 ? 409 : 202;
  return { status, body, outcomes };
}
