// The FHIR R4 shapes the chart reads (only the elements it shows) and the small readers shared by its
// tabs: codeable text in the UI's language, names, ages, dates. Written out here: the web app imports
// no server module, and this one no .tsx (the plain-function tests type-check it without JSX).

/** The UI's languages (shared/i18n Lang). */
export type Lang = 'zh-CN' | 'en';

export interface Reference { reference?: string; display?: string }
export interface Extension { url: string; valueCode?: string; valueString?: string; valueDateTime?: string; extension?: Extension[] }
export interface Coding { system?: string; code?: string; display?: string; _display?: { extension?: Extension[] } }
export interface CodeableConcept { text?: string; coding?: Coding[] }
export interface Quantity { value?: number; unit?: string; code?: string; system?: string }
export interface Period { start?: string; end?: string }
export interface Meta { versionId?: string; lastUpdated?: string; source?: string; tag?: Coding[] }
export interface Identifier { system?: string; value?: string; type?: CodeableConcept }
export interface HumanName { use?: string; text?: string; family?: string; given?: string[]; extension?: Extension[] }

export interface Resource { resourceType: string; id: string; meta?: Meta }

export interface Patient extends Resource {
  resourceType: 'Patient';
  name?: HumanName[];
  gender?: string;
  birthDate?: string;
  identifier?: Identifier[];
  telecom?: { system?: string; value?: string }[];
}

export interface ReferenceRange { low?: Quantity; high?: Quantity; text?: string }
export interface Observation extends Resource {
  resourceType: 'Observation';
  status?: string;
  code: CodeableConcept;
  category?: CodeableConcept[];
  effectiveDateTime?: string;
  issued?: string;
  valueQuantity?: Quantity;
  valueString?: string;
  valueCodeableConcept?: CodeableConcept;
  interpretation?: CodeableConcept[];
  referenceRange?: ReferenceRange[];
  component?: { code: CodeableConcept; valueQuantity?: Quantity; interpretation?: CodeableConcept[]; referenceRange?: ReferenceRange[] }[];
  encounter?: Reference;
}

export interface DiagnosticReport extends Resource {
  resourceType: 'DiagnosticReport';
  status?: string;
  code?: CodeableConcept;
  category?: CodeableConcept[];
  effectiveDateTime?: string;
  issued?: string;
  result?: Reference[];
  imagingStudy?: Reference[];
  conclusion?: string;
  presentedForm?: { contentType?: string; data?: string; title?: string }[];
}

export interface Encounter extends Resource {
  resourceType: 'Encounter';
  status?: string;
  class?: Coding;
  type?: CodeableConcept[];
  period?: Period;
  serviceProvider?: Reference;
  diagnosis?: { condition?: Reference; use?: CodeableConcept; rank?: number }[];
  participant?: { individual?: Reference; type?: CodeableConcept[] }[];
  reasonCode?: CodeableConcept[];
  location?: { location?: Reference; status?: string; period?: Period }[];
  hospitalization?: { dischargeDisposition?: CodeableConcept };
}

export interface CompositionSection { title?: string; code?: CodeableConcept; text?: { status?: string; div?: string } }
export interface Composition extends Resource {
  resourceType: 'Composition';
  status: 'preliminary' | 'final' | 'amended' | 'entered-in-error';
  type: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  date: string;
  author: Reference[];
  title: string;
  section?: CompositionSection[];
}

export interface Condition extends Resource {
  resourceType: 'Condition';
  code?: CodeableConcept;
  onsetDateTime?: string;
  recordedDate?: string;
  clinicalStatus?: CodeableConcept;
}
export interface AllergyIntolerance extends Resource {
  resourceType: 'AllergyIntolerance';
  code?: CodeableConcept;
  criticality?: string;
  category?: string[];
  reaction?: { manifestation?: CodeableConcept[]; severity?: string }[];
  clinicalStatus?: CodeableConcept;
}
export interface MedicationRequest extends Resource {
  resourceType: 'MedicationRequest';
  medicationCodeableConcept?: CodeableConcept;
  authoredOn?: string;
  dosageInstruction?: { text?: string }[];
}
export interface Coverage extends Resource {
  resourceType: 'Coverage';
  type?: CodeableConcept;
  payor?: Reference[];
  subscriberId?: string;
  class?: { value?: string; name?: string }[];
  period?: Period;
}
export interface ImagingStudy extends Resource {
  resourceType: 'ImagingStudy';
  identifier?: Identifier[];
  started?: string;
  description?: string;
  modality?: Coding[];
  numberOfInstances?: number;
}
export interface Appointment extends Resource {
  resourceType: 'Appointment';
  status?: string;
  start?: string;
  serviceType?: CodeableConcept[];
  participant?: { actor?: Reference }[];
}

export interface Bundle<T = Resource> {
  resourceType: 'Bundle';
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: { resource?: T; search?: { mode?: string } }[];
}

export const LOINC = 'http://loinc.org';
export const MRN_SYSTEM = 'https://open-his.example.org/fhir/sid/mrn';
/** 公民身份号码, GB 11643 (server/seed/systems.ts RESIDENT_ID_SYSTEM). */
export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
const NAME_REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

