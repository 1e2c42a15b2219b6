// search-type — GET [type]?… and POST [type]/_search (http://hl7.org/fhir/R4/http.html#search),
// answered with a searchset Bundle (http://hl7.org/fhir/R4/search.html#return).
import { FhirError, issue } from '../outcome.ts';
import type { SearchParamType } from '../definitions/search-parameters.ts';
import type { Resource } from '../types.ts';
import type { SearchRequest } from '../search/search-request.ts';
import type { FhirRequest, Handler, RestContext } from './types.ts';

/** Parameter types the index and the SQL compiler implement; listed in the CapabilityStatement. */
export const supportedSearchTypes: ReadonlySet<SearchParamType> = new Set<SearchParamType>(
  ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri', 'special'],
);

/** Elements every `_elements` / `_summary` subset keeps (http://hl7.org/fhir/R4/search.html#elements). */
const alwaysKept = new Set(['resourceType', 'id', 'meta']);

function handling(req: FhirRequest): 'strict' | 'lenient' {
  return /(?:^|[;,\s])handling=lenient\b/.test(req.headers.prefer ?? '') ? 'lenient' : 'strict';
}

function subsetted(resource: Resource, keep: (key: string) => boolean): Resource {
  const out: Resource = { resourceType: resource.resourceType };
  for (const [k, v] of Object.entries(resource)) if (alwaysKept.has(k) || keep(k)) out[k] = v;
  // Mark the copy as incomplete (http://hl7.org/fhir/R4/search.html#summary).
  const tag = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
  out.meta = { ...(resource.meta ?? {}), tag: [...((resource.meta?.tag as unknown[]) ?? []), tag] };
  return out;
}

function shape(resource: Resource, request: SearchRequest): Resource {
  if (request.elements && request.elements.length > 0) {
    const wanted = new Set(request.elements.map((e) => e.replace(/^[A-Z][A-Za-z]+\./, '')));
    return subsetted(resource, (k) => wanted.has(k));
  }
  switch (request.summary) {
    case 'text': return subsetted(resource, (k) => k === 'text');
    case 'data': return subsetted(resource, (k) => k !== 'text');
    default: return resource;
  }
}

function pageUrl(ctx: RestContext, resourceType: string, query: URLSearchParams, offset: number | undefined): string {
  const q = new URLSearchParams(query);
  q.delete('_format');
  if (offset === undefined || offset === 0) q.delete('_offset');
  else q.set('_offset', String(offset));
  const text = q.toString();
  return `${ctx.baseUrl}/${resourceType}${text ? '?' + text : ''}`;
}

export const searchType: Handler = async (req, ctx, route) => {
  const resourceType = route.resourceType!;
  const result = await ctx.repo.search(resourceType, req.query, { handling: handling(req), baseUrl: ctx.baseUrl });
  const { request } = result;
  if (request.summary === 'true') {
    throw new FhirError('invalid-search', '_summary=true is not supported yet; use _elements, _summary=text, data or count');
  }
  const count = request.count ?? result.versions.length;
  const offset = request.offset ?? 0;
  const link = [{ relation: 'self', url: pageUrl(ctx, resourceType, req.query, offset) }];
  if (count > 0 && offset > 0) {
    link.push({ relation: 'first', url: pageUrl(ctx, resourceType, req.query, 0) });
    link.push({ relation: 'previous', url: pageUrl(ctx, resourceType, req.query, Math.max(0, offset - count)) });
  }
  if (result.hasMore) link.push({ relation: 'next', url: pageUrl(ctx, resourceType, req.query, offset + result.versions.length) });
  const entry: unknown[] = result.versions.map((v) => ({
    fullUrl: `${ctx.baseUrl}/${resourceType}/${v.id}`,
    resource: shape(JSON.parse(v.json!) as Resource, request),
    search: { mode: 'match' },
  }));
  if (request.ignored.length > 0) {
    // Parameters dropped under handling=lenient are reported back (http://hl7.org/fhir/R4/search.html#errors).
    entry.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: request.ignored.map((i) => issue('warning', 'not-supported', `Ignored search parameter ${i.name}: ${i.reason}`)),
      },
      search: { mode: 'outcome' },
    });
  }
  return {
    status: 200,
    headers: {},
    body: { resourceType: 'Bundle', type: 'searchset', ...(result.total !== undefined ? { total: result.total } : {}), link, entry },
  };
};
