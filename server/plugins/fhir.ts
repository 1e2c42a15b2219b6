// HTTP ↔ FHIR engine under /fhir: content negotiation (http://hl7.org/fhir/R4/http.html#mime-type),
// body parsing with OperationOutcome errors, and writing the engine's answer.
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import { FhirError, responseResource, type Access, type FhirEngine, type FhirRequest, type Resource } from '../../fhir/index.ts';
import type { FhirMethod } from '../../fhir/rest/types.ts';
import { accessFor, type Caller } from '../auth/caller.ts';
import { checkSubscriptionWrites } from '../subscriptions/authorize.ts';
import { fhirAuditEvents } from '../audit/event.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { callerOf, originOf } from './auth.ts';

export interface FhirPluginOptions {
  engine: FhirEngine;
  maxBodyBytes: number;
  /** Fixed public base URL; otherwise derived from the request's Host. */
  publicUrl?: string;
  audit: AuditWriter;
}

const jsonTypes = new Set(['application/fhir+json', 'application/json', 'application/json+fhir', 'text/json']);
const xmlTypes = new Set(['application/fhir+xml', 'application/xml', 'text/xml', 'application/xml+fhir']);

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** The answer format: JSON only. `_format` wins over Accept (http://hl7.org/fhir/R4/http.html#mime-type). */
function checkAcceptable(request: Request): string {
  const format = request.query._format as string | string[] | undefined;
  if (format !== undefined) {
    const f = (Array.isArray(format) ? format[0] : format).toLowerCase();
    if (['json', 'application/json', 'application/fhir+json', 'application/json+fhir'].includes(f)) {
      return f === 'application/json' ? 'application/json' : 'application/fhir+json';
    }
    throw new FhirError('not-acceptable', `_format=${f} is not supported; this server speaks JSON`);
  }
  const accept = request.headers.accept as string | undefined;
  if (!accept) return 'application/fhir+json';
  const ranges = accept.split(',').map((r) => mediaType(r));
  if (ranges.some((r) => r === '*/*' || r === 'application/*' || r === 'application/fhir+json' || r === 'application/json+fhir')) return 'application/fhir+json';
  if (ranges.includes('application/json') || ranges.includes('text/json')) return 'application/json';
  if (ranges.some((r) => xmlTypes.has(r)) || ranges.length > 0) {
    throw new FhirError('not-acceptable', `Cannot answer in ${accept}; this server speaks application/fhir+json`);
  }
  return 'application/fhir+json';
}

/**
 * Deeply nested JSON is refused before parsing: everything downstream (validation, indexing, patch)
 * walks resources recursively, and the deepest R4 resources in practice stay under 30 levels.
 */
const maxJsonDepth = 100;

function nestingDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}

function parseBody(request: Request, method: FhirMethod): { body?: unknown; query?: URLSearchParams } {
  const payload = request.payload as Buffer | null | undefined;
  if (!payload || payload.length === 0) return {};
  const type = mediaType(request.headers['content-type'] as string | undefined);
  if (method === 'POST' && type === 'application/x-www-form-urlencoded') {
    return { query: new URLSearchParams(payload.toString('utf8')) };
  }
  if (xmlTypes.has(type)) throw new FhirError('unsupported-media-type', 'FHIR XML is not supported; send application/fhir+json');
  const allowed = method === 'PATCH' ? jsonTypes.has(type) || type === 'application/json-patch+json' : jsonTypes.has(type);
  if (type && !allowed) {
    throw new FhirError('unsupported-media-type', `Content-Type ${type} is not accepted; send application/fhir+json`);
  }
  const text = payload.toString('utf8');
  if (nestingDeeperThan(text, maxJsonDepth)) {
    throw new FhirError('invalid-request', `The request body nests JSON deeper than ${maxJsonDepth} levels; no FHIR resource needs that`);
  }
  try {
    return { body: JSON.parse(text) };
  } catch (err) {
    throw new FhirError('malformed-json', `The request body is not valid JSON: ${(err as Error).message}`);
  }
}

