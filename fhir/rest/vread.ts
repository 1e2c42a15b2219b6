// vread — http://hl7.org/fhir/R4/http.html#vread
import { FhirError } from '../outcome.ts';
import { versionHeaders } from './headers.ts';
import { touched, type Handler } from './types.ts';

export const vread: Handler = async (_req, ctx, route) => {
  const versionId = Number(route.versionId);
  if (!/^\d+$/.test(route.versionId ?? '') || versionId < 1 || versionId > 2_147_483_647) {
    throw new FhirError('not-found', `${route.resourceType}/${route.id} has no version ${JSON.stringify(route.versionId)}`);
  }
  const version = await ctx.repo.vread(route.resourceType!, route.id!, versionId);
  touched(ctx, [version]);
  return { status: 200, headers: versionHeaders(version, ctx), json: version.json };
};
