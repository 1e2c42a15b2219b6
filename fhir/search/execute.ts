// Runs a search: URL query → SearchRequest (parse.ts) → SQL (sql.ts) → rows. Used by the REST
// search handler and by conditional interactions, so both share one notion of "matches".
import type { Queryable } from '../storage/db.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';
import type { ResourceVersion } from '../types.ts';
import { parseSearch } from './parse.ts';
import { compileCount, compileSearch } from './sql.ts';
import type { SearchRequest } from './search-request.ts';

export interface SearchOptions {
  handling?: 'strict' | 'lenient';
  baseUrl?: string;
}

export interface SearchResult {
  request: SearchRequest;
  versions: ResourceVersion[];
  /** Number of all matches, when asked for or free to know. */
  total?: number;
  /** Whether matches exist beyond this page. */
  hasMore: boolean;
}

export interface Searcher {
  search(q: Queryable, resourceType: string, query: URLSearchParams, options?: SearchOptions): Promise<SearchResult>;
  /** Ids of the current resources matching the criteria, at most `limit` (strict parsing). */
  matchIds(q: Queryable, resourceType: string, criteria: URLSearchParams, limit: number): Promise<string[]>;
}

// The stored JSONB with `resourceType` first again (jsonb keeps keys in its own order).
const columns = `r.id, r.version_id, r.last_updated,
  '{"resourceType":' || to_json(r.resource_type)::text || ',' || substr((r.content - 'resourceType')::text, 2) AS json`;

interface Row { id: string; version_id: number; last_updated: Date | string; json: string }

export const defaultPageSize = 20;

export function createSearcher(registry: SearchParameterRegistry, timeZone: string): Searcher {
  return {
    async search(q, resourceType, query, options = {}) {
      const request = parseSearch(resourceType, query, registry, { timeZone, handling: options.handling, baseUrl: options.baseUrl });
      const count = request.count ?? defaultPageSize;
      const summaryCount = request.summary === 'count';
      let versions: ResourceVersion[] = [];
      let hasMore = false;
      if (!summaryCount && count > 0) {
        // One row more than the page tells whether a next page exists without counting.
        const page = compileSearch({ ...request, count: count + 1 }, { columns, maxCount: 1001 });
        const rows = (await q.query<Row>(page.text, page.values)).rows;
        hasMore = rows.length > count;
        versions = rows.slice(0, count).map((r) => ({
          resourceType, id: r.id, versionId: r.version_id, deleted: false, json: r.json,
          lastUpdated: r.last_updated instanceof Date ? r.last_updated.toISOString() : new Date(r.last_updated).toISOString(),
        }));
      }
      let total: number | undefined;
      if (request.total !== 'none' && (summaryCount || request.total === 'accurate' || request.total === 'estimate' || hasMore || (request.offset ?? 0) > 0 || count === 0)) {
        const c = compileCount(request);
        total = Number((await q.query<{ total: number }>(c.text, c.values)).rows[0].total);
      } else if (request.total !== 'none') {
        total = versions.length; // everything fit on the first page
      }
      return { request, versions, total, hasMore };
    },
    async matchIds(q, resourceType, criteria, limit) {
      const request = parseSearch(resourceType, criteria, registry, { timeZone, handling: 'strict' });
      const sql = compileSearch({ ...request, count: limit, offset: 0, sort: [] }, { columns: 'r.id' });
      return (await q.query<{ id: string }>(sql.text, sql.values)).rows.map((r) => r.id);
    },
  };
}
