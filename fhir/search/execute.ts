// Runs a search: URL query → SearchRequest (parse.ts) → SQL (sql.ts, paging.ts) → rows. Used by the
// REST search handlers and by conditional interactions, so both share one notion of "matches".
import { FhirError, isFhirError } from '../outcome.ts';
import type { Queryable } from '../storage/db.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';
import { compartment as compartmentOf } from '../definitions/compartments.ts';
import { authorize, type Access } from '../access.ts';
import { compartmentCondition, patientAccessCondition } from './compartment-sql.ts';
import { onlyVisible } from './visibility.ts';
import type { ResourceVersion } from '../types.ts';
import { parseSearch } from './parse.ts';
import { compileCount, compileSearch } from './sql.ts';
import type { IgnoredParameter, SearchRequest } from './search-request.ts';
import { decodeCursor, encodeCursor, keysetCondition, orderBy, sortKeys, sortSignature, type Cursor } from './paging.ts';
import { loadIncludes } from './include.ts';
import { resourceColumns, toVersion, type ResourceRow } from './rows.ts';

export interface SearchOptions {
  handling?: 'strict' | 'lenient';
  baseUrl?: string;
  /**
   * Only resources in the compartment of this resource (http://hl7.org/fhir/R4/compartmentdefinition.html).
   * `withOwner` adds the owner itself where its definition does not (Patient/$everything returns the patient).
   */
  compartment?: { resourceType: string; id: string; withOwner?: boolean };
  /** Also return every resource the page's resources refer to (`$everything`). */
  includeReferenced?: boolean;
  /** The caller's permissions: types searched, compartment bound (in the SQL), includes filtered. */
  access?: Access;
}

export interface SearchResult {
  request: SearchRequest;
  /** The matches of this page (search.mode = match). */
  versions: ResourceVersion[];
  /** `_include` / `_revinclude` results (search.mode = include), not counted in `total`. */
  included: ResourceVersion[];
  /** False when the server's include limits left some out. */
  includesComplete: boolean;
  /** Number of all matches, when asked for or free to know. */
  total?: number;
  /** Whether matches exist beyond this page. */
  hasMore: boolean;
  /** `_cursor` values of the next and previous page. */
  next?: string;
  previous?: string;
}

export interface Searcher {
  /** `resourceType` null: a system-level search over the types of `_type` (http://hl7.org/fhir/R4/http.html#search). */
  search(q: Queryable, resourceType: string | null, query: URLSearchParams, options?: SearchOptions): Promise<SearchResult>;
  /** The current resources matching the criteria, at most `limit` (strict parsing). */
  matches(q: Queryable, resourceType: string, criteria: URLSearchParams, limit: number): Promise<ResourceVersion[]>;
}

export const defaultPageSize = 20;
const maxPageSize = 1000;
/** Parameters every resource type has: the only ones a search across types can use (search.html#all). */
const commonParameters = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source',
  '_count', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_offset', '_format', '_pretty']);
const countPrefix = 'SELECT count(*)::integer AS total FROM fhir_resource r WHERE ';

interface Scope {
  /** Resource types searched; the WHERE clause matches any of them. */
  types: string[];
  system: boolean;
}