/** The entries a search matched (not the _include / _revinclude ones), of one type. */
export function matches<T extends Resource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type).map((e) => e.resource as T);
}
export function included<T extends Resource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'include' && e.resource?.resourceType === type).map((e) => e.resource as T);
}
/** The Bundle's next page as a path of this origin (the server writes absolute links). */
export function nextLink(bundle: Bundle): string | undefined {
  const url = bundle.link?.find((l) => l.relation === 'next')?.url;
  if (!url) return undefined;
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
}

/** R4 translation extension on a coding's display (http://hl7.org/fhir/R4/extension-translation.html). */
function translated(coding: Coding, lang: Lang): string | undefined {
  for (const ext of coding._display?.extension ?? []) {
    if (ext.url !== TRANSLATION) continue;
    const parts = ext.extension ?? [];
    if (parts.find((p) => p.url === 'lang')?.valueCode?.startsWith(lang.slice(0, 2))) return parts.find((p) => p.url === 'content')?.valueString;
  }
  return undefined;
}

const hasHan = (text: string) => /\p{Script=Han}/u.test(text);

/** What to show for a concept: the record's own text (Chinese) in zh-CN; in English a translation or an English display. */
export function conceptText(concept: CodeableConcept | undefined, lang: Lang): string {
  if (!concept) return '';
  const codings = concept.coding ?? [];
  if (lang === 'en') {
    for (const c of codings) {
      // A SNOMED CT fully specified name ends in its semantic tag, "(substance)": not for the screen.
      const text = translated(c, 'en') ?? (c.display && !hasHan(c.display) ? c.display.replace(/\s+\((?:substance|disorder|finding|product|organism|procedure)\)$/, '') : undefined);
      if (text) return text;
    }
  }
  return concept.text ?? codings.find((c) => c.display)?.display ?? codings[0]?.code ?? '';
}

/**
 * A test's name: in English, the component part of a LOINC long common name (before the bracketed
 * property and the " in <system>" part: "Glucose [Moles/volume] in Serum or Plasma" → "Glucose"), which
 * is how a result table names it; the record's own text in Chinese.
 */
export function testName(concept: CodeableConcept | undefined, lang: Lang): string {
  const full = conceptText(concept, lang);
  if (lang !== 'en') return full;
  return full.split(' [')[0]!.split(' in ')[0]!.trim() || full;
}

export const codeOf = (concept: CodeableConcept | undefined, system = LOINC) => concept?.coding?.find((c) => c.system === system)?.code;
export const idOf = (ref: Reference | undefined) => ref?.reference?.split('/')[1];

/** The ideographic name (ISO 21090 representation IDE), and in English its alphabetic twin (ABC) beside it. */
export function personName(patient: { name?: HumanName[]; id?: string } | undefined, lang: Lang): string {
  const names = patient?.name ?? [];
  const rep = (n: HumanName) => n.extension?.find((e) => e.url === NAME_REPRESENTATION)?.valueCode;
  const text = (n: HumanName | undefined) => n ? n.text ?? `${n.family ?? ''}${(n.given ?? []).join('')}` : '';
  const main = names.find((n) => rep(n) !== 'ABC') ?? names[0];
  const latin = names.find((n) => rep(n) === 'ABC');
  if (!main) return patient?.id ?? '';
  return lang === 'en' && latin && latin !== main ? `${text(main)} (${text(latin)})` : text(main);
}

export const identifierOf = (patient: Patient, system: string) => patient.identifier?.find((i) => i.system === system)?.value;

/** 330106********1234: the resident ID as the screen shows it. */
export function maskResidentId(value: string | undefined): string | undefined {
  return value && value.length === 18 ? `${value.slice(0, 6)}********${value.slice(14)}` : value;
}

/** Age on `today` (YYYY-MM-DD) in whole years, or months / days for infants. */
export function ageOf(birthDate: string | undefined, today: string): { value: number; unit: 'y' | 'm' | 'd' } | undefined {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return undefined;
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  let years = ty - by;
  if (tm < bm || (tm === bm && td < bd)) years -= 1;
  if (years >= 1) return { value: years, unit: 'y' };
  let months = (ty - by) * 12 + tm - bm - (td < bd ? 1 : 0);
  if (months >= 1) return { value: months, unit: 'm' };
  return { value: Math.max(0, Math.round((Date.parse(today) - Date.parse(birthDate)) / 86_400_000)), unit: 'd' };
}

/** Today in the hospital's zone (Asia/Shanghai, as HIS_TIMEZONE defaults), YYYY-MM-DD. */
export function hospitalToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'zh-CN');
export function formatDateTime(value: string | undefined, lang: Lang): string {
  if (!value) return '';
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) return value;
  return new Date(value).toLocaleString(locale(lang), { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
export function formatDate(value: string | undefined, lang: Lang): string {
  if (!value) return '';
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) return value;
  return new Date(value).toLocaleDateString(locale(lang), { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function quantityText(q: Quantity | undefined): string {
  if (q?.value === undefined) return '';
  return q.unit ? `${q.value} ${q.unit}` : String(q.value);
}
