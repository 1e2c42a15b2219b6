// One DICOM instance in, the attributes the index needs and where its frames lie out. Parsing is done
// by dicom-parser (PS3.10 Part-10 files); this module decides what is acceptable for storage.
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import type { ParsedInstance, PixelLayout, FrameRanges } from './types.ts';
import { DicomError, FailureReason } from './errors.ts';
import { characterSet, decodeAscii, type CharacterSet } from './dicom/charset.ts';
import { toDicomJson } from './dicom/dicom-json.ts';
import { TransferSyntax, isEncapsulated } from './dicom/transfer-syntax.ts';

export interface ParseOptions {
  /**
   * The transfer syntax to assume when the bytes are a bare dataset without the Part-10 preamble and
   * File Meta (PS3.10 §7.1): a STOW-RS part may name it in its media type (PS3.18 §8.7.3.5).
   */
  transferSyntaxUid?: string;
}

/** PS3.5 §9.1: UIDs are dot-separated numbers without leading zeros, at most 64 characters. */
const uidPattern = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

function parseError(err: unknown): DicomError {
  const message = typeof err === 'string' ? err : err instanceof Error ? err.message : String((err as { exception?: unknown })?.exception ?? err);
  if (/DICM prefix not found/.test(message)) return new DicomError('not-part10', 'Not a DICOM Part-10 file: no DICM prefix at byte 128 (PS3.10 §7.1)');
  if (/0002,0010/.test(message)) return new DicomError('no-transfer-syntax', 'The File Meta Information has no Transfer Syntax UID (0002,0010)');
  if (/buffer overrun|maxPosition|beyond|exceeds|past the end|eof/i.test(message)) {
    return new DicomError('truncated', 'The file ends inside a data element: it is truncated');
  }
  return new DicomError('unreadable', `The dataset cannot be read: ${message.replace(/^dicomParser\.?[A-Za-z]*:\s*/, '')}`);
}

function readDataSet(bytes: Buffer, options: ParseOptions): DataSet {
  try {
    return dicomParser.parseDicom(bytes);
  } catch (err) {
    const failure = parseError(err);
    if (failure.code !== 'not-part10' || !options.transferSyntaxUid) throw failure;
  }
  try {
    return dicomParser.parseDicom(bytes, { TransferSyntaxUID: options.transferSyntaxUid } as never);
  } catch (err) {
    throw parseError(err);
  }
}

interface Reader {
  dataSet: DataSet;
  charset: CharacterSet;
  text(tag: string): string | undefined;
  ascii(tag: string): string | undefined;
  int(tag: string): number | undefined;
  uint16(tag: string): number | undefined;
}

function reader(dataSet: DataSet): Reader {
  const bytesOf = (e: Element) => dataSet.byteArray.subarray(e.dataOffset, e.dataOffset + e.length);
  const clean = (s: string) => s.replace(/[\0\s]+$/, '').replace(/^\s+/, '');
  const charsetElement = dataSet.elements.x00080005;
  const charset = characterSet(charsetElement ? decodeAscii(bytesOf(charsetElement)) : undefined);
  const r: Reader = {
    dataSet,
    charset,
    text(tag) {
      const e = dataSet.elements[tag];
      if (!e || e.length === 0 || e.items) return undefined;
      const value = clean(charset.decode(bytesOf(e)));
      return value === '' ? undefined : value;
    },
    ascii(tag) {
      const e = dataSet.elements[tag];
      if (!e || e.length === 0 || e.items) return undefined;
      const value = clean(decodeAscii(bytesOf(e)).split('\\')[0]);
      return value === '' ? undefined : value;
    },
    int(tag) {
      const v = r.ascii(tag);
      if (v === undefined) return undefined;
      const n = Number(v);
      return Number.isFinite(n) ? Math.trunc(n) : undefined;
    },
    uint16(tag) {
      const e = dataSet.elements[tag];
      if (!e || e.length < 2) return undefined;
      return dataSet.uint16(tag);
    },
  };
  return r;
}

function requiredUid(r: Reader, tag: string, name: string, elementTag: string): string {
  const value = r.ascii(tag)?.replace(/\0/g, '');
  if (!value) {
    throw new DicomError('missing-uid', `The instance has no ${name} ${elementTag}`, FailureReason.cannotUnderstand);
  }
  if (value.length > 64 || !uidPattern.test(value)) {
    throw new DicomError('invalid-uid', `${name} ${elementTag} is not a valid UID (PS3.5 §9.1)`, FailureReason.cannotUnderstand);
  }
  return value;
}

function transferSyntaxOf(dataSet: DataSet, options: ParseOptions): string {
  const e = dataSet.elements.x00020010;
  if (e && e.length > 0) return decodeAscii(dataSet.byteArray.subarray(e.dataOffset, e.dataOffset + e.length)).replace(/[\0\s]+$/, '');
  if (options.transferSyntaxUid) return options.transferSyntaxUid;
  throw new DicomError('no-transfer-syntax', 'The File Meta Information has no Transfer Syntax UID (0002,0010)');
}

