// read — http://hl7.org/fhir/R4/http.html#read, with conditional read
// (If-None-Match / If-Modified-Since → 304, http://hl7.org/fhir/R4/http.html#cread).
import { etag, versionHeaders } from './headers.ts';
import { touched, type Handler } from './types.ts';

export const read: Handler = async (req, ctx, route) => {
  const version = await ctx.repo.read(route.resourceType!, route.id!);
  touched(ctx, [version]);
  const headers = versionHeaders(version, ctx);
  if (req.headers.ifNoneMatch && req.headers.ifNoneMatch.split(',').some((t) => t.trim() === etag(version.versionId) || t.trim() === `"${version.versionId}"`)) {
    return { status: 304, headers };
  }
  // RFC 9110 §13.1.3: with If-None-Match present, If-Modified-Since is ignored. Browsers revalidate with
  // both, and a version written within the same second as the cached one has the same Last-Modified.
  if (req.headers.ifModifiedSince && !req.headers.ifNoneMatch) {
    const since = Date.parse(req.headers.ifModifiedSince);
    // HTTP dates have whole seconds: compare at that precision.
    if (!Number.isNaN(since) && Math.floor(Date.parse(version.lastUpdated) / 1000) * 1000 <= since) {
      return { status: 304, headers };
    }
  }
  return { status: 200, headers, json: version.json };
};
