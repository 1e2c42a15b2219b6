// The one storage interface of the engine (read, vread, create, update, delete, history, search,
// transaction). REST handlers, operations and importers use only this.
import type { Resource, ResourceVersion, HistoryEntry } from '../types.ts';
import type { SearchOptions, SearchResult } from '../search/execute.ts';
import type { Access } from '../access.ts';
import type { Queryable } from './db.ts';

export type WriteOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'existing';

export interface WriteResult {
  outcome: WriteOutcome;
  version: ResourceVersion;
}

export interface UpdateOptions {
  /** Expected current version (If-Match); a different current version is a 412. */
  ifMatch?: number;
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** Only versions with lastUpdated ≥ since (http://hl7.org/fhir/R4/http.html#history). */
  since?: string;
  count: number;
  /** Continue after this position (from a previous page). */
  before?: string;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Position for the next page, absent on the last page. */
  next?: string;
  total?: number;
}

/** Search criteria as URL query parameters, e.g. `identifier=http://x|123`. */
export type SearchParams = URLSearchParams;


export interface Repository {
  read(resourceType: string, id: string): Promise<ResourceVersion>;
  vread(resourceType: string, id: string, versionId: number): Promise<ResourceVersion>;
  /**
   * Server-assigned id (any id in the body is ignored, http://hl7.org/fhir/R4/http.html#create).
   * `assignedId` is for transactions, which must know the ids of new resources before writing them.
   */
  create(resource: Resource, options?: { assignedId?: string }): Promise<WriteResult>;
  /**
   * Create unless `criteria` matches: one match returns it (`existing`), several are a 412.
   * Race-safe: concurrent calls with the same criteria serialise on a database lock.
   */
  conditionalCreate(resource: Resource, criteria: SearchParams): Promise<WriteResult>;
  /** Update or create with the client's id. */
  update(resource: Resource, options?: UpdateOptions): Promise<WriteResult>;
  conditionalUpdate(resource: Resource, criteria: SearchParams, options?: UpdateOptions): Promise<WriteResult>;
  delete(resourceType: string, id: string, options?: UpdateOptions): Promise<WriteResult | null>;
  conditionalDelete(resourceType: string, criteria: SearchParams): Promise<WriteResult | null>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  /**
   * A search (http://hl7.org/fhir/R4/search.html) over current resources of one type, or with
   * `resourceType` null over the types named by `_type` (system-level search).
   */
  search(resourceType: string | null, query: URLSearchParams, options?: SearchOptions): Promise<SearchResult>;
  /**
   * Current versions matching the criteria (at most `limit`). With `lock`, inside a transaction,
   * concurrent conditional writes with the same criteria wait for this transaction to end.
   */
  findMatches(resourceType: string, criteria: SearchParams, limit: number, options?: { lock?: boolean }): Promise<ResourceVersion[]>;
  /**
   * Runs `fn` in one database transaction: all of its writes commit together or not at all. `sql`
   * queries the same transaction (after writing what `repo` has buffered), for a host's own tables.
   */
  transaction<T>(fn: (repo: Repository, sql: Queryable) => Promise<T>): Promise<T>;
  /** Rebuilds the search index of every current resource of the type; returns how many. */
  reindex(resourceType: string): Promise<number>;
  /** Keys (`Type/id`) of those of `items` the caller may see (search/visibility.ts), read in this transaction. */
  visible(access: Access, items: readonly { resourceType: string; id: string }[]): Promise<Set<string>>;
  /** Loads the current rows of these resources (locked for update) so later writes need no round trip. */
  prefetch(keys: { resourceType: string; id: string }[]): Promise<void>;
}
