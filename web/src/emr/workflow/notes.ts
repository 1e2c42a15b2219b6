// Clinical notes as FHIR Composition (R4 §Composition): a draft is `preliminary` and written with
// plain create / update; `$sign` makes it `final` and locks it. Sections carry LOINC codes (the
// contract's list: C-CDA section codes) and their text as an XHTML div (R4 Narrative).
import type { Reference, Resource } from './api.ts';
import { SYSTEMS, type Context } from './resources.ts';

export interface SectionSpec { key: string; code: string; display: string }
export interface NoteSpec { type: { system: string; code: string; display: string }; sections: SectionSpec[] }

export const SECTIONS = {
  chiefComplaint: { key: 'chiefComplaint', code: '10154-3', display: 'Chief complaint' },
  history: { key: 'history', code: '10164-2', display: 'History of present illness' },
  examination: { key: 'examination', code: '29545-1', display: 'Physical findings' },
  assessment: { key: 'assessment', code: '51848-0', display: 'Assessment' },
  plan: { key: 'plan', code: '18776-5', display: 'Plan of care' },
  hospitalCourse: { key: 'hospitalCourse', code: '8648-8', display: 'Hospital course' },
  // C-CDA Discharge Summary: "Hospital discharge Dx" section.
  dischargeDiagnosis: { key: 'dischargeDiagnosis', code: '11535-2', display: 'Hospital discharge Dx' },
  dischargeMedications: { key: 'dischargeMedications', code: '10183-2', display: 'Hospital discharge medications' },
  followUp: { key: 'followUp', code: '18776-5', display: 'Plan of care' },
  nursing: { key: 'nursing', code: '34746-8', display: 'Nurse note' },
  sickLeave: { key: 'sickLeave', code: '18776-5', display: 'Plan of care' },
} as const satisfies Record<string, SectionSpec>;

const loinc = (code: string, display: string) => ({ system: SYSTEMS.loinc, code, display });

export const NOTES = {
  outpatient: { type: loinc('34108-1', 'Outpatient Note'), sections: [SECTIONS.chiefComplaint, SECTIONS.history, SECTIONS.examination, SECTIONS.assessment, SECTIONS.plan] },
  discharge: { type: loinc('18842-5', 'Discharge summary'), sections: [SECTIONS.hospitalCourse, SECTIONS.dischargeDiagnosis, SECTIONS.dischargeMedications, SECTIONS.followUp] },
  nursing: { type: loinc('34746-8', 'Nurse note'), sections: [SECTIONS.nursing] },
  // LOINC has no code for a sick-leave certificate (诊断证明): the hospital's own document type.
  sickNote: { type: { system: SYSTEMS.documentType, code: 'sick-note', display: 'Sick note' }, sections: [SECTIONS.assessment, SECTIONS.sickLeave] },
} as const satisfies Record<string, NoteSpec>;

export type Composition = Resource & {
  id?: string; status: string; title?: string; date?: string; author?: Reference[];
  type?: { coding?: { system?: string; code?: string }[] };
  section?: { title?: string; code?: { coding?: { code?: string }[] }; text?: { status: string; div: string } }[];
  extension?: { url: string; valueUnsignedInt?: number }[];
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text → an XHTML narrative div: lines as <br/>, everything escaped. */
export function toDiv(text: string): string {
  return `<div xmlns="http://www.w3.org/1999/xhtml"><p>${text.split('\n').map(escape).join('<br/>')}</p></div>`;
}

export function fromDiv(div: string | undefined): string {
  if (!div) return '';
  return div.replace(/<br\s*\/?>/g, '\n').replace(/<\/p>\s*<p[^>]*>/g, '\n').replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** A draft Composition from the form's texts (empty sections are left out: a narrative must say something). */
export function compositionDraft(spec: NoteSpec, input: { title: string; texts: Record<string, string>; titles: Record<string, string>; previous?: Composition; extension?: Composition['extension'] }, c: Context): Composition {
  const section = spec.sections.filter((s) => input.texts[s.key]?.trim()).map((s) => ({
    title: input.titles[s.key] ?? s.display,
    code: { coding: [loinc(s.code, s.display)] },
    text: { status: 'generated', div: toDiv(input.texts[s.key]!.trim()) },
  }));
  return {
    ...(input.previous ?? {}),
    resourceType: 'Composition', status: 'preliminary',
    type: { coding: [spec.type] },
    subject: { reference: `Patient/${c.patient}` }, encounter: { reference: `Encounter/${c.encounter}` },
    date: c.now, title: input.title,
    author: c.practitioner ? [{ reference: `Practitioner/${c.practitioner}` }] : input.previous?.author ?? [],
    ...(input.extension ? { extension: input.extension } : {}),
    section,
  };
}

/** The texts of a stored note, by section key (sections matched by code, in spec order: two sections may share a code, then by position of title). */
export function textsOf(spec: NoteSpec, composition: Composition | undefined, titles: Record<string, string>): Record<string, string> {
  const texts: Record<string, string> = {};
  const sections = composition?.section ?? [];
  for (const s of spec.sections) {
    const same = sections.filter((x) => x.code?.coding?.some((c) => c.code === s.code));
    const found = same.length > 1 ? same.find((x) => x.title === titles[s.key]) ?? same[0] : same[0];
    texts[s.key] = fromDiv(found?.text?.div);
  }
  return texts;
}

export const isSigned = (c: Composition | undefined) => c?.status === 'final' || c?.status === 'amended';
