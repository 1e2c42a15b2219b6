// The Value Representation of a data element when the encoding does not carry it (Implicit VR Little
// Endian, PS3.5 §7.1.3): from the PS3.6 data dictionary that dcmjs ships.
import dcmjs from 'dcmjs';

type Entry = { vr?: string } | undefined;
const dictionary = (dcmjs as unknown as { data: { DicomMetaDictionary: { dictionary: Record<string, Entry> } } })
  .data.DicomMetaDictionary.dictionary;

const cache = new Map<string, string>();

/** PS3.6 gives some elements several VRs ("US or SS", "OB or OW"); pick the one that reads safely. */
function single(vr: string, tag: string): string {
  if (vr.length === 2 && vr === vr.toUpperCase()) return vr;
  if (vr === 'ox' || vr === 'OB or OW' || vr === 'OBOW') return 'OW';
  if (vr === 'xs' || vr.includes('US')) return 'US';
  if (vr === 'lt') return 'US';
  return 'UN';
}

/** VR of an 8-hex-digit tag (upper case, e.g. "00100010"). Private elements are UN, their creators LO (PS3.5 §7.8.1). */
export function vrOf(tag: string): string {
  const cached = cache.get(tag);
  if (cached) return cached;
  let vr: string;
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4), 16);
  if (element === 0) vr = 'UL';
  else if (group % 2 === 1) vr = element >= 0x10 && element <= 0xff ? 'LO' : 'UN';
  else {
    const key = `(${tag.slice(0, 4)},${tag.slice(4)})`;
    let entry: Entry = dictionary[key];
    // Repeating groups (curves 50xx, overlays 60xx: PS3.6 §7.6) are listed under their first group.
    if (!entry?.vr && (tag.startsWith('50') || tag.startsWith('60'))) entry = dictionary[`(${tag.slice(0, 2)}00,${tag.slice(4)})`];
    vr = entry?.vr ? single(entry.vr, tag) : 'UN';
  }
  cache.set(tag, vr);
  return vr;
}

type NameEntry = { tag: string; vr: string } | undefined;
const nameMap = (dcmjs as unknown as { data: { DicomMetaDictionary: { nameMap: Record<string, NameEntry> } } }).data.DicomMetaDictionary.nameMap;

/** An attribute named by keyword (PatientName) or tag (00100010) → its tag, or undefined when PS3.6 has no such attribute. */
export function tagOfAttribute(name: string): string | undefined {
  if (/^[0-9A-Fa-f]{8}$/.test(name)) return name.toUpperCase();
  const entry = Object.prototype.hasOwnProperty.call(nameMap, name) ? nameMap[name] : undefined;
  return entry ? entry.tag.replace(/[(),]/g, '').toUpperCase() : undefined;
}
