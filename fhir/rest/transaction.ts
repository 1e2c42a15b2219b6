// transaction — http://hl7.org/fhir/R4/http.html#transaction: all entries succeed or none does, in one
// database transaction. Processing order (http://hl7.org/fhir/R4/http.html#trules): DELETE, POST,
// PUT/PATCH, then GET/HEAD; ids are settled first so that `urn:uuid:` and conditional references
// (`Patient?identifier=…`) resolve to their final targets before anything is written.
import { randomUUID } from 'node:crypto';
import { FhirError } from '../outcome.ts';
import { isResourceType } from '../definitions/structure.ts';
import type { Repository } from '../storage/repository.ts';
import type { Resource } from '../types.ts';
import { bundleEntries, parseEntryRequest, responseEntry, toFhirRequest, type EntryRequest } from './bundle-entry.ts';
import { writeResponse, versionHeaders } from './headers.ts';
import { touched } from './types.ts';
import { requireResource } from './body.ts';
import { criteriaFromQueryString } from './criteria.ts';
import { guardTransactionWrites } from './guard.ts';
import type { FhirRequest, FhirResponse, RestContext } from './types.ts';

type Route = (req: FhirRequest, ctx: RestContext) => Promise<FhirResponse>;

const phase: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface Planned extends EntryRequest {
  resourceType?: string;
  /** For POST: the id the new resource gets, or the existing match of If-None-Exist. */
  id?: string;
  existing?: boolean;
}

export async function transaction(bundle: Resource, req: FhirRequest, ctx: RestContext, route: Route): Promise<FhirResponse> {
  const parsed = bundleEntries(bundle).map((entry, i) => parseEntryRequest(entry, i, ctx));
  guardTransactionWrites(ctx, parsed);
  const responses = await ctx.repo.transaction(async (repo) => {
    // Planning mutates entries; start from fresh copies so that a retried transaction starts clean.
    const entries: Planned[] = parsed.map((e) => ({ ...e, query: new URLSearchParams(e.query), entry: { ...e.entry } }));
    const txCtx: RestContext = { ...ctx, repo };
    const references = new Map<string, string>();
    await withEntry(entries, (e) => settleIdentity(e, repo, references));
    checkDuplicates(entries);
    await repo.prefetch(entries.filter((e) => e.method === 'PUT' && e.id).map((e) => ({ resourceType: e.resourceType!, id: e.id! })));
    const conditionalCache = new Map<string, string>();
    await withEntry(entries, async (e) => {
      if (e.entry.resource) e.entry.resource = await rewriteReferences(e.entry.resource, references, repo, conditionalCache);
    });
    const ordered = [...entries].sort((a, b) => phase[a.method] - phase[b.method] || a.index - b.index);
    const out: FhirResponse[] = new Array(entries.length);
    await withEntry(ordered, async (e) => {
      out[e.index] = e.method === 'POST' ? await createEntry(e, req, txCtx) : await route(toFhirRequest(e, req.headers.prefer), txCtx);
    });
    return out;
  });
  return {
    status: 200,
    headers: {},
    body: { resourceType: 'Bundle', type: 'transaction-response', entry: responses.map((r) => responseEntry(r, ctx)) },
  };
}

/** Runs `fn` on each entry in turn; an error names the entry it came from. */
async function withEntry(entries: Planned[], fn: (e: Planned) => Promise<void>): Promise<void> {
  for (const e of entries) {
    try {
      await fn(e);
    } catch (err) {
      if (err instanceof FhirError) {
        const where = `Bundle.entry[${e.index}]`;
        err.issues.forEach((i) => {
          i.expression = (i.expression ?? [where]).map((x) => (x.startsWith('Bundle.entry') ? x : `${where}.resource.${x.replace(/^[A-Z][A-Za-z]+\.?/, '')}`.replace(/\.$/, '')));
          if (i.details) i.details.text = `Entry ${e.index} (${e.method} ${e.entry.request?.url}): ${i.details.text}`;
        });
      }
      throw err;
    }
  }
}

