// search-type — GET [type]?… and POST [type]/_search (http://hl7.org/fhir/R4/http.html#search),
// answered with a searchset Bundle (http://hl7.org/fhir/R4/search.html#return). The Bundle
// building here is shared by system, compartment and `$everything` searches.
import { randomUUID } from 'node:crypto';
import { issue } from '../outcome.ts';
import type { SearchParamType } from '../definitions/search-parameters.ts';
import type { Resource } from '../types.ts';
import type { SearchOptions, SearchResult } from '../search/execute.ts';
import { shapeResource } from '../search/summary.ts';
import { maxIncluded, maxIterations } from '../search/include.ts';
import { touched, type FhirRequest, type FhirResponse, type Handler, type RestContext } from './types.ts';

/** Parameter types the index and the SQL compiler implement; listed in the CapabilityStatement. */
export const supportedSearchTypes: ReadonlySet<SearchParamType> = new Set<SearchParamType>(
  ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri', 'composite'],
);

/**
 * Lenient unless the client asks for `Prefer: handling=strict` (http://hl7.org/fhir/R4/search.html#errors):
 * unknown and malformed parameters are then ignored and reported in an outcome entry.
 */
export function handling(req: FhirRequest): 'strict' | 'lenient' {
  return /(?:^|[;,\s])handling=strict\b/.test(req.headers.prefer ?? '') ? 'strict' : 'lenient';
}

/**
 * The query as the server understood it: without ignored parameters (search.html#errors: the self
 * link "SHOULD only include parameters that were actually used"), `_sort` as applied, paging replaced.
 */
function linkQuery(query: URLSearchParams, result: SearchResult, cursor: string | undefined, keepOffset: boolean): URLSearchParams {
  const ignored = new Set(result.request.ignored.map((i) => i.name));
  const out = new URLSearchParams();
  let sortDone = false;
  for (const [name, value] of query) {
    if (name === '_format' || name === '_cursor' || (name === '_offset' && !keepOffset)) continue;
    if (ignored.has(name) || ignored.has(`${name}=${value}`)) continue;
    if (name === '_type') {
      const kept = value.split(',').filter((t) => !ignored.has(`_type=${t.trim()}`));
      if (kept.length > 0) out.append(name, kept.join(','));
      continue;
    }
    if (name === '_sort') {
      const sort = result.request.sort.map((r) => `${r.descending ? '-' : ''}${r.code}`).join(',');
      if (!sortDone && sort) out.append(name, sort);
      sortDone = true;
      continue;
    }
    out.append(name, value);
  }
  if (cursor) out.set('_cursor', cursor);
  return out;
}

function url(ctx: RestContext, path: string, query: URLSearchParams): string {
  const text = query.toString();
  return `${ctx.baseUrl}${path ? '/' + path : ''}${text ? '?' + text : ''}`;
}

/** The searchset Bundle for one page of `result`; `path` is the searched URL below the base. */
export function searchsetResponse(ctx: RestContext, path: string, req: FhirRequest, result: SearchResult): FhirResponse {
  const { request } = result;
  touched(ctx, result.versions);
  touched(ctx, result.included);
  const link = [{ relation: 'self', url: url(ctx, path, linkQuery(req.query, result, req.query.get('_cursor') ?? undefined, true)) }];
  if (result.previous) {
    link.push({ relation: 'first', url: url(ctx, path, linkQuery(req.query, result, undefined, false)) });
    link.push({ relation: 'previous', url: url(ctx, path, linkQuery(req.query, result, result.previous, false)) });
  }
  if (result.next) link.push({ relation: 'next', url: url(ctx, path, linkQuery(req.query, result, result.next, false)) });
  // Without subsetting, stored resources go into the Bundle as the text they are stored as: no
  // parse and re-serialise per entry.
  const asStored = !(request.elements && request.elements.length > 0) && (request.summary === undefined || request.summary === 'false');
  const entry: unknown[] = [];
  for (const [versions, mode] of [[result.versions, 'match'], [result.included, 'include']] as const) {
    for (const v of versions) {
      entry.push({
        fullUrl: `${ctx.baseUrl}/${v.resourceType}/${v.id}`,
        resource: asStored ? new StoredJson(v.json!) : shapeResource(JSON.parse(v.json!) as Resource, request),
        search: { mode },
      });
    }
  }
  // Parameters the server did not use, and includes a limit cut short, are reported back
  // (http://hl7.org/fhir/R4/search.html#errors, #include).
  const notes = request.ignored.map((i) => issue('warning', 'not-supported', `Ignored search parameter ${i.name}: ${i.reason}`, [i.name]));
  if (!result.includesComplete) {
    notes.push(issue('warning', 'too-costly',
      `Included resources were limited to ${maxIncluded} per page and ${maxIterations} levels of :iterate; some were left out`));
  }
  if (notes.length > 0) entry.push({ resource: { resourceType: 'OperationOutcome', issue: notes }, search: { mode: 'outcome' } });
  const bundle = { resourceType: 'Bundle', type: 'searchset', ...(result.total !== undefined ? { total: result.total } : {}), link, entry };
  return { status: 200, headers: {}, json: serialise(bundle) };
}

/** A stored resource's JSON text, spliced into the Bundle text as it is. */
class StoredJson {
  constructor(readonly text: string) {}
}

// A NUL and a per-process random nonce: no client-supplied string can equal a placeholder.
const nonce = randomUUID();
const marker = `\u0000${nonce}:`;

function serialise(bundle: unknown): string {
  const stored: string[] = [];
  const text = JSON.stringify(bundle, (_key, value) => {
    if (value instanceof StoredJson) {
      stored.push(value.text);
      return `${marker}${stored.length - 1}`;
    }
    return value;
  });
  const placeholder = new RegExp(`"\\\\u0000${nonce}:(\\d+)"`, 'g');
  return stored.length === 0 ? text : text.replace(placeholder, (_m, i: string) => stored[Number(i)]!);
}

export function searchOptions(req: FhirRequest, ctx: RestContext): SearchOptions {
  return { handling: handling(req), baseUrl: ctx.baseUrl, access: ctx.access };
}

export const searchType: Handler = async (req, ctx, route) => {
  const resourceType = route.resourceType!;
  const result = await ctx.repo.search(resourceType, req.query, searchOptions(req, ctx));
  return searchsetResponse(ctx, resourceType, req, result);
};
