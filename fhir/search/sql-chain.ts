// Chained parameters and reverse chaining as nested EXISTS (http://hl7.org/fhir/R4/search.html#chaining,
// http://hl7.org/fhir/R4/search.html#has). Both walk fhir_sp_reference and join the resource at the
// other end in fhir_resource, so that a deleted resource never takes part in a match (its index rows
// are gone, but a chain on `_id` or a `:missing=true` filter would otherwise still see it), and so
// that the nested filter can use that resource's own columns (`_id`, `_lastUpdated`).
import type { ChainFilter, HasFilter } from './search-request.ts';
import type { SqlBuilder } from './sql.ts';

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
  return `EXISTS (SELECT 1 FROM fhir_sp_reference ${ref} JOIN fhir_resource ${target}`
    + ` ON ${target}.resource_type = ${ref}.target_type AND ${target}.id = ${ref}.target_id`
    + ` WHERE ${b.owner(ref, o)} AND ${ref}.param = ${b.bind(filter.code)} AND NOT ${target}.deleted`
    + ` AND (${perType.join(' OR ')}))`;
}

/**
 * `_has:Observation:patient:code=1234-5` over the resource aliased `o`: some current Observation
 * refers to it through `patient` and matches the nested filter (itself possibly another `_has`).
 */
export function hasCondition(b: SqlBuilder, filter: HasFilter, o: string): string {
  const ref = b.alias();
  const source = b.alias();
  return `EXISTS (SELECT 1 FROM fhir_sp_reference ${ref} JOIN fhir_resource ${source}`
    + ` ON ${source}.resource_type = ${ref}.resource_type AND ${source}.id = ${ref}.id`
    + ` WHERE ${ref}.target_type = ${o}.resource_type AND ${ref}.target_id = ${o}.id`
    + ` AND ${ref}.resource_type = ${b.bind(filter.resourceType)} AND ${ref}.param = ${b.bind(filter.referenceParam.code)}`
    + ` AND NOT ${source}.deleted AND ${b.filter(filter.filter, source)})`;
}
