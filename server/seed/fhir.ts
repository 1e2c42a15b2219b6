// Small builders for the FHIR R4 data types the seed writes, so that every module spells a
// Coding, a Reference or a Quantity the same way. Resources stay plain JSON objects
// (fhir/types.ts `Resource`): the seed produces data, it does not model FHIR.
import type { Resource } from '../../fhir/types.ts';
import { SYSTEMS } from './systems.ts';

export type { Resource };

export interface Coding { system: string; code: string; display?: string }
export interface CodeableConcept { coding?: Coding[]; text?: string }
export interface Reference { reference: string; display?: string }
export interface Quantity { value: number; unit: string; system: string; code: string }
export interface Extension { url: string; [value: string]: unknown }

export interface BundleEntry {
  resource: Resource & { id: string };
  request: { method: 'PUT'; url: string };
}

export interface Bundle extends Resource {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: BundleEntry[];
}

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function concept(codings: Coding | Coding[], text?: string): CodeableConcept {
  const list = Array.isArray(codings) ? codings : [codings];
  return text === undefined ? { coding: list } : { coding: list, text };
}

export function ref(resource: { resourceType: string; id: string }, display?: string): Reference {
  const reference = `${resource.resourceType}/${resource.id}`;
  return display === undefined ? { reference } : { reference, display };
}

export function refTo(type: string, id: string, display?: string): Reference {
  return ref({ resourceType: type, id }, display);
}

/** A UCUM quantity (http://unitsofmeasure.org); `unit` is the human-readable form. */
export function ucum(value: number, code: string, unit: string = code): Quantity {
  return { value, unit, system: SYSTEMS.ucum, code };
}

/**
 * The R4 translation extension (http://hl7.org/fhir/R4/extension-translation.html), allowed on
 * string, code and markdown: sub-extensions `lang` (code, 1..1) and `content` (string, 1..1).
 * It goes on the primitive's shadow element, e.g. `_name: { extension: [...] }`, and translates
 * from the resource's base language (Resource.language, zh-CN here) to `lang`.
 */
export function translation(lang: string, content: string): Extension {
  return {
    url: SYSTEMS.translationExtension,
    extension: [
      { url: 'lang', valueCode: lang },
      { url: 'content', valueString: content },
    ],
  };
}

/** Shadow element carrying an English translation of a Chinese string. */
export function english(content: string): { extension: Extension[] } {
  return { extension: [translation('en', content)] };
}

export function entry(resource: Resource & { id: string }): BundleEntry {
  return {
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
  };
}
