// Framework-free request and response of the FHIR REST API (http://hl7.org/fhir/R4/http.html).
// The Hapi plugin translates HTTP to these; batch/transaction entries are translated the same way.
import type { Repository } from '../storage/repository.ts';
import type { Queryable } from '../storage/db.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';
import type { Resource } from '../types.ts';
import type { Access } from '../access.ts';
import type { Operation } from '../operations/operation.ts';

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
  /** The caller's permissions; absent for trusted in-process callers (seed, import, tests of the engine). */
  access?: Access;
  /** Collects the resources the request read or wrote, for its audit record. */
  trail?: Trail;
  /** What the host adds to CapabilityStatement.rest for this base URL (security, extensions). */
  capabilityRest?: (baseUrl: string) => CapabilityRestAdditions;
  /** The $operations this engine answers: its own and those the host application registered. */
  operations?: readonly Operation[];
  /**
   * What the host application knows about the request beyond Access (e.g. the account and client
   * address, for an operation's rate limits). Opaque to the engine; handed to operations as it is.
   */
  host?: unknown;
  /** How a batch routes its entries (audited one by one when the engine audits). */
  dispatch?: (req: FhirRequest, ctx: RestContext) => Promise<FhirResponse>;
}

/** What one request touched (http://hl7.org/fhir/R4/auditevent.html: the entities of its AuditEvent). */
export interface Trail {
  resources: TouchedResource[];
}

export interface TouchedResource {
  resourceType: string;
  id: string;
  versionId?: number;
  /** Stored JSON, when at hand: the audit record finds the patient a resource is about in it. */
  json?: string;
}

/** Adds to the request's trail (no-op when nobody audits). */
export function touched(ctx: RestContext, resources: readonly TouchedResource[]): void {
  if (ctx.trail) for (const r of resources) ctx.trail.resources.push(r);
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

/** The host's part of CapabilityStatement.rest: how clients authenticate, and extensions. */
export interface CapabilityRestAdditions {
  security?: unknown;
  extension?: unknown[];
}
