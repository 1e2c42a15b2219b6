// Custom SearchParameter resources a hospital stores (http://hl7.org/fhir/R4/searchparameter.html).
// They are ordinary resources until registered: at start-up, and by `$reindex` on a type, which then
// fills the index for the resources already stored. A definition that cannot work is refused with a
// reason rather than registered, so one bad resource cannot break indexing of a whole type.
import { FhirError } from '../outcome.ts';
import type { Queryable } from '../storage/db.ts';
import { compileExpression } from '../search/expression-plan.ts';
import type { SearchParameterRegistry, SearchParameterResource, SearchParamType } from './search-parameters.ts';

const indexable = new Set<SearchParamType>(['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri']);

/** Why `sp` cannot be registered, or undefined when it can. */
export function unusableReason(sp: SearchParameterResource, registry: SearchParameterRegistry): string | undefined {
  if (sp.status !== 'active') return `status is ${String(sp.status)}, not active`;
  if (typeof sp.code !== 'string' || !/^[a-zA-Z][-a-zA-Z0-9_]*$/.test(sp.code)) return 'code is missing or not a valid parameter name';
  if (!Array.isArray(sp.base) || sp.base.length === 0) return 'base is missing';
  if (!indexable.has(sp.type)) return `type ${String(sp.type)} cannot be indexed (composite and special need code of their own)`;
  if (typeof sp.expression !== 'string' || sp.expression.trim() === '') return 'expression is missing';
  for (const base of sp.base) {
    if (base !== 'Resource' && base !== 'DomainResource' && !registry.resourceTypes.has(base)) return `base ${base} is not a resource type`;
    try {
      compileExpression(sp.expression, base);
    } catch (err) {
      return `expression does not compile: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return undefined;
}

/** HL7's own definitions (e.g. loaded with the spec examples) are already built in. */
function isOfficial(sp: SearchParameterResource): boolean {
  return typeof sp.url === 'string' && sp.url.startsWith('http://hl7.org/fhir/SearchParameter/');
}

async function storedSearchParameters(q: Queryable): Promise<SearchParameterResource[]> {
  const rows = await q.query<{ content: SearchParameterResource }>(
    `SELECT content FROM fhir_resource WHERE resource_type = 'SearchParameter' AND NOT deleted ORDER BY id`);
  return rows.rows.map((r) => r.content);
}

/** Registers every usable stored SearchParameter not already known by URL; returns those skipped. */
export async function registerStored(q: Queryable, registry: SearchParameterRegistry): Promise<{ id?: string; reason: string }[]> {
  const skipped: { id?: string; reason: string }[] = [];
  for (const sp of await storedSearchParameters(q)) {
    if (isOfficial(sp)) continue;
    const reason = unusableReason(sp, registry);
    if (reason) skipped.push({ id: sp.id, reason });
    else registry.add(sp);
  }
  return skipped;
}

/**
 * Registers the stored SearchParameters that apply to `resourceType`; a definition for it that
 * cannot work is a 422 naming the resource, so the caller learns why its parameter is not searchable.
 */
export async function registerFor(q: Queryable, registry: SearchParameterRegistry, resourceType: string): Promise<string[]> {
  const added: string[] = [];
  for (const sp of await storedSearchParameters(q)) {
    if (!Array.isArray(sp.base) || !sp.base.some((b) => b === resourceType || b === 'Resource' || b === 'DomainResource')) continue;
    if (isOfficial(sp) || sp.status !== 'active') continue;
    const reason = unusableReason(sp, registry);
    if (reason) throw new FhirError('unprocessable', `SearchParameter/${sp.id} cannot be used: ${reason}`);
    registry.add(sp);
    added.push(sp.code);
  }
  return added;
}
