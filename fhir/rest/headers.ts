// Version-aware HTTP headers (http://hl7.org/fhir/R4/http.html#versioning) and Prefer
// (http://hl7.org/fhir/R4/http.html#ops).
import { FhirError, informational } from '../outcome.ts';
import type { ResourceVersion } from '../types.ts';
import { touched, type FhirRequest, type FhirResponse, type RestContext } from './types.ts';

export function etag(versionId: number): string {
  return `W/"${versionId}"`;
}

/** Accepts `W/"3"`, `"3"` and a bare `3`; anything else is a 400. */
export function parseETag(value: string, header: string): number {
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  if (!m) throw new FhirError('invalid-request', `${header} must be a version ETag like W/"3", got ${JSON.stringify(value)}`);
  return Number(m[1]);
}

export function versionHeaders(version: ResourceVersion, ctx: RestContext): Record<string, string> {
  return {
    etag: etag(version.versionId),
    'last-modified': new Date(version.lastUpdated).toUTCString(),
    'content-location': `${ctx.baseUrl}/${version.resourceType}/${version.id}/_history/${version.versionId}`,
  };
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

export function returnPreference(req: FhirRequest): ReturnPreference {
  const m = /(?:^|[;,\s])return=(minimal|representation|OperationOutcome)\b/.exec(req.headers.prefer ?? '');
  return (m?.[1] as ReturnPreference | undefined) ?? 'representation';
}

/** The answer to a write, shaped by Prefer: return=… */
export function writeResponse(
  req: FhirRequest, ctx: RestContext, version: ResourceVersion, status: number, message: string,
): FhirResponse {
  touched(ctx, [version]);
  const headers = versionHeaders(version, ctx);
  if (status === 201) headers.location = headers['content-location'];
  switch (returnPreference(req)) {
    case 'minimal':
      return { status, headers };
    case 'OperationOutcome':
      return { status, headers, body: informational(message) };
    default:
      return { status, headers, json: version.json };
  }
}
