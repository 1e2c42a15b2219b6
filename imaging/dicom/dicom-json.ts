// A parsed dataset in the DICOM JSON Model (PS3.18 Annex F.2): one object keyed by 8-hex-digit tags,
// each `{ vr, Value | InlineBinary | BulkDataURI }`. Built once at ingest and stored, so that /metadata
// is answered from the index without reading files again.
import type { DataSet, Element } from 'dicom-parser';
import { characterSet, decodeAscii, type CharacterSet } from './charset.ts';
import { vrOf } from './dictionary.ts';

/** Text VRs the Specific Character Set applies to (PS3.5 §6.1.2.3). */
const textVrs = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN']);
/** Text VRs that hold a single value, where a backslash is just a character (PS3.5 Table 6.2-1). */
const singleValued = new Set(['ST', 'LT', 'UT', 'UR']);
const numericText = new Set(['IS', 'DS']);
const binary = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const pixelTags = new Set(['7FE00010', '7FE00008', '7FE00009']);
/** Binary values above this size are left to bulk data retrieval (PS3.18 §F.2.7); smaller ones are inlined. */
export const INLINE_BINARY_LIMIT = 1024;
/** Placeholder the server replaces with the instance's bulk data base URL (see imaging/types.ts). */
export const BULK_PLACEHOLDER = '{{bulk}}';

export type DicomJson = Record<string, DicomJsonAttribute>;
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

interface Context {
  bytes: Uint8Array;
  littleEndian: boolean;
  explicit: boolean;
  charset: CharacterSet;
  /** Nesting depth: bulk data URIs are given only to top-level elements. */
  depth: number;
}

export function tagOf(element: Element): string {
  return element.tag.slice(1).toUpperCase();
}

/** The VR the file states (explicit encodings) or the dictionary's (implicit); UN sequences read as SQ. */
export function vrOfElement(element: Element, tag: string): string {
  if (element.items) return 'SQ';
  const stated = element.vr;
  if (stated && stated !== 'UN') return stated;
  return stated === 'UN' ? (vrOf(tag) === 'UN' ? 'UN' : vrOf(tag)) : vrOf(tag);
}

function trimText(text: string, vr: string): string {
  // PS3.5 §6.2: leading spaces are significant in LT, ST, UT; trailing spaces and NUL padding never are.
  const end = text.replace(/[\s\0]+$/, '');
  return singleValued.has(vr) || vr === 'UC' ? end : end.replace(/^\s+/, '');
}

function readText(ctx: Context, element: Element, vr: string): string {
  const bytes = ctx.bytes.subarray(element.dataOffset, element.dataOffset + element.length);
  return textVrs.has(vr) ? ctx.charset.decode(bytes) : decodeAscii(bytes);
}

function stringValues(ctx: Context, element: Element, vr: string): unknown[] | undefined {
  const text = readText(ctx, element, vr);
  const parts = singleValued.has(vr) ? [text] : text.split('\\');
  const values = parts.map((p) => trimText(p, vr));
  if (vr === 'PN') {
    const names = values.map((v) => {
      if (v === '') return null;
      const [alphabetic, ideographic, phonetic] = v.split('=').map((s) => s.replace(/\s+$/, ''));
      const name: Record<string, string> = {};
      if (alphabetic) name.Alphabetic = alphabetic;
      if (ideographic) name.Ideographic = ideographic;
      if (phonetic) name.Phonetic = phonetic;
      return Object.keys(name).length > 0 ? name : null;
    });
    return names.some((n) => n !== null) ? names : undefined;
  }
  if (numericText.has(vr)) {
    // PS3.18 §F.2.3: IS and DS are JSON numbers; an unreadable value is left out rather than guessed.
    const numbers = values.map((v) => (v === '' || !Number.isFinite(Number(v)) ? null : Number(v)));
    return numbers.some((n) => n !== null) ? numbers : undefined;
  }
  if (vr === 'UI') {
    const uids = values.map((v) => v.replace(/\0/g, '').trim()).map((v) => (v === '' ? null : v));
    return uids.some((u) => u !== null) ? uids : undefined;
  }
  const strings = values.map((v) => (v === '' ? null : v));
  return strings.some((s) => s !== null) ? strings : undefined;
}