/** Frame boundaries inside encapsulated pixel data (PS3.5 §A.4). */
function encapsulatedFrames(dataSet: DataSet, pixel: Element, frames: number, transferSyntax: string): FrameRanges[] {
  const fragments = pixel.fragments ?? [];
  for (const f of fragments) {
    if (f.position + f.length > dataSet.byteArray.length) {
      throw new DicomError('truncated', 'The file ends inside an encapsulated pixel data fragment: it is truncated');
    }
  }
  const range = (i: number) => [fragments[i].position, fragments[i].length] as const;
  const bot = pixel.basicOffsetTable ?? [];
  if (fragments.length === 0) return [];
  if (bot.length === frames && frames > 0) {
    // Basic Offset Table: byte offsets of each frame's first fragment, from the first fragment's item tag.
    const out: FrameRanges[] = [];
    for (let f = 0; f < frames; f++) {
      const start = bot[f];
      const end = f + 1 < frames ? bot[f + 1] : Infinity;
      out.push(fragments.map((_, i) => i).filter((i) => fragments[i].offset >= start && fragments[i].offset < end).map(range));
    }
    if (out.every((ranges) => ranges.length > 0)) return out;
  }
  const extended = extendedOffsets(dataSet);
  if (extended && extended.length === frames) {
    const out = extended.map((start, f) => {
      const end = f + 1 < frames ? extended[f + 1] : Infinity;
      return fragments.map((_, i) => i).filter((i) => fragments[i].offset >= start && fragments[i].offset < end).map(range);
    });
    if (out.every((ranges) => ranges.length > 0)) return out;
  }
  if (frames <= 1) return [fragments.map((_, i) => range(i))];
  if (fragments.length === frames) return fragments.map((_, i) => [range(i)]);
  // No offset table and more fragments than frames: a frame starts at a fragment that opens with
  // its codec's start marker (JPEG SOI FFD8, JPEG 2000 SOC FF4F or a JP2 signature box).
  const starts = fragments.map((f) => startsFrame(dataSet.byteArray, f.position, f.length, transferSyntax));
  starts[0] = true;
  const out: FrameRanges[] = [];
  fragments.forEach((_, i) => {
    if (starts[i] || out.length === 0) out.push([range(i)]);
    else (out[out.length - 1] as Array<readonly [number, number]>).push(range(i));
  });
  return out.length === frames ? out : out.slice(0, frames);
}

function startsFrame(bytes: Uint8Array, position: number, length: number, transferSyntax: string): boolean {
  if (length < 4) return false;
  const a = bytes[position], b = bytes[position + 1];
  if (transferSyntax.startsWith('1.2.840.10008.1.2.4.9') || transferSyntax.startsWith('1.2.840.10008.1.2.4.20')) {
    return (a === 0xff && b === 0x4f) || (bytes[position + 4] === 0x6a && bytes[position + 5] === 0x50);
  }
  return a === 0xff && b === 0xd8;
}

/** Extended Offset Table (7FE0,0001), 64-bit offsets (PS3.5 §A.4, added for frames beyond 4 GiB). */
function extendedOffsets(dataSet: DataSet): number[] | undefined {
  const e = dataSet.elements.x7fe00001;
  if (!e || e.length < 8) return undefined;
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + e.dataOffset, e.length);
  const out: number[] = [];
  for (let at = 0; at + 8 <= e.length; at += 8) out.push(Number(view.getBigUint64(at, true)));
  return out;
}

