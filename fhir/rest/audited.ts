// Audit of every request the engine answers (http://hl7.org/fhir/R4/auditevent.html; IHE Basic Audit
// Log Patterns). The engine knows what a request touched; the caller's Auditor knows who asked and
// turns that into an AuditEvent. A write's AuditEvent is created in the write's own database
// transaction, so no change can commit without its record; reads and failures hand theirs to the
// Auditor to store in batches, off the answer's path.
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';
import type { FhirRequest, FhirResponse, RestContext, TouchedResource } from './types.ts';

export interface InteractionRecord {
  request: FhirRequest;
  /** HTTP status of the answer (for failures, the error's). */
  status: number;
  error?: FhirError;
  /** Resources read or written, in the order they were met. */
  touched: TouchedResource[];
}

export interface Auditor {
  /** The AuditEvents a write commits with (several when it touched several patients' records). */
  events(record: InteractionRecord): Resource[];
  /** Records a read or a failure later, off the answer's path. */
  later(record: InteractionRecord): void;
}

type Route = (req: FhirRequest, ctx: RestContext) => Promise<FhirResponse>;

/**
 * Requests that change data and run in one transaction: creates, updates, patches, deletes and
 * transaction Bundles. A batch is not one of them — each of its entries is audited on its own.
 */
function isWrite(req: FhirRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false; // most requests: decided at once
  const path = req.path.replace(/\/+$/, '');
  if (path.split('/').some((s) => s.startsWith('$') || s === '_search')) return false;
  if (req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE') return true;
  if (path === '') return (req.body as Resource | undefined)?.type === 'transaction';
  return !path.includes('/');
}

function isBatch(req: FhirRequest): boolean {
  return req.method === 'POST' && (req.body as Resource | undefined)?.type === 'batch' && req.path.replace(/\/+$/, '') === '';
}

export function audited(route: Route, auditor: Auditor): Route {
  const self: Route = async (req, outer) => {
    if (isBatch(req)) return route(req, { ...outer, dispatch: self });
    const write = isWrite(req);
    let trail = { resources: [] as TouchedResource[] };
    try {
      if (!write) {
        const response = await route(req, { ...outer, trail });
        auditor.later({ request: req, status: response.status, touched: trail.resources });
        return response;
      }
      return await outer.repo.transaction(async (repo) => {
        trail = { resources: [] }; // a retried transaction starts over
        const response = await route(req, { ...outer, repo, trail });
        for (const event of auditor.events({ request: req, status: response.status, touched: trail.resources })) await repo.create(event);
        return response;
      });
    } catch (err) {
      const error = err instanceof FhirError ? err : undefined;
      // A failed write rolled back: the versions it staged were never stored, so none are named.
      const touched = write ? [] : trail.resources;
      auditor.later({ request: req, status: error?.status ?? 500, error, touched });
      throw err;
    }
  };
  return self;
}
