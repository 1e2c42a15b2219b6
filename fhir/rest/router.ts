// Picks the interaction for a request (http://hl7.org/fhir/R4/http.html#summary). Framework-free:
// the Hapi plugin and batch/transaction entries both come through here.
import { FhirError } from '../outcome.ts';
import { isResourceType } from '../definitions/structure.ts';
import { idPattern } from '../types.ts';
import { read } from './read.ts';
import { vread } from './vread.ts';
import { create } from './create.ts';
import { update } from './update.ts';
import { patch } from './patch.ts';
import { remove } from './delete.ts';
import { history } from './history.ts';
import { searchType } from './search-type.ts';
import { searchCompartment, searchSystem } from './search-system.ts';
import { capabilities } from './capabilities.ts';
import { bundle } from './bundle.ts';
import { operationHandler } from './operation.ts';
import { guard, type RouteLevel } from './guard.ts';
import type { FhirMethod, FhirRequest, FhirResponse, Handler, RestContext, RouteMatch } from './types.ts';

/** What the router implements; the CapabilityStatement is generated from this table. */
export const typeInteractions = {
  'read': 'GET [type]/[id]',
  'vread': 'GET [type]/[id]/_history/[vid]',
  'update': 'PUT [type]/[id]',
  'patch': 'PATCH [type]/[id]',
  'delete': 'DELETE [type]/[id]',
  'history-instance': 'GET [type]/[id]/_history',
  'history-type': 'GET [type]/_history',
  'create': 'POST [type]',
  'search-type': 'GET [type]',
} as const;
export const systemInteractions = ['transaction', 'batch', 'history-system', 'search-system'] as const;

type Routes = Partial<Record<FhirMethod, Handler>>;

async function dispatch(routes: Routes, req: FhirRequest, ctx: RestContext, match: RouteMatch, what: string, level: RouteLevel, searched?: string | null): Promise<FhirResponse> {
  const handler = routes[req.method] ?? (req.method === 'HEAD' ? routes.GET : undefined);
  if (!handler) {
    throw new FhirError('method-not-allowed', `${req.method} is not allowed on ${what}; allowed: ${Object.keys(routes).join(', ')}`);
  }
  const checking = guard(req, ctx, match, level, searched);
  if (checking) await checking;
  return handler(req, ctx, match);
}

function checkType(type: string): void {
  if (!isResourceType(type)) throw new FhirError('unknown-type', `${type} is not a FHIR R4 resource type`);
}

function checkId(type: string, id: string): void {
  if (!idPattern.test(id)) throw new FhirError('not-found', `${type}/${id} cannot exist: ids are 1–64 of A–Z a–z 0–9 - .`);
}

const conditionalWrite: Handler = (req, ctx, match) => {
  if ([...req.query.keys()].filter((k) => !k.startsWith('_format') && k !== '_pretty').length === 0) {
    throw new FhirError('method-not-allowed', `${req.method} on a whole type needs search criteria (a conditional ${req.method === 'PUT' ? 'update' : req.method === 'DELETE' ? 'delete' : 'patch'})`);
  }
  return (req.method === 'PUT' ? update : req.method === 'DELETE' ? remove : patch)(req, ctx, match);
};

export async function route(req: FhirRequest, ctx: RestContext): Promise<FhirResponse> {
  const segments = req.path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  const [first, second, third, fourth, ...rest] = segments;
  if (rest.length > 0) throw new FhirError('route-not-found', `Unknown FHIR path /${req.path}`);

  if (first === undefined) return dispatch({ GET: searchSystem, POST: bundle }, req, ctx, {}, 'the FHIR base', 'system');
  if (first === '_search' && !second) return dispatch({ POST: searchSystem }, req, ctx, {}, '_search', 'system');
  if (first === 'metadata' && !second) return dispatch({ GET: capabilities }, req, ctx, {}, 'metadata', 'metadata');
  if (first === '_history' && !second) return dispatch({ GET: history }, req, ctx, {}, 'system history', 'system-history');
  if (first.startsWith('$') && !second) return dispatch({ GET: operationHandler, POST: operationHandler }, req, ctx, { operation: first.slice(1) }, first, 'operation');

  checkType(first);
  const resourceType = first;
  if (second === undefined) {
    return dispatch({ GET: searchType, POST: create, PUT: conditionalWrite, DELETE: conditionalWrite, PATCH: conditionalWrite }, req, ctx, { resourceType }, resourceType, 'type');
  }
  if (second === '_search' && !third) return dispatch({ POST: searchType }, req, ctx, { resourceType }, `${resourceType}/_search`, 'type-search');
  if (second === '_history' && !third) return dispatch({ GET: history }, req, ctx, { resourceType }, `${resourceType}/_history`, 'type-history');
  if (second.startsWith('$') && !third) {
    return dispatch({ GET: operationHandler, POST: operationHandler }, req, ctx, { resourceType, operation: second.slice(1) }, second, 'operation');
  }
  checkId(resourceType, second);
  const id = second;
  if (third === undefined) {
    return dispatch({ GET: read, PUT: update, PATCH: patch, DELETE: remove }, req, ctx, { resourceType, id }, `${resourceType}/${id}`, 'instance');
  }
  if (third === '_history') {
    if (fourth === undefined) return dispatch({ GET: history }, req, ctx, { resourceType, id }, 'instance history', 'instance-history');
    return dispatch({ GET: vread }, req, ctx, { resourceType, id, versionId: fourth }, 'a version', 'version');
  }
  if (third.startsWith('$') && fourth === undefined) {
    return dispatch({ GET: operationHandler, POST: operationHandler }, req, ctx, { resourceType, id, operation: third.slice(1) }, third, 'operation');
  }
  // GET [base]/Patient/123/Observation and /Patient/123/* (http://hl7.org/fhir/R4/http.html#vsearch), and
  // the same as a form POST to …/_search (search.html#Introduction allows POST for every search).
  if (third === '*' && fourth === undefined) {
    return dispatch({ GET: searchCompartment(null) }, req, ctx, { resourceType, id }, `${resourceType}/${id}/*`, 'compartment', null);
  }
  if (third === '_search' && fourth === undefined) {
    return dispatch({ POST: searchCompartment(null) }, req, ctx, { resourceType, id }, `${resourceType}/${id}/_search`, 'compartment', null);
  }
  if (isResourceType(third) && (fourth === undefined || fourth === '_search')) {
    const routes = fourth === undefined ? { GET: searchCompartment(third) } : { POST: searchCompartment(third) };
    return dispatch(routes, req, ctx, { resourceType, id }, `${resourceType}/${id}/${third}`, 'compartment', third);
  }
  throw new FhirError('route-not-found', `Unknown FHIR path /${req.path}`);
}
