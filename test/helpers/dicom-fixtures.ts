// The shared DICOM fixture files as interoperability tests see them: what each file is (read here with
// dicom-parser directly, not through imaging/, so a bug there cannot hide in both the server and the
// expectation) and what a conformant DICOMweb server must answer for it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';

export const fixturesDir = fileURLToPath(new URL('../fixtures/dicom/', import.meta.url));

export interface FixtureFile {
  /** Path relative to the fixtures folder, e.g. `ct/CT_small.dcm`. */
  path: string;
  bytes: Buffer;
  /** dicom-parser `parseDicom(buffer)` succeeded (the manifest's `dicomParser.status`). */
  parses: boolean;
  transferSyntaxUid?: string;
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  patientId?: string;
  patientName?: string;
  studyDate?: string;
  accessionNumber?: string;
  modality?: string;
  /** Parses and carries the four UIDs a store needs (PS3.4 B.4.1.3: without them the instance cannot be referenced). */
  storable: boolean;
  /** Frames as a conformant server answers them (PS3.18 §8.7.3.5.4: native frames little endian), when known. */
  frames?: Buffer[];
  /** UIDs the manifest gives for files dicom-parser cannot read (to check that nothing of them was stored). */
  declared: { sopInstanceUid?: string; studyInstanceUid?: string };
  /** The pixel data element's tag in DICOM JSON form, when the file has one. */
  pixelTag?: string;
  encapsulated: boolean;
}

interface ManifestEntry { path: string; dicomParser: { status: string }; sopInstanceUID?: string; studyInstanceUID?: string }

const text = (dataSet: dicomParser.DataSet, tag: string): string | undefined => {
  const value = dataSet.string(tag)?.replace(/\0/g, '').trim();
  return value ? value : undefined;
};

/** Every file listed in the folder's manifest.json (the fixtures, or the shared set it was copied from), read and described. */
export function loadFixtures(dir = fixturesDir): FixtureFile[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: ManifestEntry[] };
  return manifest.files.map((entry) => describe(entry, readFileSync(join(dir, entry.path))));
}

function describe(entry: ManifestEntry, bytes: Buffer): FixtureFile {
  const file: FixtureFile = {
    path: entry.path, bytes, parses: false, storable: false, encapsulated: false,
    declared: { sopInstanceUid: entry.sopInstanceUID, studyInstanceUid: entry.studyInstanceUID },
  };
  if (entry.dicomParser.status !== 'ok') return file;
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch {
    return file;
  }
  file.parses = true;
  file.transferSyntaxUid = text(dataSet, 'x00020010');
  file.sopClassUid = text(dataSet, 'x00080016') ?? text(dataSet, 'x00020002');
  file.sopInstanceUid = text(dataSet, 'x00080018') ?? text(dataSet, 'x00020003');
  file.studyInstanceUid = text(dataSet, 'x0020000d');
  file.seriesInstanceUid = text(dataSet, 'x0020000e');
  file.patientId = text(dataSet, 'x00100020');
  file.patientName = text(dataSet, 'x00100010');
  file.studyDate = text(dataSet, 'x00080020');
  file.accessionNumber = text(dataSet, 'x00080050');
  file.modality = text(dataSet, 'x00080060');
  // The dataset's own SOP Instance / Class UID must be there: the File Meta copy alone does not make an instance.
  file.storable = Boolean(text(dataSet, 'x00080016') && text(dataSet, 'x00080018') && file.studyInstanceUid && file.seriesInstanceUid);
  const pixelTag = ['x7fe00010', 'x7fe00008', 'x7fe00009'].find((tag) => dataSet.elements[tag]);
  if (pixelTag) {
    file.pixelTag = pixelTag.slice(1).toUpperCase();
    const element = dataSet.elements[pixelTag]!;
    file.encapsulated = Boolean(element.encapsulatedPixelData);
    file.frames = expectedFrames(dataSet, element, file.transferSyntaxUid);
  }
  return file;
}

// JPEG and JPEG-LS code streams both open with an SOI marker, which is how a frame's first fragment is found without an offset table.
const JPEG_FAMILY = /^1\.2\.840\.10008\.1\.2\.4\.(5\d|6\d|70|80|81)$/;

/** Frames per PS3.5 §8.2 (native) and §A.4 (encapsulated); undefined where the split is not knowable here. */
function expectedFrames(dataSet: dicomParser.DataSet, element: dicomParser.Element, transferSyntaxUid?: string): Buffer[] | undefined {
  const frameCount = Math.max(1, Number(dataSet.intString('x00280008') ?? 1) || 1);
  const array = dataSet.byteArray as Uint8Array;
  if (element.encapsulatedPixelData) {
    const fragments = element.fragments ?? [];
    if (fragments.length === 0) return undefined;
    const read = (index: number, bot?: number[]) => Buffer.from(dicomParser.readEncapsulatedImageFrame(dataSet, element, index, bot) as Uint8Array);
    if ((element.basicOffsetTable ?? []).length > 0) return range(frameCount).map((i) => read(i));
    if (frameCount === 1) return [Buffer.from(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length) as Uint8Array)];
    if (fragments.length === frameCount) return range(frameCount).map((i) => Buffer.from(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, i, 1) as Uint8Array));
    if (transferSyntaxUid && JPEG_FAMILY.test(transferSyntaxUid)) {
      const bot = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
      return range(frameCount).map((i) => read(i, bot));
    }
    return undefined;
  }
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const samples = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  const photometric = text(dataSet, 'x00280004');
  const floatBits = element.tag === 'x7fe00008' ? 32 : element.tag === 'x7fe00009' ? 64 : bitsAllocated;
  // YBR_FULL_422 native data holds two samples' worth per pixel pair (PS3.3 C.7.6.3.1.2).
  const bitsPerFrame = rows * columns * (photometric === 'YBR_FULL_422' ? 2 : samples) * floatBits;
  if (bitsPerFrame === 0 || bitsPerFrame % 8 !== 0) return undefined;
  const frameLength = bitsPerFrame / 8;
  if (frameLength * frameCount > element.length) return undefined;
  const bigEndian = transferSyntaxUid === '1.2.840.10008.1.2.2';
  return range(frameCount).map((i) => {
    const frame = Buffer.from(array.subarray(element.dataOffset + i * frameLength, element.dataOffset + (i + 1) * frameLength));
    if (bigEndian && floatBits === 16) frame.swap16();
    if (bigEndian && floatBits === 32) frame.swap32();
    if (bigEndian && floatBits === 64) frame.swap64();
    return frame;
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Files grouped by SOP Instance UID in manifest order: the first of each group and the re-encodings after it. */
export function bySopInstance(files: FixtureFile[]): { first: FixtureFile[]; repeats: FixtureFile[] } {
  const seen = new Set<string>();
  const first: FixtureFile[] = [];
  const repeats: FixtureFile[] = [];
  for (const file of files) {
    if (seen.has(file.sopInstanceUid!)) repeats.push(file);
    else {
      seen.add(file.sopInstanceUid!);
      first.push(file);
    }
  }
  return { first, repeats };
}