async function settleIdentity(e: Planned, repo: Repository, references: Map<string, string>): Promise<void> {
  const [type, id, ...rest] = e.path.split('/');
  if (!isResourceType(type)) throw new FhirError('unknown-type', `${type} is not a FHIR R4 resource type`);
  if (e.method === 'POST' && (id !== undefined || rest.length > 0) && !id?.startsWith('$')) {
    throw new FhirError('invalid-request', `POST in a transaction creates: its url must be a resource type, not ${e.path}`);
  }
  e.resourceType = type;
  if (e.method === 'POST') {
    requireResource(e.entry.resource, type);
    if (e.entry.request?.ifNoneExist) {
      const matches = await repo.findMatches(type, criteriaFromQueryString(e.entry.request.ifNoneExist, type), 2, { lock: true });
      if (matches.length > 1) throw new FhirError('multiple-matches', `If-None-Exist matches several ${type} resources`);
      e.existing = matches.length === 1;
      e.id = matches[0]?.id ?? randomUUID();
    } else {
      e.id = randomUUID();
    }
  } else if (e.method === 'PUT' && id === undefined && e.query.size > 0) {
    // Conditional update: settle which resource it addresses now, then treat it as a plain update.
    const matches = await repo.findMatches(type, e.query, 2, { lock: true });
    if (matches.length > 1) throw new FhirError('multiple-matches', `The conditional update matches several ${type} resources`);
    e.id = matches[0]?.id ?? e.entry.resource?.id ?? randomUUID();
    e.path = `${type}/${e.id}`;
    e.query = new URLSearchParams();
    e.entry.resource = { ...e.entry.resource!, id: e.id };
  } else if (e.method === 'PUT') {
    e.id = id;
  }
  if (e.entry.fullUrl && e.id && (e.method === 'POST' || e.method === 'PUT')) {
    references.set(e.entry.fullUrl, `${type}/${e.id}`);
  }
}

/** Two entries writing the same resource make the outcome depend on order: the spec forbids it. */
function checkDuplicates(entries: Planned[]): void {
  const seen = new Map<string, number>();
  for (const e of entries) {
    if (!e.id || (e.method !== 'PUT' && e.method !== 'POST') || e.existing) continue;
    const k = `${e.resourceType}/${e.id}`;
    if (seen.has(k)) {
      throw new FhirError('invalid-request', `Entries ${seen.get(k)} and ${e.index} both write ${k}`, { expression: [`Bundle.entry[${e.index}]`] });
    }
    seen.set(k, e.index);
  }
}

async function createEntry(e: Planned, req: FhirRequest, ctx: RestContext): Promise<FhirResponse> {
  if (e.existing) {
    const version = await ctx.repo.read(e.resourceType!, e.id!);
    touched(ctx, [version]);
    return { status: 200, headers: versionHeaders(version, ctx), json: version.json };
  }
  const resource = requireResource(e.entry.resource, e.resourceType!);
  const result = await ctx.repo.create(resource, { assignedId: e.id });
  return writeResponse(req, ctx, result.version, 201, `Created ${e.resourceType}/${e.id}`);
}

/** Replaces `reference` values that name other entries (by fullUrl) or a search (`Type?criteria`). */
async function rewriteReferences(
  resource: Resource, references: Map<string, string>, repo: Repository, cache: Map<string, string>,
): Promise<Resource> {
  const conditional = new Set<string>();
  const result = mapReferences(resource, (v) => {
    const mapped = references.get(v);
    if (mapped) return mapped;
    if (v.startsWith('urn:uuid:') || v.startsWith('urn:oid:')) {
      throw new FhirError('invalid-resource', `The reference ${v} names no entry of this transaction`);
    }
    if (/^[A-Z][A-Za-z]+\?/.test(v)) conditional.add(v);
    return v;
  }) as Resource;
  if (conditional.size === 0) return result;
  for (const ref of conditional) {
    if (cache.has(ref)) continue;
    const [type, query] = [ref.slice(0, ref.indexOf('?')), ref.slice(ref.indexOf('?') + 1)];
    const matches = await repo.findMatches(type, new URLSearchParams(query), 2);
    if (matches.length !== 1) {
      throw new FhirError(matches.length === 0 ? 'unprocessable' : 'multiple-matches',
        `The conditional reference ${ref} matches ${matches.length === 0 ? 'no' : 'several'} resources`);
    }
    cache.set(ref, `${type}/${matches[0].id}`);
  }
  return mapReferences(result, (v) => cache.get(v) ?? v) as Resource;
}

/** A copy of `node` with every `reference` string passed through `map`. */
function mapReferences(node: unknown, map: (reference: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => mapReferences(n, map));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    out[k] = k === 'reference' && typeof v === 'string' ? map(v) : mapReferences(v, map);
  }
  return out;
}
