// create — http://hl7.org/fhir/R4/http.html#create, conditional create via If-None-Exist
// (http://hl7.org/fhir/R4/http.html#ccreate).
import { requireResource } from './body.ts';
import { writeResponse, versionHeaders } from './headers.ts';
import { criteriaFromQueryString } from './criteria.ts';
import type { Handler } from './types.ts';

export const create: Handler = async (req, ctx, route) => {
  const resource = requireResource(req.body, route.resourceType!);
  if (req.headers.ifNoneExist) {
    const criteria = criteriaFromQueryString(req.headers.ifNoneExist, route.resourceType!);
    const result = await ctx.repo.conditionalCreate(resource, criteria);
    if (result.outcome === 'existing') {
      // One match: nothing created, answer 200 with the existing resource.
      return { status: 200, headers: versionHeaders(result.version, ctx), json: result.version.json };
    }
    return writeResponse(req, ctx, result.version, 201, `Created ${resource.resourceType}/${result.version.id}`);
  }
  const result = await ctx.repo.create(resource);
  return writeResponse(req, ctx, result.version, 201, `Created ${resource.resourceType}/${result.version.id}`);
};
