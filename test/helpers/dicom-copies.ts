// Copies of DICOM test files under new UIDs, for tests and benchmarks that need each file as an
// instance (and study) of its own — the shared fixtures re-encode one instance in many transfer
// syntaxes under one SOP Instance UID, and a store keeps only one of them.
// renameUids keeps every byte but the UIDs: each UID is replaced by one of the same length, so no
// element length changes, and the transfer syntax (big endian, encapsulated…) is untouched. Deflated
// data sets (PS3.5 §A.5) are inflated, patched and deflated again.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { randomInt } from 'node:crypto';
import dicomParser from 'dicom-parser';
import dcmjs from 'dcmjs';

const DEFLATED = '1.2.840.10008.1.2.1.99';

/** A new UID of exactly `length` characters (2.25.<digits>, PS3.5 §B.2); at most 64. */
export function uidOfLength(length: number): string {
  const size = Math.max(length, 6);
  let digits = String(randomInt(1, 10));
  while (digits.length < size - 5) digits += String(randomInt(0, 10));
  return `2.25.${digits}`;
}

export interface RenamedUids { studyUid?: string; seriesUid?: string; sopUid?: string }

function replaceAll(bytes: Buffer, from: string, to: string): void {
  if (from.length !== to.length || from.length === 0) throw new Error('same-length UIDs only');
  const needle = Buffer.from(from, 'latin1');
  const replacement = Buffer.from(to, 'latin1');
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length)) replacement.copy(bytes, at);
}

/**
 * The file with new Study, Series and SOP Instance UIDs (the SOP one in the File Meta too); `study`
 * and `series` may be given to put several copies in one series. Returns the new UIDs found.
 */
export function renameUids(file: Buffer, options: { studyUid?: string; seriesUid?: string } = {}): { bytes: Buffer; uids: RenamedUids } {
  const dataSet = dicomParser.parseDicom(file, { untilTag: 'x7fe00010' });
  const old = {
    studyUid: dataSet.string('x0020000d')?.trim(),
    seriesUid: dataSet.string('x0020000e')?.trim(),
    sopUid: (dataSet.string('x00080018') ?? dataSet.string('x00020003'))?.trim(),
  };
  const uids: RenamedUids = {};
  const pairs: [string, string][] = [];
  for (const key of ['studyUid', 'seriesUid', 'sopUid'] as const) {
    const was = old[key];
    if (!was) continue;
    const given = key === 'studyUid' ? options.studyUid : key === 'seriesUid' ? options.seriesUid : undefined;
    const now = given && given.length === was.length ? given : uidOfLength(was.length);
    uids[key] = now;
    pairs.push([was, now]);
  }
  const syntax = dataSet.string('x00020010')?.trim();
  if (syntax === DEFLATED) {
    // File Meta: 128-byte preamble, "DICM", then group 2, whose length (0002,0000) is its first element.
    const metaEnd = 132 + 12 + file.readUInt32LE(132 + 8);
    const meta = Buffer.from(file.subarray(0, metaEnd));
    const body = inflateRawSync(file.subarray(metaEnd));
    for (const [was, now] of pairs) { replaceAll(meta, was, now); replaceAll(body, was, now); }
    return { bytes: Buffer.concat([meta, deflateRawSync(body)]), uids };
  }
  const bytes = Buffer.from(file);
  for (const [was, now] of pairs) replaceAll(bytes, was, now);
  return { bytes, uids };
}

/**
 * A series of `count` instances made from one single-frame file with dcmjs: new Study, Series and SOP
 * Instance UIDs, Instance Number 1…count and Image Position stepping along the slice direction.
 */
export function makeSeries(file: Buffer, count: number): { studyUid: string; seriesUid: string; files: Buffer[] } {
  const { DicomMessage, DicomMetaDictionary } = (dcmjs as unknown as { data: any }).data;
  const studyUid = DicomMetaDictionary.uid() as string;
  const seriesUid = DicomMetaDictionary.uid() as string;
  const files: Buffer[] = [];
  const source = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  for (let i = 1; i <= count; i++) {
    const message = DicomMessage.readFile(source);
    const sopUid = DicomMetaDictionary.uid() as string;
    message.dict['0020000D'] = { vr: 'UI', Value: [studyUid] };
    message.dict['0020000E'] = { vr: 'UI', Value: [seriesUid] };
    message.dict['00080018'] = { vr: 'UI', Value: [sopUid] };
    message.dict['00200013'] = { vr: 'IS', Value: [i] };
    const position = message.dict['00200032']?.Value as number[] | undefined;
    if (position?.length === 3) message.dict['00200032'] = { vr: 'DS', Value: [position[0], position[1], Number(position[2]) + i] };
    message.meta['00020003'] = { vr: 'UI', Value: [sopUid] };
    files.push(Buffer.from(message.write({ allowInvalidVRLength: true }) as ArrayBuffer));
  }
  return { studyUid, seriesUid, files };
}

/** A STOW-RS body (multipart/related; type="application/dicom", PS3.18 §10.5.1.2) of the files. */
export function stowBody(files: Buffer[]): { body: Buffer; contentType: string } {
  const boundary = `stow-${randomInt(1e9)}-${Date.now()}`;
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), file, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

/** Sends files with STOW-RS to `${url}/dicomweb/studies`; the status and the DICOM JSON answer. */
export async function stow(url: string, token: string, files: Buffer[]): Promise<{ status: number; body: any }> {
  const { body, contentType } = stowBody(files);
  const res = await fetch(`${url}/dicomweb/studies`, {
    method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, accept: 'application/dicom+json', authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  return { status: res.status, body: json };
}
