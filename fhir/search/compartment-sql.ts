// SQL conditions for compartment membership (http://hl7.org/fhir/R4/compartmentdefinition.html): a
// resource is in the compartment of an owner when one of the reference parameters its type lists in
// the CompartmentDefinition points at the owner. Used by compartment searches and, with the caller's
// patients, to bound everything a patient-level caller can see. Conditions refer to the row `r`
// (resource_type, id).
import { FhirError } from '../outcome.ts';
import { compartment as compartmentOf } from '../definitions/compartments.ts';
import { patientCompartmentTypes } from '../access.ts';

type Bind = (v: unknown) => string;

/** Membership of the compartment of one owner; `withOwner` adds the owner itself where its definition does not. */
export function compartmentCondition(owner: { resourceType: string; id: string; withOwner?: boolean }, types: string[], bind: Bind): string {
  const definition = compartmentOf(owner.resourceType);
  if (!definition) throw new FhirError('route-not-found', `R4 defines no ${owner.resourceType} compartment`);
  const pairs = types.flatMap((t) => (definition.params.get(t) ?? []).map((p) => [t, p] as const));
  const self = (definition.includesOwner || owner.withOwner === true) && types.includes(owner.resourceType);
  if (pairs.length === 0 && !self) {
    throw new FhirError('invalid-request', `${types.join(', ')} is not part of the ${owner.resourceType} compartment`);
  }
  return membership(owner.resourceType, [owner.id], pairs, self, bind);
}

/**
 * The bound of a patient-level caller: rows of types outside the Patient compartment pass (whether
 * the caller may see those types at all is decided before any SQL); rows of compartment types must
 * belong to the compartment of one of `patients` — a Patient row by being one of them.
 */
export function patientAccessCondition(patients: readonly string[], types: string[], bind: Bind, openTypes?: ReadonlySet<string>): string {
  const definition = compartmentOf('Patient')!;
  const inCompartment = (t: string) => patientCompartmentTypes().has(t) && !openTypes?.has(t);
  const bounded = types.filter(inCompartment);
  if (bounded.length === 0) return 'TRUE';
  const pairs = bounded.flatMap((t) => (definition.params.get(t) ?? []).map((p) => [t, p] as const));
  const condition = membership('Patient', patients, pairs, bounded.includes('Patient'), bind);
  const free = types.filter((t) => !inCompartment(t));
  return free.length === 0 ? condition : `(r.resource_type = ANY(${bind(free)}::text[]) OR ${condition})`;
}

function membership(ownerType: string, ids: readonly string[], pairs: (readonly [string, string])[], self: boolean, bind: Bind): string {
  const type = bind(ownerType);
  const idList = ids.length === 1 ? `= ${bind(ids[0])}` : `= ANY(${bind([...ids])}::text[])`;
  const selfCondition = self ? `(r.resource_type = ${type} AND r.id ${idList})` : '';
  if (pairs.length === 0) return selfCondition || 'FALSE';
  const singleType = new Set(pairs.map((p) => p[0])).size === 1;
  // One searched type: its parameters as a list; several: (type, parameter) pairs joined in.
  const reference = singleType
    ? `EXISTS (SELECT 1 FROM fhir_sp_reference c
        WHERE c.resource_type = r.resource_type AND c.id = r.id AND c.param = ANY(${bind(pairs.map((p) => p[1]))}::text[])
          AND c.target_type = ${type} AND c.target_id ${idList})`
    : `EXISTS (SELECT 1 FROM fhir_sp_reference c
        JOIN unnest(${bind(pairs.map((p) => p[0]))}::text[], ${bind(pairs.map((p) => p[1]))}::text[]) AS m(t, p) ON c.resource_type = m.t AND c.param = m.p
       WHERE c.resource_type = r.resource_type AND c.id = r.id AND c.target_type = ${type} AND c.target_id ${idList})`;
  return selfCondition ? `(${selfCondition} OR ${reference})` : reference;
}
