// Real-name registration (实名制): a portal account, or a family member it acts for, stands for the
// Patient whose identity document the person gave. The document is checked (identity-document.ts),
// the Patient carrying it is looked up by identifier, and the name given must be the name on that
// record; without such a Patient one is created from what was given. One document, one Patient.
import type { Repository, Resource } from '../../fhir/index.ts';
import { FhirError } from '../../fhir/index.ts';
import { authError } from '../auth/errors.ts';
import { SYSTEMS } from '../seed/systems.ts';
import { checkIdentityDocument, identityDocumentSystem, type IdentityDocumentType } from './identity-document.ts';

export interface IdentityInput {
  name: string;
  documentType: IdentityDocumentType;
  documentNumber: string;
  /** ISO 3166-1 alpha-3 state that issued a passport. */
  issuingCountry?: string;
  birthDate?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
}

export interface CheckedIdentity {
  name: string;
  documentType: IdentityDocumentType;
  /** Identifier.system and .value of the document on the Patient. */
  system: string;
  number: string;
  /**
   * The document as auth_account stores it (unique: one document, one account). Passport numbers
   * are unique only within their issuing state, so theirs carries the state: "CHN:E12345678".
   */
  accountDocument: { type: IdentityDocumentType; number: string };
  birthDate?: string;
  gender?: string;
}

export type IdentityCheck = { ok: true; identity: CheckedIdentity } | { ok: false; reason: string };

/**
 * Validates the document and completes what it tells: a resident ID number carries the birth date
 * and the sex (GB 11643-1999), and what the person typed must agree with it.
 */
export function checkIdentity(input: IdentityInput): IdentityCheck {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name === '') return { ok: false, reason: 'The name is missing' };
  const document = checkIdentityDocument(input.documentType, input.documentNumber);
  if (!document.ok) return document;
  if (document.birthDate && input.birthDate && document.birthDate !== input.birthDate) {
    return { ok: false, reason: 'The birth date does not match the one in the resident ID number' };
  }
  if (document.gender && input.gender && document.gender !== input.gender) {
    return { ok: false, reason: 'The sex does not match the resident ID number (its 17th digit is odd for men, even for women)' };
  }
  const birthDate = document.birthDate ?? input.birthDate;
  if (!birthDate) return { ok: false, reason: 'The birth date is required with this document' };
  if (input.documentType === 'passport' && !input.issuingCountry) return { ok: false, reason: 'A passport needs its issuing country' };
  const number = document.normalized;
  return {
    ok: true,
    identity: {
      name, documentType: input.documentType, system: identityDocumentSystem(input.documentType, input.issuingCountry), number,
      accountDocument: { type: input.documentType, number: input.documentType === 'passport' ? `${input.issuingCountry}:${number}` : number },
      birthDate, gender: document.gender ?? input.gender,
    },
  };
}

// Two-character surnames (复姓) common enough to meet at a hospital desk. Any other name written in
// Chinese characters is split after its first character, which is right for the single-character
// surnames of nearly everyone; the full name is always kept in HumanName.text, which is what is compared.
const compoundSurnames = new Set(['欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕', '令狐', '钟离']);

interface HumanName { extension?: { url: string; valueCode: string }[]; use?: string; text?: string; family?: string; given?: string[] }

/**
 * The HumanName for a name as typed: one in Chinese characters is split into surname and given name
 * and marked ideographic (IDE, the convention of server/seed/names.ts); others are kept whole as text,
 * since which part of a Latin-script name is the surname cannot be told from the name alone.
 */
export function humanNameFor(name: string): HumanName {
  const chars = Array.from(name);
  if (chars.length < 2 || !/^\p{Script=Han}+$/u.test(name)) return { use: 'official', text: name };
  const surname = chars.length > 2 && compoundSurnames.has(chars.slice(0, 2).join('')) ? 2 : 1;
  return {
    extension: [{ url: SYSTEMS.nameRepresentationExtension, valueCode: 'IDE' }],
    use: 'official', text: name, family: chars.slice(0, surname).join(''), given: [chars.slice(surname).join('')],
  };
}

