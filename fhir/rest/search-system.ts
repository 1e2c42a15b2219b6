// GET [base]?_type=… (system-level search, http://hl7.org/fhir/R4/http.html#search) and
// GET [base]/Patient/123/Observation?… (compartment search, http://hl7.org/fhir/R4/search.html#compartments).
import { FhirError } from '../outcome.ts';
import { compartment } from '../definitions/compartments.ts';
import { searchOptions, searchsetResponse } from './search-type.ts';
import type { Handler } from './types.ts';

export const searchSystem: Handler = async (req, ctx) => {
  const result = await ctx.repo.search(null, req.query, searchOptions(req, ctx));
  return searchsetResponse(ctx, '', req, result);
};

/**
 * `resourceType`/`id` of the route name the compartment owner; `searched` is the type searched in it,
 * or null for every type the compartment holds.
 */
export const searchCompartment = (searched: string | null): Handler => async (req, ctx, route) => {
  const owner = { resourceType: route.resourceType!, id: route.id! };
  if (!compartment(owner.resourceType)) {
    throw new FhirError('route-not-found', `R4 defines no ${owner.resourceType} compartment`);
  }
  const result = await ctx.repo.search(searched, req.query, { ...searchOptions(req, ctx), compartment: owner });
  return searchsetResponse(ctx, `${owner.resourceType}/${owner.id}/${searched ?? '*'}`, req, result);
};
