// update — http://hl7.org/fhir/R4/http.html#update (update-as-create with the client's id is allowed),
// conditional update (http://hl7.org/fhir/R4/http.html#cond-update), If-Match (#concurrency).
import { FhirError } from '../outcome.ts';
import { requireResource } from './body.ts';
import { parseETag, writeResponse } from './headers.ts';
import type { Handler } from './types.ts';

export const update: Handler = async (req, ctx, route) => {
  const resource = requireResource(req.body, route.resourceType!);
  const ifMatch = req.headers.ifMatch ? parseETag(req.headers.ifMatch, 'If-Match') : undefined;
  if (route.id === undefined) {
    const result = await ctx.repo.conditionalUpdate(resource, req.query, { ifMatch });
    const status = result.outcome === 'created' ? 201 : 200;
    return writeResponse(req, ctx, result.version, status, `${result.outcome} ${resource.resourceType}/${result.version.id}`);
  }
  if (resource.id === undefined) {
    throw new FhirError('invalid-resource', 'An update must carry the resource id in the body', { expression: [`${resource.resourceType}.id`] });
  }
  if (resource.id !== route.id) {
    throw new FhirError('invalid-request', `The id in the body (${resource.id}) differs from the id in the URL (${route.id})`,
      { expression: [`${resource.resourceType}.id`] });
  }
  const result = await ctx.repo.update(resource, { ifMatch });
  const status = result.outcome === 'created' ? 201 : 200;
  return writeResponse(req, ctx, result.version, status, `${result.outcome} ${resource.resourceType}/${resource.id}`);
};