// Names are compared ignoring case, spaces and the middle dot that joins the parts of transliterated
// and minority names on ID cards (阿卜杜·热合曼); NFKC folds full-width letters typed on phones.
function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u00B7\u2022\u2027\u30FB]/gu, '').toLowerCase();
}

/** Whether `name` is one of the names of `patient`: its text, or family and given names in either order. */
export function nameMatches(name: string, patient: { name?: HumanName[] }): boolean {
  const wanted = normaliseName(name);
  return (patient.name ?? []).some((n) => {
    const given = (n.given ?? []).join(' ');
    const forms = [n.text, `${n.family ?? ''}${given}`, `${given} ${n.family ?? ''}`];
    return forms.some((form) => form !== undefined && normaliseName(form) !== '' && normaliseName(form) === wanted);
  });
}

const identifierTypes: Record<IdentityDocumentType, { code?: string; display?: string; text: string }> = {
  'resident-id': { code: 'NI', display: 'National unique individual identifier', text: '居民身份证' },
  'passport': { code: 'PPN', display: 'Passport number', text: '护照' },
  'hk-macau-permit': { text: '港澳居民来往内地通行证' },
  'taiwan-permit': { text: '台湾居民来往大陆通行证' },
};

function identifierType(type: IdentityDocumentType) {
  const t = identifierTypes[type];
  return t.code ? { coding: [{ system: SYSTEMS.v2IdentifierType, code: t.code, display: t.display }], text: t.text } : { text: t.text };
}

/** The new Patient record for a checked identity. */
export function patientFor(identity: CheckedIdentity, telecom: { system: 'email' | 'phone'; value: string }[] = []): Resource {
  return {
    resourceType: 'Patient', active: true,
    identifier: [{ use: 'official', type: identifierType(identity.documentType), system: identity.system, value: identity.number }],
    name: [humanNameFor(identity.name)],
    ...(telecom.length > 0 ? { telecom: telecom.map((t) => ({ ...t, use: t.system === 'phone' ? 'mobile' : 'home' })) } : {}),
    ...(identity.gender ? { gender: identity.gender } : {}),
    ...(identity.birthDate ? { birthDate: identity.birthDate } : {}),
  };
}

function criteria(identity: CheckedIdentity): URLSearchParams {
  return new URLSearchParams({ identifier: `${identity.system}|${identity.number}` });
}

/** The id of the matching Patient, or null; throws 422 identity-mismatch when its name is another. */
function pick(identity: CheckedIdentity, matches: { id: string; json?: string }[]): string | null {
  if (matches.length > 1) throw authError('duplicate', 'Several patient records carry this document: please ask the registration desk to merge them');
  const match = matches[0];
  if (!match) return null;
  if (!nameMatches(identity.name, JSON.parse(match.json ?? '{}') as { name?: HumanName[] })) {
    throw authError('identity-mismatch', 'The name does not match the hospital\'s record for this identity document');
  }
  return match.id;
}

/** Looks up the Patient with this document (writes nothing). */
export async function findPatient(repo: Repository, identity: CheckedIdentity): Promise<string | null> {
  return pick(identity, await repo.findMatches('Patient', criteria(identity), 2));
}

/**
 * The Patient with this document, created with the id `newId` when there is none. Race-safe: the
 * lookup and the create hold the engine's lock on the criteria, so two requests for one document
 * cannot both create a Patient.
 */
export async function findOrCreatePatient(repo: Repository, identity: CheckedIdentity, newId: string,
  telecom: { system: 'email' | 'phone'; value: string }[] = []): Promise<{ id: string; created: boolean }> {
  try {
    return await repo.transaction(async (tx) => {
      const existing = pick(identity, await tx.findMatches('Patient', criteria(identity), 2, { lock: true }));
      if (existing) return { id: existing, created: false };
      await tx.create(patientFor(identity, telecom), { assignedId: newId });
      return { id: newId, created: true };
    });
  } catch (err) {
    if (err instanceof FhirError && err.status < 500) throw authError('invalid-request', `These details do not make a valid patient record: ${err.message}`);
    throw err;
  }
}
