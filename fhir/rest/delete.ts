// delete — http://hl7.org/fhir/R4/http.html#delete (logical: a new version marked deleted) and
// conditional delete (http://hl7.org/fhir/R4/http.html#3.1.0.7.1).
import { informational } from '../outcome.ts';
import { etag, parseETag } from './headers.ts';
import { touched, type FhirResponse, type Handler } from './types.ts';

export const remove: Handler = async (req, ctx, route): Promise<FhirResponse> => {
  const ifMatch = req.headers.ifMatch ? parseETag(req.headers.ifMatch, 'If-Match') : undefined;
  const result = route.id === undefined
    ? await ctx.repo.conditionalDelete(route.resourceType!, req.query)
    : await ctx.repo.delete(route.resourceType!, route.id, { ifMatch });
  if (!result) {
    return { status: 200, headers: {}, body: informational('Nothing to delete: no current resource matched') };
  }
  touched(ctx, [{ resourceType: result.version.resourceType, id: result.version.id, versionId: result.version.versionId }]);
  return {
    status: 200,
    headers: { etag: etag(result.version.versionId) },
    body: informational(`Deleted ${result.version.resourceType}/${result.version.id} (version ${result.version.versionId})`),
  };
};
