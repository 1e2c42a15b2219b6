// `_summary` and `_elements` (http://hl7.org/fhir/R4/search.html#summary,
// http://hl7.org/fhir/R4/search.html#elements): subsets of each returned resource, tagged SUBSETTED.
import { typeModel, type ComplexModel } from '../definitions/structure.ts';
import type { Resource } from '../types.ts';
import type { SearchRequest } from './search-request.ts';

const subsettedTag = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

type Json = Record<string, unknown>;

function elementOf(model: ComplexModel, key: string) {
  return model.properties.get(key.startsWith('_') ? key.slice(1) : key)?.element;
}

/** Top-level elements with min ≥ 1: kept in every subset ("servers SHOULD return mandatory elements"). */
function mandatory(model: ComplexModel | undefined, key: string): boolean {
  return model !== undefined && (elementOf(model, key)?.min ?? 0) > 0;
}

/** Elements marked isSummary (and mandatory ones), descending into backbone elements. */
function summaryOf(value: Json, model: ComplexModel): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'resourceType') { out[key] = v; continue; }
    const prop = model.properties.get(key.startsWith('_') ? key.slice(1) : key);
    if (!prop || !(prop.element.isSummary || prop.element.min > 0)) continue;
    const inner = prop.type.model;
    if (inner?.kind === 'backbone' && !key.startsWith('_')) {
      out[key] = Array.isArray(v)
        ? v.map((item) => (item && typeof item === 'object' ? summaryOf(item as Json, inner) : item))
        : v && typeof v === 'object' ? summaryOf(v as Json, inner) : v;
    } else {
      out[key] = v;
    }
  }
  return out;
}

function tagged(resource: Json): Resource {
  const meta = (resource.meta ?? {}) as Json;
  return { ...resource, meta: { ...meta, tag: [...((meta.tag as unknown[]) ?? []), subsettedTag] } } as Resource;
}

function pick(resource: Resource, keep: (key: string) => boolean): Resource {
  const model = typeModel(resource.resourceType);
  const out: Json = {};
  for (const [key, v] of Object.entries(resource)) {
    if (key === 'resourceType' || key === 'id' || key === 'meta' || mandatory(model, key) || keep(key)) out[key] = v;
  }
  return tagged(out);
}

/** `_elements` names for this type: `name` applies to every type, `Patient.name` only to Patient. */
function elementNames(elements: string[], resourceType: string): Set<string> {
  const names = new Set<string>();
  for (const e of elements) {
    const m = /^([A-Z][A-Za-z]+)\.(.+)$/.exec(e);
    if (!m) names.add(e);
    else if (m[1] === resourceType) names.add(m[2]!);
  }
  return names;
}

/** The resource as this search asks to return it. */
export function shapeResource(resource: Resource, request: Pick<SearchRequest, 'elements' | 'summary'>): Resource {
  if (request.elements && request.elements.length > 0) {
    const wanted = elementNames(request.elements, resource.resourceType);
    const model = typeModel(resource.resourceType);
    return pick(resource, (k) => wanted.has(k) || (k.startsWith('_') && wanted.has(k.slice(1))) || (model !== undefined && choiceWanted(model, k, wanted)));
  }
  switch (request.summary) {
    case 'true': {
      const model = typeModel(resource.resourceType);
      return model ? tagged(summaryOf(resource, model)) : resource;
    }
    case 'text': return pick(resource, (k) => k === 'text');
    case 'data': return pick(resource, (k) => k !== 'text');
    default: return resource;
  }
}

/** `_elements=value` asks for `valueQuantity` etc. (the element name of a choice, json.html#choice). */
function choiceWanted(model: ComplexModel, key: string, wanted: Set<string>): boolean {
  const element = elementOf(model, key);
  return element !== undefined && element.choice && wanted.has(element.name);
}
