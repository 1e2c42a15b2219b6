// WADO-RS retrieve (PS3.18 §10.4): instances as multipart/related application/dicom, metadata in the
// DICOM JSON model from the index, frames and bulk data as octet streams or their compressed media
// types. Instances are answered in the transfer syntax they were stored in.
import { Readable } from 'node:stream';
import type { BlobStore } from '../storage/blob-store.ts';
import type { InstanceLocation, StudyIndex } from '../storage/study-index.ts';
import { frameBytes, layoutBytes } from '../frames.ts';
import { frameMediaType, isEncapsulated, TransferSyntax } from '../dicom/transfer-syntax.ts';
import { DicomWebError } from './errors.ts';
import { newBoundary } from './multipart.ts';
import { parseAccept, takesTransferSyntax, typeMatches } from './accept.ts';
import dicomParser from 'dicom-parser';

export interface WadoAnswer {
  status: number;
  contentType: string;
  body: Buffer | Readable | string;
}

export interface RetrieveTarget {
  studyUid: string;
  seriesUid?: string;
  sopInstanceUid?: string;
}

async function located(index: StudyIndex, target: RetrieveTarget): Promise<InstanceLocation[]> {
  const found = await index.instances(target.studyUid, target.seriesUid, target.sopInstanceUid);
  if (found.length === 0) throw new DicomWebError(404, target.sopInstanceUid ? 'No such instance' : target.seriesUid ? 'No such series' : 'No such study');
  return found;
}

function partHead(boundary: string, contentType: string, length: number, location?: string): Buffer {
  return Buffer.from(`--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\n${location ? `Content-Location: ${location}\r\n` : ''}\r\n`, 'latin1');
}

