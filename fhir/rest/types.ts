// Framework-free request and response of the FHIR REST API (http://hl7.org/fhir/R4/http.html).
// The Hapi plugin translates HTTP to these; batch/transaction entries are translated the same way.
import type { Repository } from '../storage/repository.ts';
import type { Queryable } from '../storage/db.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';
import type { Resource } from '../types.ts';

export type FhirMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FhirRequestHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifNoneExist?: string;
  prefer?: string;
  contentType?: string;
}

export interface FhirRequest {
  method: FhirMethod;
  /** Path below the FHIR base without leading slash, e.g. `Patient/1/_history/2`. */
  path: string;
  query: URLSearchParams;
  headers: FhirRequestHeaders;
  /** Parsed JSON body (a resource, a JSON Patch array, or Parameters). */
  body?: unknown;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  /** A resource or other JSON value to serialise… */
  body?: unknown;
  /** …or stored JSON text to send as it is (avoids a parse and a serialise on reads). */
  json?: string;
}

export interface RestContext {
  repo: Repository;
  /** The engine's search parameters: the official R4 ones plus registered custom ones. */
  registry: SearchParameterRegistry;
  /** For operations that read outside the repository (never for writes). */
  db: Queryable;
  /** Absolute base URL of the FHIR endpoint, e.g. `http://localhost:8080/fhir`. */
  baseUrl: string;
}

export type Handler = (req: FhirRequest, ctx: RestContext, route: RouteMatch) => Promise<FhirResponse>;

export interface RouteMatch {
  resourceType?: string;
  id?: string;
  versionId?: string;
  operation?: string;
}

export function responseResource(res: FhirResponse): Resource | undefined {
  if (res.json) return JSON.parse(res.json) as Resource;
  return res.body as Resource | undefined;
}
