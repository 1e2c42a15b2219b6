// Chained parameters and reverse chaining as nested EXISTS (http://hl7.org/fhir/R4/search.html#chaining,
// http://hl7.org/fhir/R4/search.html#has). Both walk fhir_sp_reference; the resource at the other end
// is joined from fhir_resource only when the nested filter needs its row (see readsResourceRow).
import type { ChainFilter, HasFilter, SearchFilter } from './search-request.ts';
import type { SqlBuilder } from './sql.ts';

/**
 * Whether a nested filter reads the resource row itself rather than its index rows. Index rows exist
 * only for current resources (a delete removes them), so most filters never see a deleted resource;
 * `_lastUpdated` reads fhir_resource, and — at the far end of a chain, where the reference row may
 * outlive its target — `_id` and `:missing=true` would match a deleted target.
 */
function readsResourceRow(filter: SearchFilter, chainTarget: boolean): boolean {
  if (filter.kind !== 'parameter') return false;
  if (filter.code === '_lastUpdated') return true;
  return chainTarget && (filter.code === '_id' || filter.missing === true);
}

/**
 * `subject:Patient.name=peter` over the resource aliased `o`: one of its `param` references points
 * at a current resource of a target type that matches that type's nested filter. Several target
 * types (an untyped chain resolved over each) are ORed.
 */
export function chainCondition(b: SqlBuilder, filter: ChainFilter, o: string): string {
  const ref = b.alias();
  const target = b.alias();
  const perType = filter.targets.map(({ targetType, filter: nested }) =>
    `(${ref}.target_type = ${b.bind(targetType)} AND ${b.filter(nested, target)})`);
  const join = filter.targets.some((t) => readsResourceRow(t.filter, true))
    ? ` JOIN fhir_resource ${target} ON ${target}.resource_type = ${ref}.target_type AND ${target}.id = ${ref}.target_id AND NOT ${target}.deleted`
    : ` CROSS JOIN LATERAL (SELECT ${ref}.target_type AS resource_type, ${ref}.target_id AS id) ${target}`;
  return `EXISTS (SELECT 1 FROM fhir_sp_reference ${ref}${join}`
    + ` WHERE ${b.owner(ref, o)} AND ${ref}.param = ${b.bind(filter.code)}`
    + ` AND (${perType.join(' OR ')}))`;
}

/**
 * `_has:Observation:patient:code=1234-5` over the resource aliased `o`: some current Observation
 * refers to it through `patient` and matches the nested filter (itself possibly another `_has`).
 * The reference row's own (resource_type, id) name the referring resource.
 */
export function hasCondition(b: SqlBuilder, filter: HasFilter, o: string): string {
  const ref = b.alias();
  const source = b.alias();
  const join = readsResourceRow(filter.filter, false)
    ? ` JOIN fhir_resource ${source} ON ${source}.resource_type = ${ref}.resource_type AND ${source}.id = ${ref}.id AND NOT ${source}.deleted`
    : '';
  return `EXISTS (SELECT 1 FROM fhir_sp_reference ${ref}${join}`
    + ` WHERE ${ref}.target_type = ${o}.resource_type AND ${ref}.target_id = ${o}.id`
    + ` AND ${ref}.resource_type = ${b.bind(filter.resourceType)} AND ${ref}.param = ${b.bind(filter.referenceParam.code)}`
    + ` AND ${b.filter(filter.filter, join ? source : ref)})`;
}
