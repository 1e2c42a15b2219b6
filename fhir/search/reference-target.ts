// What a Reference.reference (or canonical) points to, as stored in fhir_sp_reference.
// http://hl7.org/fhir/R4/references.html#literal: relative `Type/id`, optionally `/_history/vid`;
// absolute URLs (kept whole, plus type and id when they end in `Type/id`); `#id` points inside
// the resource (contained) and is never searchable (http://hl7.org/fhir/R4/search.html#reference).

export interface ReferenceTarget {
  targetType: string | null;
  targetId: string | null;
  targetUrl: string | null;
}

const tail = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const absolute = /^[a-z][a-z0-9+.-]*:/i;

/**
 * `resourceTypes` limits what counts as a type segment, so that e.g. `http://x/ValueSet/y` yields
 * ValueSet/y but `http://x/fhir/dir/file` yields nothing but the URL.
 */
export function referenceTarget(reference: string, resourceTypes: ReadonlySet<string>): ReferenceTarget | undefined {
  if (reference.length === 0 || reference.startsWith('#')) return undefined;
  const isAbsolute = absolute.test(reference);
  const m = tail.exec(reference);
  const typed = m && resourceTypes.has(m[1]!) ? m : null;
  if (!isAbsolute) {
    return typed ? { targetType: typed[1]!, targetId: typed[2]!, targetUrl: null } : undefined;
  }
  return { targetType: typed ? typed[1]! : null, targetId: typed ? typed[2]! : null, targetUrl: reference };
}