function toFhirRequest(request: Request): FhirRequest {
  const method = request.method.toUpperCase() as FhirMethod;
  const url = request.url;
  const query = new URLSearchParams(url.search);
  const parsed = parseBody(request, method);
  if (parsed.query) for (const [k, v] of parsed.query) query.append(k, v);
  const header = (name: string): string | undefined => {
    const v = request.headers[name] as string | string[] | undefined;
    return Array.isArray(v) ? v.join(',') : v;
  };
  return {
    method,
    path: String(request.params.path ?? ''),
    query,
    headers: {
      ifMatch: header('if-match'), ifNoneMatch: header('if-none-match'), ifModifiedSince: header('if-modified-since'),
      ifNoneExist: header('if-none-exist'), prefer: header('prefer'), contentType: header('content-type'),
    },
    body: parsed.body,
  };
}

const accesses = new WeakMap<Caller, Access>();
const anonymousAccess = accessFor({ kind: 'anonymous' });

/** The engine Access of a caller, made once per caller (the auth service keeps one Caller per token). */
function accessOf(caller: Caller): Access {
  if (caller.kind === 'anonymous') return anonymousAccess;
  let access = accesses.get(caller);
  if (!access) accesses.set(caller, access = accessFor(caller));
  return access;
}

export const fhirPlugin: Plugin<FhirPluginOptions> = {
  name: 'open-his-fhir',
  register(server, options) {
    const handler = async (request: Request, h: ResponseToolkit) => {
      const contentType = checkAcceptable(request);
      const baseUrl = options.publicUrl ? `${options.publicUrl}/fhir` : `${request.server.info.protocol}://${request.info.host}/fhir`;
      const caller = callerOf(request);
      const origin = originOf(request);
      let result;
      try {
        const fhirRequest = toFhirRequest(request);
        checkSubscriptionWrites(fhirRequest, accessOf(caller));
        result = await options.engine.handle(fhirRequest, baseUrl, {
          access: accessOf(caller),
          auditor: { events: (record) => fhirAuditEvents(record, caller, origin), later: (record) => options.audit.deferRecord(record, caller, origin) },
          // Booking's operations need who is asking and from where (rate limits, proxies).
          host: { caller, address: origin.ip },
        });
      } catch (err) {
        // Refused to someone not logged in: the answer is "log in" (401), not "never" (403).
        if (caller.kind === 'anonymous' && err instanceof FhirError && err.code === 'forbidden') {
          throw new FhirError('unauthorized', 'Log in first: this needs an access token');
        }
        throw err;
      }
      const pretty = request.query._pretty === 'true';
      let text: string | undefined = result.json ?? (result.body === undefined ? undefined : JSON.stringify(result.body));
      if (text !== undefined && pretty) text = JSON.stringify(JSON.parse(text), null, 2);
      const response = text === undefined ? h.response().code(result.status) : h.response(text).code(result.status).type(`${contentType}; charset=utf-8`);
      for (const [k, v] of Object.entries(result.headers)) response.header(k, v);
      return response;
    };
    // Hapi refuses payload settings on GET routes, hence two routes for one handler.
    // Public at the HTTP level: the engine decides per type and interaction, anonymous callers
    // included (they may list the booking directory and nothing else).
    server.route({ method: 'GET', path: '/fhir/{path*}', options: { plugins: { public: true }, handler } });
    server.route({
      method: ['POST', 'PUT', 'PATCH', 'DELETE'],
      path: '/fhir/{path*}',
      options: { plugins: { public: true }, payload: { parse: 'gunzip', output: 'data', maxBytes: options.maxBodyBytes }, handler },
    });
  },
};

/**
 * Reads one resource as the request's caller, through the engine: the same access checks and the
 * same audit record as GET /fhir/Type/id (for routes that render a resource in another format, such
 * as an appointment's calendar file or printed slip).
 */
export async function readAsCaller(engine: FhirEngine, audit: AuditWriter, request: Request, resourceType: string, id: string): Promise<Resource> {
  const caller = callerOf(request);
  const origin = originOf(request);
  const answer = await engine.handle({ method: 'GET', path: `${resourceType}/${id}`, query: new URLSearchParams(), headers: {} }, 'http://localhost/fhir', {
    access: accessOf(caller),
    auditor: { events: (record) => fhirAuditEvents(record, caller, origin), later: (record) => audit.deferRecord(record, caller, origin) },
  }).catch((err: unknown) => {
    if (caller.kind === 'anonymous' && err instanceof FhirError && err.code === 'forbidden') throw new FhirError('unauthorized', 'Log in first: this needs an access token');
    throw err;
  });
  return responseResource(answer)!;
}
