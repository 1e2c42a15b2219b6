// Data for bench:imaging: the shared files both servers can store, fresh copies of them with new UIDs
// for each ingest round (so every round stores new instances, as a modality does), and a generated
// 300-instance CT series for /metadata.
import { randomInt } from 'node:crypto';
import dcmjs from 'dcmjs';
import { bySopInstance, loadFixtures, type FixtureFile } from '../helpers/dicom-fixtures.ts';

export interface BenchFile { path: string; bytes: Buffer; uids: string[] }

/**
 * Storable files, one per SOP Instance (re-encodings would be no-ops), without the deflated ones
 * (their UIDs are inside the compressed stream, so copies cannot be made by patching bytes).
 */
export function benchFiles(dir: string): { files: BenchFile[]; fixtures: FixtureFile[]; left: string[] } {
  const fixtures = loadFixtures(dir);
  const { first } = bySopInstance(fixtures.filter((f) => f.storable));
  const left: string[] = fixtures.filter((f) => !first.includes(f)).map((f) => f.path);
  const files: BenchFile[] = [];
  for (const file of first) {
    if (file.transferSyntaxUid === '1.2.840.10008.1.2.1.99') {
      left.push(file.path);
      continue;
    }
    const uids = [file.studyInstanceUid!, file.seriesInstanceUid!, file.sopInstanceUid!];
    // Copies need a UID component of three digits or more to vary.
    if (uids.some((uid) => Math.max(...uid.split('.').map((p) => p.length)) < 3)) {
      left.push(file.path);
      continue;
    }
    files.push({ path: file.path, bytes: file.bytes, uids });
  }
  return { files, fixtures, left };
}

/**
 * The same UID with one long component's last digits replaced, so the value keeps its length and the
 * file its structure (PS3.5 §9.1: components are digits without leading zeros; the first digit stays).
 */
function variantUid(uid: string, taken: Set<string>): string {
  const parts = uid.split('.');
  const longest = parts.reduce((best, part, i) => (part.length > parts[best]!.length ? i : best), 0);
  const part = parts[longest]!;
  const width = Math.min(5, part.length - 1);
  if (width < 2) throw new Error(`UID ${uid} has no component long enough to vary`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const digits = String(randomInt(0, 10 ** width)).padStart(width, '0');
    const candidate = [...parts.slice(0, longest), part.slice(0, part.length - width) + digits, ...parts.slice(longest + 1)].join('.');
    if (candidate !== uid && !taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  throw new Error(`no free variant of ${uid}`);
}

const uidChar = (byte: number | undefined) => byte !== undefined && (byte === 0x2e || (byte >= 0x30 && byte <= 0x39));

/**
 * Copies of the files with new Study / Series / SOP Instance UIDs (one mapping for the whole set, so
 * studies stay studies); `taken` holds every UID used so far, originals included.
 */
export function variant(files: BenchFile[], taken: Set<string>): BenchFile[] {
  for (const file of files) for (const uid of file.uids) taken.add(uid);
  const mapping = new Map<string, string>();
  for (const file of files) for (const uid of file.uids) if (!mapping.has(uid)) mapping.set(uid, variantUid(uid, taken));
  return files.map((file) => {
    const bytes = Buffer.from(file.bytes);
    for (const uid of file.uids) {
      const from = Buffer.from(uid, 'latin1');
      const to = Buffer.from(mapping.get(uid)!, 'latin1');
      // Whole values only (a study UID may start its instances' UIDs); the byte before may be a length.
      for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + from.length)) {
        if (!uidChar(bytes[at + from.length])) to.copy(bytes, at);
      }
    }
    return { path: file.path, bytes, uids: file.uids.map((uid) => mapping.get(uid)!) };
  });
}

/**
 * A CT series of `count` instances made from one CT file with dcmjs: new Study / Series UIDs, and per
 * instance a new SOP Instance UID, InstanceNumber and ImagePositionPatient one millimetre apart.
 */
export function generatedSeries(source: Buffer, count: number): { studyUid: string; seriesUid: string; files: Buffer[] } {
  const root = `2.25.${BigInt(`0x${Buffer.from(Array.from({ length: 12 }, () => randomInt(256))).toString('hex')}`)}`;
  const studyUid = `${root}.1`;
  const seriesUid = `${root}.2`;
  const files: Buffer[] = [];
  const arrayBuffer = source.buffer.slice(source.byteOffset, source.byteOffset + source.length);
  for (let i = 1; i <= count; i++) {
    const message = dcmjs.data.DicomMessage.readFile(arrayBuffer);
    const sopUid = `${root}.3.${i}`;
    message.dict['0020000D'].Value = [studyUid];
    message.dict['0020000E'].Value = [seriesUid];
    message.dict['00080018'].Value = [sopUid];
    message.meta['00020003'].Value = [sopUid];
    message.dict['00200013'] = { vr: 'IS', Value: [i] };
    const position = (message.dict['00200032']?.Value ?? [0, 0, 0]) as number[];
    message.dict['00200032'] = { vr: 'DS', Value: [position[0], position[1], Number(position[2] ?? 0) + i] };
    files.push(Buffer.from(message.write() as ArrayBuffer));
  }
  return { studyUid, seriesUid, files };
}
