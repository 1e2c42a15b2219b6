// `_typeFilter` of a Bulk Data export (http://hl7.org/fhir/uv/bulkdata/export.html#_typefilter-query-parameter):
// FHIR REST search queries (`MedicationRequest?status=active`) that narrow the export of their type.
// Several queries for one type are ORed; types without one export whole. Queries are parsed strictly by
// the engine's search parser and compiled by its SQL builder, so they mean what the same search means.
import { FhirError } from '../outcome.ts';
import { parseSearch } from '../search/parse.ts';
import type { SearchRequest } from '../search/search-request.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';

/** Parameters that shape a page or add resources: they have no meaning for an export's filter. */
const resultParameters = ['_count', '_offset', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_contained', '_containedType'];

/**
 * The queries of one `_typeFilter` value. The IG allows several queries in one value, comma-separated;
 * commas also separate a parameter's OR values, so a new query starts only where a resource type and
 * `?` follow the comma.
 */
export function splitTypeFilter(value: string): string[] {
  return value.split(/,(?=[A-Z][A-Za-z]*\?)/).map((q) => q.trim()).filter(Boolean);
}

export interface TypeFilter { resourceType: string; request: SearchRequest }

/** One `Type?query`, parsed; refused with 400 (expression `_typeFilter`) when it is not a search this server runs. */
export function parseTypeFilter(text: string, registry: SearchParameterRegistry, timeZone: string): TypeFilter {
  const refuse = (why: string) => new FhirError('invalid-request', `_typeFilter "${text}": ${why}`, { expression: ['_typeFilter'] });
  const match = /^([A-Z][A-Za-z]*)\?(.*)$/s.exec(text);
  if (!match) throw refuse('write it as a search, Type?parameter=value');
  const [, resourceType, query] = match as unknown as [string, string, string];
  if (!registry.resourceTypes.has(resourceType)) throw refuse(`${resourceType} is not a resource type`);
  const params = new URLSearchParams(query);
  const shaping = [...params.keys()].filter((name) => resultParameters.includes(name.split(':')[0]!));
  if (shaping.length > 0) throw refuse(`${shaping.join(', ')} cannot narrow an export`);
  if ([...params.keys()].length === 0) throw refuse('it has no search parameter');
  try {
    return { resourceType, request: parseSearch(resourceType, params, registry, { timeZone }) };
  } catch (err) {
    if (err instanceof FhirError) throw refuse(err.message);
    throw err;
  }
}