function pixelLayout(r: Reader, transferSyntax: string, frames: number): PixelLayout | undefined {
  const ds = r.dataSet;
  const pixel = ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
  if (!pixel) return undefined;
  const inStoredBytes = transferSyntax !== TransferSyntax.DeflatedExplicitVRLittleEndian;
  if (pixel.encapsulatedPixelData || (isEncapsulated(transferSyntax) && pixel.hadUndefinedLength)) {
    return { encapsulated: true, inStoredBytes, bigEndian: false, frames: encapsulatedFrames(ds, pixel, frames, transferSyntax) };
  }
  const rows = r.uint16('x00280010') ?? 0;
  const columns = r.uint16('x00280011') ?? 0;
  const samples = r.uint16('x00280002') ?? 1;
  const bits = pixel.tag === 'x7fe00008' ? 32 : pixel.tag === 'x7fe00009' ? 64 : r.uint16('x00280100') ?? 16;
  const bigEndian = transferSyntax === TransferSyntax.ExplicitVRBigEndian;
  if (pixel.dataOffset + pixel.length > ds.byteArray.length) {
    throw new DicomError('truncated', 'The file ends inside the pixel data: it is truncated');
  }
  // YBR_FULL_422 / YBR_PARTIAL_422 native data keeps one Cb and one Cr per two pixels (PS3.3 C.7.6.3.1.2).
  const photometric = r.ascii('x00280004') ?? '';
  const samplesPerPixel = samples === 3 && /_422$/.test(photometric) ? 2 : samples;
  const bitsPerFrame = rows * columns * samplesPerPixel * bits;
  const needed = Math.ceil((bitsPerFrame * frames) / 8);
  if (pixel.length < needed) {
    throw new DicomError('pixel-data-short',
      `Pixel Data holds ${pixel.length} bytes but ${rows}×${columns}×${samplesPerPixel}×${bits} bits × ${frames} frames need ${needed} (PS3.5 §8.1.1)`,
      FailureReason.dataSetDoesNotMatchSopClass);
  }
  const out: FrameRanges[] = [];
  for (let f = 0; f < frames; f++) {
    // 1-bit frames need not start on a byte boundary (PS3.5 §8.1.1): the range covers the bytes that
    // hold the frame's bits, and `bitOffsets` says where in the first byte it starts.
    const startBit = f * bitsPerFrame;
    const start = Math.floor(startBit / 8);
    const end = Math.ceil((startBit + bitsPerFrame) / 8);
    out.push([[pixel.dataOffset + start, end - start]]);
  }
  const layout: PixelLayout = { encapsulated: false, inStoredBytes, bigEndian, frames: out };
  if (bits === 1 && bitsPerFrame % 8 !== 0) layout.bitsPerFrame = bitsPerFrame;
  if (bigEndian) layout.bitsAllocated = bits;
  return layout;
}

function numberOfFrames(r: Reader, hasPixels: boolean): number {
  if (!hasPixels) return 0;
  const n = r.int('x00280008');
  return n !== undefined && n > 0 ? n : 1;
}

/**
 * Parses and validates one instance. Throws DicomError for anything that must not be stored: not
 * DICOM, truncated, no transfer syntax, missing or invalid Study / Series / SOP Instance / SOP Class
 * UIDs, or native pixel data shorter than its attributes say.
 */
export function parseInstance(bytes: Buffer, options: ParseOptions = {}): ParsedInstance {
  const dataSet = readDataSet(bytes, options);
  const transferSyntaxUid = transferSyntaxOf(dataSet, options);
  const r = reader(dataSet);
  const sopClassUid = requiredUid(r, 'x00080016', 'SOP Class UID', '(0008,0016)');
  const sopInstanceUid = requiredUid(r, 'x00080018', 'SOP Instance UID', '(0008,0018)');
  const studyInstanceUid = requiredUid(r, 'x0020000d', 'Study Instance UID', '(0020,000D)');
  const seriesInstanceUid = requiredUid(r, 'x0020000e', 'Series Instance UID', '(0020,000E)');
  const hasPixels = Boolean(dataSet.elements.x7fe00010 ?? dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009);
  const frames = numberOfFrames(r, hasPixels);
  const pixels = pixelLayout(r, transferSyntaxUid, frames);
  const frameTime = Number(r.ascii('x00181063'));
  const littleEndian = transferSyntaxUid !== TransferSyntax.ExplicitVRBigEndian;
  const explicit = transferSyntaxUid !== TransferSyntax.ImplicitVRLittleEndian;
  const metadata = toDicomJson(dataSet, { littleEndian, explicit });
  return {
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid,
    seriesInstanceUid,
    specificCharacterSet: r.ascii('x00080005') === undefined ? undefined : decodeAscii(
      dataSet.byteArray.subarray(dataSet.elements.x00080005.dataOffset, dataSet.elements.x00080005.dataOffset + dataSet.elements.x00080005.length)).trim(),
    patient: {
      id: r.text('x00100020'),
      name: r.text('x00100010'),
      issuerOfPatientId: r.text('x00100021'),
      birthDate: r.ascii('x00100030'),
      sex: r.ascii('x00100040'),
    },
    study: {
      date: r.ascii('x00080020'),
      time: r.ascii('x00080030'),
      accessionNumber: r.text('x00080050'),
      description: r.text('x00081030'),
      studyId: r.text('x00200010'),
      referringPhysicianName: r.text('x00080090'),
    },
    series: {
      modality: r.ascii('x00080060'),
      number: r.int('x00200011'),
      description: r.text('x0008103e'),
      bodyPartExamined: r.ascii('x00180015'),
      date: r.ascii('x00080021'),
      time: r.ascii('x00080031'),
    },
    instance: {
      number: r.int('x00200013'),
      rows: r.uint16('x00280010'),
      columns: r.uint16('x00280011'),
      numberOfFrames: frames,
      bitsAllocated: r.uint16('x00280100'),
      photometricInterpretation: r.ascii('x00280004'),
      frameTimeMs: Number.isFinite(frameTime) && frameTime > 0 ? frameTime : undefined,
    },
    pixels,
    metadata,
  };
}

export { isEncapsulated };