const binarySizes: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, SV: 8, UV: 8, AT: 4 };

function binaryValues(ctx: Context, element: Element, vr: string): unknown[] | undefined {
  const size = binarySizes[vr];
  const count = Math.floor(element.length / size);
  if (count === 0) return undefined;
  const view = new DataView(ctx.bytes.buffer, ctx.bytes.byteOffset + element.dataOffset, count * size);
  const le = ctx.littleEndian;
  const values: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (vr) {
      case 'US': values[i] = view.getUint16(at, le); break;
      case 'SS': values[i] = view.getInt16(at, le); break;
      case 'UL': values[i] = view.getUint32(at, le); break;
      case 'SL': values[i] = view.getInt32(at, le); break;
      case 'FL': values[i] = finite(view.getFloat32(at, le)); break;
      case 'FD': values[i] = finite(view.getFloat64(at, le)); break;
      case 'SV': values[i] = bigToJson(view.getBigInt64(at, le)); break;
      case 'UV': values[i] = bigToJson(view.getBigUint64(at, le)); break;
      case 'AT': {
        const group = view.getUint16(at, le).toString(16).padStart(4, '0');
        const elem = view.getUint16(at + 2, le).toString(16).padStart(4, '0');
        values[i] = (group + elem).toUpperCase();
        break;
      }
    }
  }
  return values;
}

/** JSON has no NaN or Infinity: such floats become null. */
function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** PS3.18 §F.2.3.1: 64-bit integers beyond 2^53 are written as strings. */
function bigToJson(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n.toString();
}

function attribute(ctx: Context, element: Element, tag: string): DicomJsonAttribute {
  const vr = vrOfElement(element, tag);
  if (vr === 'SQ') {
    const items = (element.items ?? []).map((item) => (item.dataSet ? datasetToJson(item.dataSet, { ...ctx, depth: ctx.depth + 1 }) : {}));
    return items.length > 0 ? { vr, Value: items } : { vr };
  }
  if (binary.has(vr) || element.encapsulatedPixelData) {
    const bulkVr = vr === 'UN' && pixelTags.has(tag) ? 'OW' : vr;
    if (element.length === 0 && !element.encapsulatedPixelData) return { vr: bulkVr };
    if (ctx.depth === 0 && (pixelTags.has(tag) || element.encapsulatedPixelData || element.length > INLINE_BINARY_LIMIT)) {
      return { vr: bulkVr, BulkDataURI: `${BULK_PLACEHOLDER}/${tag}` };
    }
    const bytes = ctx.bytes.subarray(element.dataOffset, element.dataOffset + element.length);
    return { vr: bulkVr, InlineBinary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
  if (element.length === 0) return { vr };
  const values = binarySizes[vr] ? binaryValues(ctx, element, vr) : stringValues(ctx, element, vr);
  return values ? { vr, Value: values } : { vr };
}

/**
 * A dataset (or sequence item) as DICOM JSON. The File Meta group (0002) and group lengths
 * (gggg,0000) are left out: they describe an encoding, not the object (PS3.18 §F.2.1).
 */
export function datasetToJson(dataSet: DataSet, ctx: Context): DicomJson {
  const out: DicomJson = {};
  const tags = Object.keys(dataSet.elements).sort();
  for (const key of tags) {
    const element = dataSet.elements[key];
    const tag = key.slice(1).toUpperCase();
    if (tag.startsWith('0002') || tag.endsWith('0000')) continue;
    // Item and delimitation tags in a malformed sequence are structure, not attributes.
    if (tag.startsWith('FFFE')) continue;
    out[tag] = attribute(ctx, element, tag);
  }
  return out;
}

/** The whole top-level dataset of a parsed file as DICOM JSON. */
export function toDicomJson(dataSet: DataSet, options: { littleEndian: boolean; explicit: boolean }): DicomJson {
  const charset = characterSet(dataSet.elements.x00080005 ? decodeAscii(dataSet.byteArray.subarray(
    dataSet.elements.x00080005.dataOffset, dataSet.elements.x00080005.dataOffset + dataSet.elements.x00080005.length)) : undefined);
  return datasetToJson(dataSet, { bytes: dataSet.byteArray, littleEndian: options.littleEndian, explicit: options.explicit, charset, depth: 0 });
}

export { characterSet };