export function createSearcher(registry: SearchParameterRegistry, timeZone: string): Searcher {
  const lenientNote = (ignored: IgnoredParameter[], lenient: boolean, name: string, reason: string) => {
    if (!lenient) throw new FhirError('invalid-search', reason, { expression: [name] });
    ignored.push({ name, reason });
  };

  /**
   * Under lenient handling a malformed value is dropped like an unknown parameter
   * (http://hl7.org/fhir/R4/search.html#errors): parse, drop the parameter named in the error, retry.
   */
  function parse(resourceType: string, query: URLSearchParams, options: SearchOptions, ignored: IgnoredParameter[]): SearchRequest {
    const lenient = options.handling === 'lenient';
    const remaining = new URLSearchParams(query);
    for (;;) {
      try {
        const request = parseSearch(resourceType, remaining, registry, { timeZone, handling: options.handling, baseUrl: options.baseUrl });
        request.ignored.unshift(...ignored);
        return request;
      } catch (err) {
        const name = isFhirError(err) ? err.issues[0]?.expression?.[0] : undefined;
        if (!lenient || !isFhirError(err) || name === undefined || !remaining.has(name)) throw err;
        ignored.push({ name, reason: err.message });
        remaining.delete(name);
      }
    }
  }

  function scopeOf(resourceType: string | null, query: URLSearchParams, options: SearchOptions, ignored: IgnoredParameter[]): Scope {
    const lenient = options.handling === 'lenient';
    if (resourceType !== null) return { types: [resourceType], system: false };
    const owner = options.compartment ? compartmentOf(options.compartment.resourceType) : undefined;
    const withOwner = owner !== undefined && (owner.includesOwner || options.compartment?.withOwner === true);
    const allowed = owner
      ? [...new Set([...(withOwner ? [owner.resourceType] : []), ...owner.params.keys()])]
      : [...registry.resourceTypes];
    const types: string[] = [];
    for (const t of (query.getAll('_type').join(',')).split(',').map((s) => s.trim()).filter((s) => s)) {
      if (!allowed.includes(t)) lenientNote(ignored, lenient, `_type=${t}`, `${t} is not a resource type that can be searched here`);
      else {
        authorize(options.access, t, 'search');
        types.push(t);
      }
    }
    if (types.length > 0) return { types, system: true };
    // Without _type: every type the caller may search (none at all is a refusal, not an empty answer).
    const permitted = options.access ? allowed.filter((t) => options.access!.allows(t, 'search')) : allowed;
    if (permitted.length === 0) authorize(options.access, allowed[0] ?? '*', 'search');
    return { types: permitted, system: true };
  }

  function withoutScopeParameters(query: URLSearchParams, scope: Scope, options: SearchOptions, ignored: IgnoredParameter[]): URLSearchParams {
    const out = new URLSearchParams();
    for (const [name, value] of query) {
      if (name === '_cursor' || name === '_type') continue;
      if (scope.system && !commonParameters.has(name.split(':')[0]!)) {
        lenientNote(ignored, options.handling === 'lenient', name, `"${name}" is not a parameter common to all searched types`);
        continue;
      }
      out.append(name, value);
    }
    return out;
  }

  return {
    async search(q, resourceType, query, options = {}) {
      const lenient = options.handling === 'lenient';
      const ignored: IgnoredParameter[] = [];
      const scope = scopeOf(resourceType, query, options, ignored);
      const request = parse(scope.types[0]!, withoutScopeParameters(query, scope, options, ignored), options, ignored);
      if (scope.system) {
        for (const rule of request.sort.filter((r) => r.param !== undefined)) {
          lenientNote(request.ignored, lenient, `_sort=${rule.code}`, `Sorting by "${rule.code}" needs a single resource type`);
        }
        request.sort = request.sort.filter((r) => r.param === undefined);
      }

      // The WHERE of sql.ts, for our own ordering and keyset conditions around it.
      const counted = compileCount(request);
      if (!counted.text.startsWith(countPrefix)) throw new Error('compileCount changed shape; execute.ts reads its WHERE clause');
      let where = counted.text.slice(countPrefix.length);
      const values = [...counted.values];
      const bind = (v: unknown) => { values.push(v); return `$${values.length}`; };
      if (scope.types.length > 1 || scope.system) {
        if (!where.startsWith('r.resource_type = $1')) throw new Error('sql.ts no longer starts its WHERE with the resource type');
        where = `r.resource_type = ANY($1::text[])${where.slice('r.resource_type = $1'.length)}`;
        values[0] = scope.types;
      }
      if (options.compartment) where += ` AND ${compartmentCondition(options.compartment, scope.types, bind)}`;
      if (options.access?.patients) where += ` AND ${patientAccessCondition(options.access.patients, scope.types, bind, options.access.openTypes)}`;
      const whereValues = [...values]; // the count needs only these; paging binds more below

      const keys = sortKeys(request.sort, bind, scope.types.length > 1 || scope.system);
      const signature = sortSignature(request.sort);
      let cursor: Cursor | undefined;
      const cursorText = query.get('_cursor');
      if (cursorText) {
        try {
          cursor = decodeCursor(cursorText, signature, keys.length);
        } catch (err) {
          if (!lenient) throw err;
          request.ignored.push({ name: '_cursor', reason: (err as Error).message });
        }
      }

      const count = Math.min(request.count ?? defaultPageSize, maxPageSize);
      const summaryCount = request.summary === 'count';
      let versions: ResourceVersion[] = [];
      let hasMore = false;
      let next: string | undefined;
      let previous: string | undefined;
      const firstPage = !cursor && !(request.offset ?? 0);
      // On the first page the total is counted in the same pass as the page (a window over the
      // matches); later pages reuse the figure carried in their cursor instead of counting again.
      const countWithPage = firstPage && request.total !== 'none' && request.total !== 'estimate';
      let total: number | undefined = request.total === 'none' ? undefined : cursor?.total;
      if (!summaryCount && count > 0) {
        const reverse = cursor?.direction === 'p';
        const conditions = cursor ? ` AND ${keysetCondition(keys, cursor, bind)}` : '';
        // One row more than the page tells whether another page exists, without counting.
        const limit = bind(count + 1);
        const offset = !cursor && request.offset ? ` OFFSET ${bind(request.offset)}` : '';
        // Keys first, content after: the page is chosen over narrow rows, and only the rows shown are
        // turned into JSON text.
        const text = `SELECT r.resource_type, r.id, ${keys.map((_, i) => `k.k${i}::text AS k${i}`).join(', ')}${countWithPage ? ', count(*) OVER () AS total' : ''}
          FROM fhir_resource r CROSS JOIN LATERAL (SELECT ${keys.map((k, i) => `${k.expression} AS k${i}`).join(', ')}) k
          WHERE ${where}${conditions} ORDER BY ${orderBy(keys, reverse)} LIMIT ${limit}${offset}`;
        let rows = (await q.query<KeyRow>(text, values)).rows;
        if (countWithPage) total = rows.length > 0 ? Number(rows[0]!.total) : (request.offset ? undefined : 0);
        const more = rows.length > count;
        rows = rows.slice(0, count);
        if (reverse) rows.reverse();
        const keyValues = (row: KeyRow) => keys.map((_, i) => ((row as unknown as Record<string, string | null>)[`k${i}`] ?? null));
        const first = rows[0];
        const last = rows[rows.length - 1];
        hasMore = reverse ? rows.length > 0 : more;
        if (last && hasMore) next = encodeCursor({ direction: 'n', values: keyValues(last), total }, signature);
        const before = reverse ? more : cursor !== undefined || (request.offset ?? 0) > 0;
        if (first && before) previous = encodeCursor({ direction: 'p', values: keyValues(first), total }, signature);
        versions = await loadVersions(q, rows);
      }

      if (request.total === 'none') {
        total = undefined;
      } else if (total !== undefined) {
        // counted with the first page, or carried by the cursor
      } else if (firstPage && !hasMore && !summaryCount && count > 0) {
        total = versions.length; // everything fit on the first page: the count is free
      } else if (request.total === 'estimate') {
        total = await estimate(q, where, whereValues);
      } else {
        total = Number((await q.query<{ total: number }>(`SELECT count(*)::integer AS total FROM fhir_resource r WHERE ${where}`, whereValues)).rows[0]!.total);
      }
      const included = versions.length > 0 && (request.include.length > 0 || request.revinclude.length > 0 || options.includeReferenced)
        ? await loadIncludes(q, { include: request.include, revinclude: request.revinclude, allReferences: options.includeReferenced }, versions)
        : { resources: [], complete: true };
      included.resources = await onlyVisible(q, options.access, included.resources);
      return { request, versions, included: included.resources, includesComplete: included.complete, total, hasMore, next, previous };
    },
    async matches(q, resourceType, criteria, limit) {
      const request = parseSearch(resourceType, criteria, registry, { timeZone, handling: 'strict' });
      const sql = compileSearch({ ...request, count: limit, offset: 0, sort: [] }, { columns: resourceColumns });
      return (await q.query<ResourceRow>(sql.text, sql.values)).rows.map(toVersion);
    },
  };
}

