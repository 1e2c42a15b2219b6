// Checks the identity document a patient gives at real-name sign-up (实名制) in China: the
// documents hospitals accept are the resident identity card, a passport, and the two mainland
// travel permits for residents of Hong Kong/Macao and of Taiwan. A check answers the number in
// the one form it is stored and searched in, so the same document never becomes two identifiers.
import { residentIdBirthDate, residentIdCheckDigit } from './resident-id.ts';
import {
  HK_MACAO_TRAVEL_PERMIT_SYSTEM, RESIDENT_ID_SYSTEM, TAIWAN_TRAVEL_PERMIT_SYSTEM, passportSystem,
} from '../seed/systems.ts';

export type IdentityDocumentType = 'resident-id' | 'passport' | 'hk-macau-permit' | 'taiwan-permit';

export type IdentityDocumentCheck =
  | { ok: true; normalized: string; birthDate?: string; gender?: 'male' | 'female' }
  | { ok: false; reason: string };

export const IDENTITY_DOCUMENT_TYPES: readonly IdentityDocumentType[] = ['resident-id', 'passport', 'hk-macau-permit', 'taiwan-permit'];

export function isIdentityDocumentType(value: unknown): value is IdentityDocumentType {
  return IDENTITY_DOCUMENT_TYPES.includes(value as IdentityDocumentType);
}

// Province-level codes of GB/T 2260 (the first two digits of every address code), with 71/81/82
// for Taiwan, Hong Kong and Macao and 83, which the residence permits for Taiwan residents use
// (港澳台居民居住证, 2018). An ID whose address starts otherwise was never issued.
const provinceCodes = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

// Birth dates are China Standard Time dates (UTC+8, no daylight saving since 1991): the ID is
// issued in China whatever zone the server runs in.
function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

// Numbers are typed on phones with Chinese input methods: NFKC folds full-width digits, letters
// and brackets (１２３Ｘ（Ｂ）) to ASCII, and grouping spaces are not part of any number.
function clean(number: string): string {
  return number.normalize('NFKC').replace(/\s/g, '').toUpperCase();
}

// 公民身份号码, GB 11643-1999: see resident-id.ts for the layout and the ISO 7064 MOD 11-2 check.
function checkResidentId(id: string, now: Date): IdentityDocumentCheck {
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'A resident ID number has 18 characters: 17 digits and a last digit 0-9 or X' };
  if (!provinceCodes.has(id.slice(0, 2))) return { ok: false, reason: 'The first two digits of a resident ID number are not a province code (GB/T 2260)' };
  const birthDate = residentIdBirthDate(id);
  if (!birthDate) return { ok: false, reason: 'Digits 7 to 14 of a resident ID number must be a real birth date (YYYYMMDD)' };
  if (birthDate > chinaDate(now)) return { ok: false, reason: 'The birth date in the resident ID number is in the future' };
  if (residentIdCheckDigit(id.slice(0, 17)) !== id[17]) return { ok: false, reason: 'The last character of the resident ID number does not match the others (check digit): please check for a typing error' };
  // GB 11643: the order code (digits 15-17) is odd for men and even for women.
  const gender = Number(id[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, normalized: id, birthDate, gender };
}

// ICAO Doc 9303 (Part 4, passports) gives the document number 9 characters in the machine-readable
// zone, longer national numbers continuing in the optional data; 5-17 letters and digits covers what
// issuing states print. The MRZ character set has only upper-case letters and digits.
function checkPassport(number: string): IdentityDocumentCheck {
  if (!/^[A-Z0-9]{5,17}$/.test(number)) return { ok: false, reason: 'A passport number has 5 to 17 letters and digits' };
  return { ok: true, normalized: number };
}

// 港澳居民来往内地通行证 (回乡证): H (Hong Kong) or M (Macao) and 8 digits on the card issued since
// 2013; the older booklet added 2 digits counting reissues, and those numbers are still on record.
function checkHkMacaoPermit(number: string): IdentityDocumentCheck {
  if (!/^[HM](\d{8}|\d{10})$/.test(number)) return { ok: false, reason: 'A travel permit for Hong Kong and Macao residents is H or M followed by 8 or 10 digits' };
  return { ok: true, normalized: number };
}

// 台湾居民来往大陆通行证 (台胞证): 8 digits on the card issued since 2015. The older booklet had 10
// digits followed by a letter, usually in brackets — 1234567890(B) — that counts reissues; the
// letter is dropped so that a reissued booklet stays the same identifier.
function checkTaiwanPermit(number: string): IdentityDocumentCheck {
  const booklet = /^(\d{10})(?:\([A-Z]{1,2}\)|[A-Z]{1,2})?$/.exec(number);
  if (booklet) return { ok: true, normalized: booklet[1]! };
  if (/^\d{8}$/.test(number)) return { ok: true, normalized: number };
  return { ok: false, reason: 'A travel permit for Taiwan residents has 8 digits, or 10 digits on the older booklet' };
}

/**
 * Validate and normalise a document number. `now` fixes "today" for the birth-date check
 * (tests; defaults to the current time). Never throws on user input.
 */
export function checkIdentityDocument(type: IdentityDocumentType, number: string, options: { now?: Date } = {}): IdentityDocumentCheck {
  if (typeof number !== 'string') return { ok: false, reason: 'The document number is missing' };
  const value = clean(number);
  if (value === '') return { ok: false, reason: 'The document number is missing' };
  switch (type) {
    case 'resident-id': return checkResidentId(value, options.now ?? new Date());
    case 'passport': return checkPassport(value);
    case 'hk-macau-permit': return checkHkMacaoPermit(value);
    case 'taiwan-permit': return checkTaiwanPermit(value);
    default: return { ok: false, reason: 'Unknown identity document type' };
  }
}

/**
 * The FHIR Identifier.system for a document (server/seed/systems.ts holds the shared list). A
 * passport needs its issuing state (ISO 3166-1 alpha-3): its numbers are unique only within it.
 */
export function identityDocumentSystem(type: IdentityDocumentType, issuingStateAlpha3?: string): string {
  switch (type) {
    case 'resident-id': return RESIDENT_ID_SYSTEM;
    case 'hk-macau-permit': return HK_MACAO_TRAVEL_PERMIT_SYSTEM;
    case 'taiwan-permit': return TAIWAN_TRAVEL_PERMIT_SYSTEM;
    case 'passport':
      if (!issuingStateAlpha3) throw new Error('a passport identifier needs the issuing state');
      return passportSystem(issuingStateAlpha3);
    default: throw new Error(`unknown identity document type ${String(type)}`);
  }
}
