// history — instance, type and system level (http://hl7.org/fhir/R4/http.html#history):
// newest first, `_since`, `_count`, keyset paging by an opaque position (stable while data changes).
import { FhirError } from '../outcome.ts';
import type { HistoryEntry } from '../types.ts';
import { touched, type FhirRequest, type Handler, type RestContext } from './types.ts';

const defaultCount = 50;
const maxCount = 1000;

export function parseCount(value: string | null, fallback = defaultCount): number {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value)) throw new FhirError('invalid-request', `_count must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Math.min(Number(value), maxCount);
}

function parseInstant(value: string | null, name: string): string | undefined {
  if (value === null) return undefined;
  // _since is an instant (http://hl7.org/fhir/R4/http.html#history); be lenient about precision.
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new FhirError('invalid-request', `${name} must be an instant like 2024-01-31T08:00:00Z, got ${JSON.stringify(value)}`);
  }
  return new Date(value).toISOString();
}

export const history: Handler = async (req, ctx, route) => {
  for (const name of req.query.keys()) {
    if (!['_since', '_count', '_page', '_format', '_pretty', '_at', '_list', '_sort'].includes(name)) {
      throw new FhirError('invalid-request', `History does not take the parameter ${name}`);
    }
  }
  const count = parseCount(req.query.get('_count'));
  const before = req.query.get('_page') ?? undefined;
  if (before !== undefined && !/^\d{1,19}$/.test(before)) throw new FhirError('invalid-request', '_page is not a valid page position');
  if (route.id) await ctx.repo.read(route.resourceType!, route.id).catch((err) => {
    if (!(err instanceof FhirError) || err.code !== 'deleted') throw err; // a deleted resource still has history
  });
  const page = await ctx.repo.history({
    resourceType: route.resourceType, id: route.id, since: parseInstant(req.query.get('_since'), '_since'), count, before,
  });
  const entries = await permitted(ctx, page.entries);
  touched(ctx, entries.filter((e) => !e.deleted));
  return { status: 200, headers: {}, body: historyBundle(req, ctx, route.resourceType, route.id, entries, page.next) };
};

/**
 * Type and system history hold versions of resources the caller may not see: those of types they may
 * not read the history of, and (for patient-level callers) those outside their compartments, judged by
 * the resource's current version. A page can come out shorter than `_count`; paging is unaffected.
 */
async function permitted(ctx: RestContext, entries: HistoryEntry[]): Promise<HistoryEntry[]> {
  const access = ctx.access;
  if (!access) return entries;
  const allowed = entries.filter((e) => access.allows(e.resourceType, 'history'));
  if (access.patients === undefined) return allowed;
  const visible = await ctx.repo.visible(access, allowed);
  return allowed.filter((e) => visible.has(`${e.resourceType}/${e.id}`));
}

function historyBundle(req: FhirRequest, ctx: RestContext, type: string | undefined, id: string | undefined, entries: HistoryEntry[], next?: string) {
  const path = [type, id, '_history'].filter(Boolean).join('/');
  const self = new URLSearchParams(req.query);
  const link = [{ relation: 'self', url: `${ctx.baseUrl}/${path}${self.size ? '?' + self : ''}` }];
  if (next) {
    const nextQuery = new URLSearchParams(req.query);
    nextQuery.set('_page', next);
    link.push({ relation: 'next', url: `${ctx.baseUrl}/${path}?${nextQuery}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'history',
    link,
    entry: entries.map((e) => {
      const url = `${e.resourceType}/${e.id}`;
      return {
        fullUrl: `${ctx.baseUrl}/${url}`,
        ...(e.json ? { resource: JSON.parse(e.json) } : {}),
        request: { method: e.method, url: e.method === 'POST' ? e.resourceType : url },
        response: {
          status: e.deleted ? '204 No Content' : e.versionId === 1 ? '201 Created' : '200 OK',
          etag: `W/"${e.versionId}"`,
          lastModified: e.lastUpdated,
        },
      };
    }),
  };
}
