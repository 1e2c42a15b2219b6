// String normalisation shared by indexing and searching, so that both sides agree.
// http://hl7.org/fhir/R4/search.html#string: "the search ... is case-insensitive and
// accent-insensitive". Only Latin-style combining diacritics are removed: CJK text (and the
// Japanese voicing marks U+3099/U+309A) stays as written.

const combiningDiacritics = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
// eslint-disable-next-line no-control-regex
const ascii = /^[\x00-\x7f]*$/;

export function normalizeString(value: string): string {
  // Most index values are ASCII; skip the Unicode work for them (indexing hot path).
  if (ascii.test(value)) return value.toLowerCase();
  return value.normalize('NFD').replace(combiningDiacritics, '').normalize('NFC').toLowerCase();
}