/** Study, series or instance retrieve: one part per stored file, streamed one file at a time. */
export async function retrieveInstances(index: StudyIndex, blobs: BlobStore, target: RetrieveTarget, accept: string | undefined): Promise<WadoAnswer> {
  const instances = await located(index, target);
  const ranges = parseAccept(accept).filter((r) => (r.multipart || r.type === '*/*') && typeMatches(r.type, 'application/dicom'));
  if (ranges.length === 0) throw new DicomWebError(406, 'Instances are answered as multipart/related; type="application/dicom" (PS3.18 §10.4.1.2.1)');
  for (const instance of instances) {
    if (!ranges.some((r) => takesTransferSyntax(r, instance.transferSyntaxUid))) {
      throw new DicomWebError(406, `An instance is stored in transfer syntax ${instance.transferSyntaxUid}, which this server does not convert`);
    }
  }
  const boundary = newBoundary();
  async function* parts() {
    for (const instance of instances) {
      const bytes = await blobs.get(instance.blobKey);
      yield partHead(boundary, `application/dicom; transfer-syntax=${instance.transferSyntaxUid}`, bytes.length);
      yield bytes;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return { status: 200, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`, body: Readable.from(parts(), { objectMode: false }) };
}

export async function retrieveMetadata(index: StudyIndex, target: RetrieveTarget, baseUrl: string): Promise<WadoAnswer> {
  const json = await index.metadata(target.studyUid, target.seriesUid, target.sopInstanceUid,
    (series, instance) => `${baseUrl}/studies/${target.studyUid}/series/${series}/instances/${instance}/bulk`);
  if (json === undefined) throw new DicomWebError(404, target.sopInstanceUid ? 'No such instance' : target.seriesUid ? 'No such series' : 'No such study');
  return { status: 200, contentType: 'application/dicom+json', body: json };
}

/** PS3.18 §8.3.5.1: a frame list is 1-based frame numbers separated by commas. */
export function parseFrameList(list: string, count: number): number[] {
  const frames = list.split(',').map((f) => f.trim());
  if (frames.length === 0 || frames.length > 10_000 || frames.some((f) => !/^[1-9][0-9]{0,8}$/.test(f))) {
    throw new DicomWebError(400, 'Frame numbers are whole numbers from 1, separated by commas');
  }
  const numbers = frames.map(Number);
  const missing = numbers.find((n) => n > count);
  if (missing !== undefined) throw new DicomWebError(404, `No frame ${missing}: the instance has ${count}`);
  return numbers;
}

/** How frames are labelled for a client: octet stream (native, or compressed with transfer-syntax=*), or the codec's own type. */
function frameContentType(accept: string | undefined, stored: string): string {
  const encapsulated = isEncapsulated(stored);
  const codec = frameMediaType(stored);
  for (const range of parseAccept(accept)) {
    if (!range.multipart && range.type !== '*/*') continue;
    if (!encapsulated) {
      if (typeMatches(range.type, 'application/octet-stream') && (range.transferSyntax === undefined || range.transferSyntax === '*' || range.transferSyntax === TransferSyntax.ExplicitVRLittleEndian)) {
        return `application/octet-stream; transfer-syntax=${TransferSyntax.ExplicitVRLittleEndian}`;
      }
      continue;
    }
    if (range.type === 'application/octet-stream') {
      // Compressed bytes labelled as an octet stream only when the client takes any transfer syntax (cornerstone's wadors: loader).
      if (range.transferSyntax === '*' || range.transferSyntax === stored) return `application/octet-stream; transfer-syntax=${stored}`;
      continue;
    }
    if (typeMatches(range.type, codec) && takesTransferSyntax(range, stored)) return `${codec}; transfer-syntax=${stored}`;
  }
  throw new DicomWebError(406, encapsulated
    ? `The frames are stored compressed (transfer syntax ${stored}); ask for ${codec} or application/octet-stream with transfer-syntax=*`
    : 'Uncompressed frames are answered as application/octet-stream (Explicit VR Little Endian)');
}

export async function retrieveFrames(index: StudyIndex, blobs: BlobStore, target: Required<RetrieveTarget>, frameList: string, accept: string | undefined): Promise<WadoAnswer> {
  const [instance] = await located(index, target);
  if (!instance.pixelLayout || instance.numberOfFrames === 0) throw new DicomWebError(400, 'The instance has no pixel data');
  const numbers = parseFrameList(frameList, instance.pixelLayout.frames.length);
  const contentType = frameContentType(accept, instance.transferSyntaxUid);
  const file = await blobs.get(instance.blobKey);
  const source = layoutBytes(file, instance.pixelLayout);
  const boundary = newBoundary();
  const chunks: Buffer[] = [];
  const base = `/studies/${target.studyUid}/series/${target.seriesUid}/instances/${target.sopInstanceUid}/frames/`;
  for (const n of numbers) {
    const bytes = frameBytes(file, instance.pixelLayout, n - 1, { littleEndian: true }, source);
    chunks.push(partHead(boundary, contentType, bytes.length, `${base}${n}`), bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const partType = contentType.split(';')[0];
  return { status: 200, contentType: `multipart/related; type="${partType}"; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

/** Bulk data of a top-level attribute, as the BulkDataURIs of /metadata name it (PS3.18 §10.4.1.1.5). */
export async function retrieveBulk(index: StudyIndex, blobs: BlobStore, target: Required<RetrieveTarget>, tag: string, accept: string | undefined): Promise<WadoAnswer> {
  if (!/^[0-9A-Fa-f]{8}$/.test(tag)) throw new DicomWebError(400, 'Bulk data is named by an 8-hex-digit tag');
  const [instance] = await located(index, target);
  const upper = tag.toUpperCase();
  const file = await blobs.get(instance.blobKey);
  let value: Buffer;
  let contentType = 'application/octet-stream';
  if (['7FE00010', '7FE00008', '7FE00009'].includes(upper) && instance.pixelLayout) {
    const layout = instance.pixelLayout;
    const source = layoutBytes(file, layout);
    if (layout.encapsulated) contentType = `application/octet-stream; transfer-syntax=${instance.transferSyntaxUid}`;
    value = Buffer.concat(layout.frames.map((_, i) => frameBytes(file, layout, i, { littleEndian: true }, source)));
  } else {
    const dataSet = dicomParser.parseDicom(file);
    const element = dataSet.elements[`x${tag.toLowerCase()}`];
    if (!element) throw new DicomWebError(404, 'The instance has no such attribute');
    value = Buffer.from(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length);
  }
  const ranges = parseAccept(accept);
  if (!ranges.some((r) => typeMatches(r.type, 'application/octet-stream'))) throw new DicomWebError(406, 'Bulk data is answered as application/octet-stream');
  const boundary = newBoundary();
  const body = Buffer.concat([partHead(boundary, contentType, value.length), value, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { status: 200, contentType: `multipart/related; type="application/octet-stream"; boundary=${boundary}`, body };
}

/**
 * WADO-URI (PS3.18 §9): `requestType=WADO&studyUID&seriesUID&objectUID&contentType=application/dicom`.
 * Only the DICOM object itself is served; rendered types need codecs this server does not hold.
 */
export async function wadoUri(index: StudyIndex, blobs: BlobStore, query: Record<string, string | string[] | undefined>): Promise<WadoAnswer> {
  const one = (name: string) => {
    const v = query[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (one('requestType') !== 'WADO') throw new DicomWebError(400, 'requestType must be WADO (PS3.18 §9.1.2.1.1)');
  const studyUid = one('studyUID'), seriesUid = one('seriesUID'), objectUid = one('objectUID');
  if (!studyUid || !seriesUid || !objectUid) throw new DicomWebError(400, 'studyUID, seriesUID and objectUID are required');
  const contentTypes = (one('contentType') ?? 'image/jpeg').split(',').map((t) => t.trim().toLowerCase());
  if (!contentTypes.some((t) => t === 'application/dicom' || t === '*/*')) {
    throw new DicomWebError(406, 'This server serves WADO-URI objects as contentType=application/dicom');
  }
  const instance = await index.instance(studyUid, seriesUid, objectUid);
  if (!instance) throw new DicomWebError(404, 'No such instance');
  const wanted = one('transferSyntax');
  if (wanted && wanted !== '*' && wanted !== instance.transferSyntaxUid) {
    throw new DicomWebError(406, `The instance is stored in transfer syntax ${instance.transferSyntaxUid}, which this server does not convert`);
  }
  return { status: 200, contentType: 'application/dicom', body: await blobs.get(instance.blobKey) };
}
