// Turning a batch/transaction entry into a FhirRequest and a FhirResponse back into a response entry
// (http://hl7.org/fhir/R4/bundle.html#transaction, http://hl7.org/fhir/R4/http.html#transaction).
import { FhirError, type OperationOutcome } from '../outcome.ts';
import type { Resource } from '../types.ts';
import type { FhirMethod, FhirRequest, FhirResponse, RestContext } from './types.ts';

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method?: string; url?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifMatch?: string; ifNoneExist?: string };
}

export interface EntryRequest {
  index: number;
  method: FhirMethod;
  /** Path below the base (no query). */
  path: string;
  query: URLSearchParams;
  entry: BundleEntry;
}

const methods = new Set<FhirMethod>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

const reasons: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone',
  412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 500: 'Internal Server Error',
};

export function statusLine(status: number): string {
  return `${status} ${reasons[status] ?? ''}`.trim();
}

export function bundleEntries(bundle: Resource): BundleEntry[] {
  if (bundle.entry === undefined) return [];
  if (!Array.isArray(bundle.entry)) throw new FhirError('invalid-resource', 'Bundle.entry must be an array', { expression: ['Bundle.entry'] });
  return bundle.entry as BundleEntry[];
}

/** Reads `entry.request` of entry `index`; a URL may be relative to the base or absolute under it. */
export function parseEntryRequest(entry: BundleEntry, index: number, ctx: RestContext): EntryRequest {
  const where = `Bundle.entry[${index}]`;
  if (!entry || typeof entry !== 'object') throw new FhirError('invalid-resource', `${where} is not an object`, { expression: [where] });
  const request = entry.request;
  if (!request || typeof request !== 'object') {
    throw new FhirError('invalid-resource', `${where}.request is required in a batch or transaction`, { expression: [`${where}.request`] });
  }
  const method = String(request.method ?? '').toUpperCase() as FhirMethod;
  if (!methods.has(method)) {
    throw new FhirError('invalid-resource', `${where}.request.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE`, { expression: [`${where}.request.method`] });
  }
  if (typeof request.url !== 'string' || request.url.length === 0) {
    throw new FhirError('invalid-resource', `${where}.request.url is required`, { expression: [`${where}.request.url`] });
  }
  let url = request.url;
  if (url.startsWith(ctx.baseUrl + '/')) url = url.slice(ctx.baseUrl.length + 1);
  else if (/^[a-z]+:/i.test(url)) {
    throw new FhirError('invalid-resource', `${where}.request.url points outside this server`, { expression: [`${where}.request.url`] });
  }
  url = url.replace(/^\//, '');
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if ((method === 'POST' || method === 'PUT') && (!entry.resource || typeof entry.resource !== 'object')) {
    throw new FhirError('invalid-resource', `${where}.resource is required for ${method}`, { expression: [`${where}.resource`] });
  }
  return { index, method, path, query, entry };
}

export function toFhirRequest(e: EntryRequest, prefer: string | undefined): FhirRequest {
  const r = e.entry.request!;
  return {
    method: e.method,
    path: e.path,
    query: e.query,
    headers: {
      ifMatch: r.ifMatch, ifNoneMatch: r.ifNoneMatch, ifModifiedSince: r.ifModifiedSince, ifNoneExist: r.ifNoneExist, prefer,
      // In a PATCH entry a Parameters resource is FHIRPath Patch (fhirpatch.html); a Binary holds JSON Patch.
      contentType: e.method === 'PATCH' && e.entry.resource?.resourceType !== 'Parameters' ? 'application/json-patch+json' : 'application/fhir+json',
    },
    body: e.method === 'PATCH' ? patchBody(e.entry.resource) : e.entry.resource,
  };
}

/** JSON Patch in a bundle travels as a Binary resource holding the patch document (http.html#patch). */
function patchBody(resource: Resource | undefined): unknown {
  if (resource?.resourceType === 'Binary' && typeof resource.data === 'string') {
    try {
      return JSON.parse(Buffer.from(resource.data, 'base64').toString('utf8'));
    } catch {
      throw new FhirError('invalid-request', 'The Binary of a PATCH entry does not hold a JSON Patch document');
    }
  }
  return resource;
}

export function responseEntry(res: FhirResponse, ctx: RestContext) {
  const response: Record<string, unknown> = { status: statusLine(res.status) };
  if (res.headers.location) response.location = res.headers.location.replace(ctx.baseUrl + '/', '');
  if (res.headers.etag) response.etag = res.headers.etag;
  if (res.headers['last-modified']) response.lastModified = new Date(res.headers['last-modified']).toISOString();
  const entry: Record<string, unknown> = {};
  const body = res.json ? JSON.parse(res.json) : res.body;
  if (body && (body as Resource).resourceType === 'OperationOutcome') response.outcome = body;
  else if (body) {
    entry.resource = body;
    const r = body as Resource;
    if (r.id && r.resourceType && r.resourceType !== 'Bundle') entry.fullUrl = `${ctx.baseUrl}/${r.resourceType}/${r.id}`;
  }
  entry.response = response;
  return entry;
}

export function errorEntry(err: FhirError) {
  const outcome: OperationOutcome = err.outcome;
  return { response: { status: statusLine(err.status), outcome } };
}