interface KeyRow { resource_type: string; id: string; total?: string | number }

/** The stored versions of the page's rows, in the page's order. */
async function loadVersions(q: Queryable, rows: KeyRow[]): Promise<ResourceVersion[]> {
  if (rows.length === 0) return [];
  const found = (await q.query<ResourceRow>(`SELECT ${resourceColumns} FROM fhir_resource r
      WHERE (r.resource_type, r.id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
  [rows.map((r) => r.resource_type), rows.map((r) => r.id)])).rows;
  const byKey = new Map(found.map((r) => [`${r.resource_type}/${r.id}`, r]));
  return rows.map((r) => byKey.get(`${r.resource_type}/${r.id}`)).filter((r): r is ResourceRow => r !== undefined).map(toVersion);
}

/** `_total=estimate`: the planner's row estimate (http://hl7.org/fhir/R4/search.html#total). */
async function estimate(q: Queryable, where: string, values: unknown[]): Promise<number> {
  const rows = (await q.query<Record<string, unknown>>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM fhir_resource r WHERE ${where}`, values)).rows;
  const raw = rows[0] ? Object.values(rows[0])[0] : undefined;
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[] | undefined;
  return Math.max(0, Math.round(plan?.[0]?.Plan?.['Plan Rows'] ?? 0));
}
