// The Repository on PostgreSQL / PGlite: JSONB rows in fhir_resource (current) and
// fhir_resource_history (every version), index rows replaced in the same transaction.
import { visibleKeys } from '../search/visibility.ts';
import type { Access } from '../access.ts';
import { randomUUID, createHash } from 'node:crypto';
import type { Database, Queryable } from './db.ts';
import type {
  Repository, WriteResult, UpdateOptions, HistoryQuery, HistoryPage, SearchParams,
} from './repository.ts';
import { flushWrites, type PendingWrite } from './write-buffer.ts';
import type { WriteChange, WriteHooks } from './write-hooks.ts';
import type { IndexRows } from '../search/index-rows.ts';
import type { Resource, ResourceVersion, HistoryEntry } from '../types.ts';
import { FhirError, type OutcomeIssue } from '../outcome.ts';
import { sameContent } from './same-content.ts';
import { storedJson } from './stored-json.ts';
import type { Searcher, SearchOptions, SearchResult } from '../search/execute.ts';

export type Validator = (resource: unknown) => OutcomeIssue[];
export type Indexer = (resource: Resource) => IndexRows;

export interface PgRepositoryOptions {
  db: Database;
  validate: Validator;
  index: Indexer;
  searcher: Searcher;
  now?: () => Date;
  /** Told how many versions each committed transaction wrote (statistics upkeep). */
  onCommitted?: (versions: number) => void;
  /** The host application's rules on writes of some types (write-hooks.ts). */
  hooks?: WriteHooks;
}

const jsonText = storedJson();

const selectCurrent = `SELECT version_id, last_updated, deleted, CASE WHEN deleted THEN NULL ELSE ${jsonText} END AS json
  FROM fhir_resource WHERE resource_type = $1 AND id = $2`;

interface CurrentRow { version_id: number; last_updated: Date | string; deleted: boolean; json: string | null }

interface UnitOfWork {
  tx: Queryable;
  pending: PendingWrite[];
  /** Current rows already read (and locked) in this transaction, or written by it. */
  known: Map<string, { versionId: number; deleted: boolean; json: string | null } | null>;
  /** Versions flushed so far. */
  written: number;
  /** Writes that hooks saw, told to them again after the commit. */
  changes: WriteChange[];
}

/** unique_violation, serialization_failure, deadlock_detected (PostgreSQL error codes, appendix A). */
const retryable = new Set(['23505', '40001', '40P01']);
const maxAttempts = 4;

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

function key(resourceType: string, id: string): string {
  return `${resourceType}/${id}`;
}

export class PgRepository implements Repository {
  readonly #options: PgRepositoryOptions;
  readonly #unit: UnitOfWork | null;
  readonly #now: () => Date;

  constructor(options: PgRepositoryOptions, unit: UnitOfWork | null = null) {
    this.#options = options;
    this.#unit = unit;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * `fn` may run more than once: when a concurrent transaction created the same new resource first
   * (unique violation) or the database broke a deadlock, the whole unit is retried from the start.
   */
  async transaction<T>(fn: (repo: Repository, sql: Queryable) => Promise<T>): Promise<T> {
    if (this.#unit) return fn(this, this.#sqlOf(this.#unit)); // nested: join the surrounding transaction
    for (let attempt = 1; ; attempt++) {
      try {
        let written = 0;
        let changes: WriteChange[] = [];
        const result = await this.#options.db.transaction(async (tx) => {
          const unit: UnitOfWork = { tx, pending: [], known: new Map(), written: 0, changes: [] };
          const value = await fn(new PgRepository(this.#options, unit), this.#sqlOf(unit));
          await this.#flush(unit);
          written = unit.written;
          changes = unit.changes;
          return value;
        });
        if (written > 0) this.#options.onCommitted?.(written);
        if (changes.length > 0) this.#afterCommit(changes);
        return result;
      } catch (err) {
        if (attempt >= maxAttempts || !retryable.has((err as { code?: string }).code ?? '')) throw err;
      }
    }
  }

  /** The unit's connection, with buffered writes flushed before each statement so it sees them. */
  #sqlOf(unit: UnitOfWork): Queryable {
    return {
      query: async (text, params, options) => {
        await this.#flush(unit);
        return unit.tx.query(text, params, options);
      },
    };
  }

  /** Single operations outside `transaction()` get a transaction of their own. */
  #inUnit<T>(fn: (unit: UnitOfWork, repo: PgRepository) => Promise<T>): Promise<T> {
    if (this.#unit) return fn(this.#unit, this);
    return this.transaction((repo) => (repo as PgRepository).#inUnit(fn));
  }

  /**
   * Writes what is buffered, then lets the hooks of the written types act in the same transaction;
   * what they write in turn is flushed (and hooked) by the next round.
   */
  async #flush(unit: UnitOfWork): Promise<void> {
    while (unit.pending.length > 0) {
      const writes = unit.pending.splice(0);
      await flushWrites(unit.tx, writes);
      unit.written += writes.length;
      const hooks = this.#options.hooks;
      if (!hooks) continue;
      const changes = writes.filter((w) => hooks.has(w.resourceType))
        .map((w): WriteChange => ({ resourceType: w.resourceType, id: w.id, before: w.before ?? null, after: w.deleted ? null : w.json }));
      if (changes.length === 0) continue;
      unit.changes.push(...changes);
      const repo = new PgRepository(this.#options, unit);
      for (const [hook, list] of hooks.forChanges(changes)) await hook.beforeCommit?.(list, { repo, tx: unit.tx });
    }
  }

  #afterCommit(changes: WriteChange[]): void {
    for (const [hook, list] of this.#options.hooks!.forChanges(changes)) {
      try {
        hook.afterCommit?.(list);
      } catch {
        // After the commit nothing can be undone; a hook's own failure must not fail the write.
      }
    }
  }

  /** Reads the database inside a unit: buffered writes must be visible first. */
  async #queryInUnit<T>(unit: UnitOfWork, text: string, params: unknown[]): Promise<T[]> {
    await this.#flush(unit);
    return (await unit.tx.query<T>(text, params)).rows;
  }

  async read(resourceType: string, id: string): Promise<ResourceVersion> {
    const rows = this.#unit
      ? await this.#queryInUnit<CurrentRow>(this.#unit, selectCurrent, [resourceType, id])
      : (await this.#options.db.query<CurrentRow>(selectCurrent, [resourceType, id], { prepare: true })).rows;
    const row = rows[0];
    if (!row) throw new FhirError('not-found', `${resourceType}/${id} is not known`);
    const version = { resourceType, id, versionId: row.version_id, lastUpdated: toIso(row.last_updated), deleted: row.deleted };
    if (row.deleted) {
      throw Object.assign(new FhirError('deleted', `${resourceType}/${id} was deleted`), { version });
    }
    return { ...version, json: row.json ?? undefined };
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<ResourceVersion> {
    const sql = `SELECT last_updated, deleted, CASE WHEN deleted THEN NULL ELSE ${jsonText} END AS json
      FROM fhir_resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3`;
    const params = [resourceType, id, versionId];
    const rows = this.#unit
      ? await this.#queryInUnit<CurrentRow>(this.#unit, sql, params)
      : (await this.#options.db.query<CurrentRow>(sql, params, { prepare: true })).rows;
    const row = rows[0];
    if (!row) throw new FhirError('not-found', `${resourceType}/${id} has no version ${versionId}`);
    const version = { resourceType, id, versionId, lastUpdated: toIso(row.last_updated), deleted: row.deleted };
    if (row.deleted) throw Object.assign(new FhirError('deleted', `Version ${versionId} of ${resourceType}/${id} is a deletion`), { version });
    return { ...version, json: row.json ?? undefined };
  }

  async prefetch(keys: { resourceType: string; id: string }[]): Promise<void> {
    await this.#inUnit(async (unit) => {
      const wanted = keys.filter((k) => !unit.known.has(key(k.resourceType, k.id)));
      if (wanted.length === 0) return;
      const rows = await this.#queryInUnit<CurrentRow & { resource_type: string; id: string }>(unit,
        `SELECT resource_type, id, version_id, last_updated, deleted, CASE WHEN deleted THEN NULL ELSE ${jsonText} END AS json
           FROM fhir_resource WHERE (resource_type, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
           ORDER BY resource_type, id FOR UPDATE`,
        [wanted.map((k) => k.resourceType), wanted.map((k) => k.id)]);
      for (const k of wanted) unit.known.set(key(k.resourceType, k.id), null);
      for (const row of rows) {
        unit.known.set(key(row.resource_type, row.id), { versionId: row.version_id, deleted: row.deleted, json: row.json });
      }
    });
  }

  /** The current row, locked until the transaction ends (SELECT … FOR UPDATE). */
  async #current(unit: UnitOfWork, resourceType: string, id: string) {
    const k = key(resourceType, id);
    if (unit.known.has(k)) return unit.known.get(k) ?? null;
    const rows = await this.#queryInUnit<CurrentRow>(unit, `${selectCurrent} FOR UPDATE`, [resourceType, id]);
    const row = rows[0];
    const current = row ? { versionId: row.version_id, deleted: row.deleted, json: row.json } : null;
    unit.known.set(k, current);
    return current;
  }

  /** The version a write replaces, kept only for types that hooks watch. */
  #before(unit: UnitOfWork, resourceType: string, id: string): string | null | undefined {
    if (!this.#options.hooks?.has(resourceType)) return undefined;
    const prior = unit.known.get(key(resourceType, id));
    return prior && !prior.deleted ? prior.json : null;
  }

  #validate(resource: Resource): void {
    const issues = this.#options.validate(resource);
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) {
      throw new FhirError('invalid-resource', issues[0].details?.text ?? 'Invalid resource', { issues });
    }
  }

  #stage(unit: UnitOfWork, resource: Resource, versionId: number, method: PendingWrite['method'], isNew: boolean): ResourceVersion {
    const lastUpdated = this.#now().toISOString();
    const meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated };
    const { resourceType, id, meta: _old, ...rest } = resource;
    const stored = { resourceType, id, meta, ...rest } as Resource;
    const json = JSON.stringify(stored);
    unit.pending.push({
      resourceType, id: id!, versionId, lastUpdated, deleted: false, method, json, isNew,
      index: this.#options.index(stored),
      before: this.#before(unit, resourceType, id!),
    });
    unit.known.set(key(resourceType, id!), { versionId, deleted: false, json });
    return { resourceType, id: id!, versionId, lastUpdated, deleted: false, json };
  }

  async create(input: Resource, options: { assignedId?: string } = {}): Promise<WriteResult> {
    const resource = this.#options.hooks?.prepare(input) ?? input;
    this.#validate(resource);
    if (!this.#unit && !this.#options.hooks?.has(resource.resourceType)) {
      // A plain create reads nothing, and its flush is one statement, atomic by itself: no
      // BEGIN/COMMIT round trips needed (unless hooks act on it in a transaction).
      const unit: UnitOfWork = { tx: this.#options.db, pending: [], known: new Map(), written: 0, changes: [] };
      const version = this.#stage(unit, { ...resource, id: options.assignedId ?? randomUUID() }, 1, 'POST', true);
      await this.#flush(unit);
      this.#options.onCommitted?.(1);
      return { outcome: 'created', version };
    }
    return this.#inUnit(async (unit) => {
      const version = this.#stage(unit, { ...resource, id: options.assignedId ?? randomUUID() }, 1, 'POST', true);
      return { outcome: 'created', version };
    });
  }

  async conditionalCreate(resource: Resource, criteria: SearchParams): Promise<WriteResult> {
    return this.#inUnit(async (_unit, repo) => {
      const matches = await repo.findMatches(resource.resourceType, criteria, 2, { lock: true });
      if (matches.length > 1) {
        throw new FhirError('multiple-matches', `The If-None-Exist criteria match ${matches.length} or more ${resource.resourceType} resources`);
      }
      if (matches.length === 1) return { outcome: 'existing', version: matches[0] };
      return repo.create(resource);
    });
  }

  /**
   * Two transactions with the same conditional criteria must not both find nothing and both create:
   * they serialise on an advisory lock named by the criteria, held until commit. Under READ
   * COMMITTED the second one's search then sees the first one's resource.
   */
  async #lockCriteria(unit: UnitOfWork, resourceType: string, criteria: SearchParams): Promise<void> {
    const sorted = [...criteria.entries()].sort(([a, x], [b, y]) => (a === b ? x.localeCompare(y) : a.localeCompare(b)));
    const digest = createHash('sha256').update(resourceType + '?' + new URLSearchParams(sorted).toString()).digest();
    await this.#queryInUnit(unit, 'SELECT pg_advisory_xact_lock($1::bigint)', [digest.readBigInt64BE(0).toString()]);
  }

  async update(resource: Resource, options: UpdateOptions = {}): Promise<WriteResult> {
    if (!resource.id) throw new FhirError('invalid-resource', 'The resource has no id', { expression: [`${resource.resourceType}.id`] });
    this.#validate(resource);
    return this.#inUnit(async (unit) => {
      const current = await this.#current(unit, resource.resourceType, resource.id!);
      checkIfMatch(resource.resourceType, resource.id!, current, options.ifMatch);
      if (current && !current.deleted && current.json && sameContent(JSON.parse(current.json), resource)) {
        // An update that changes nothing creates no version (as HAPI and Blaze do), so reloading the same data is idempotent.
        const stored = JSON.parse(current.json) as Resource;
        return {
          outcome: 'unchanged',
          version: {
            resourceType: resource.resourceType, id: resource.id!, versionId: current.versionId,
            lastUpdated: String(stored.meta?.lastUpdated), deleted: false, json: current.json,
          },
        };
      }
      const versionId = current ? current.versionId + 1 : 1;
      const version = this.#stage(unit, resource, versionId, 'PUT', current === null);
      return { outcome: current && !current.deleted ? 'updated' : 'created', version };
    });
  }

  async conditionalUpdate(resource: Resource, criteria: SearchParams, options: UpdateOptions = {}): Promise<WriteResult> {
    return this.#inUnit(async (_unit, repo) => {
      const matches = await repo.findMatches(resource.resourceType, criteria, 2, { lock: true });
      if (matches.length > 1) {
        throw new FhirError('multiple-matches', `The criteria match ${matches.length} or more ${resource.resourceType} resources`);
      }
      if (matches.length === 0) {
        return resource.id ? repo.update(resource, options) : repo.create(resource);
      }
      const id = matches[0].id;
      if (resource.id && resource.id !== id) {
        throw new FhirError('invalid-request', `The resource id ${resource.id} differs from the matching resource ${id}`,
          { expression: [`${resource.resourceType}.id`] });
      }
      return repo.update({ ...resource, id }, options);
    });
  }

  async delete(resourceType: string, id: string, options: UpdateOptions = {}): Promise<WriteResult | null> {
    return this.#inUnit(async (unit) => {
      const current = await this.#current(unit, resourceType, id);
      checkIfMatch(resourceType, id, current, options.ifMatch);
      if (!current || current.deleted) return null; // deleting what is not there succeeds (http.html#delete)
      const versionId = current.versionId + 1;
      const lastUpdated = this.#now().toISOString();
      unit.pending.push({
        resourceType, id, versionId, lastUpdated, deleted: true, method: 'DELETE', json: null, isNew: false, index: null,
        before: this.#before(unit, resourceType, id),
      });
      unit.known.set(key(resourceType, id), { versionId, deleted: true, json: null });
      return { outcome: 'deleted', version: { resourceType, id, versionId, lastUpdated, deleted: true } };
    });
  }

  async conditionalDelete(resourceType: string, criteria: SearchParams): Promise<WriteResult | null> {
    return this.#inUnit(async (_unit, repo) => {
      const matches = await repo.findMatches(resourceType, criteria, 2, { lock: true });
      if (matches.length > 1) {
        throw new FhirError('multiple-matches', `The criteria match ${matches.length} or more ${resourceType} resources; delete them one by one`);
      }
      return matches.length === 0 ? null : repo.delete(resourceType, matches[0].id);
    });
  }

  async findMatches(resourceType: string, criteria: SearchParams, limit: number, options: { lock?: boolean } = {}): Promise<ResourceVersion[]> {
    if (options.lock) {
      return this.#inUnit(async (unit, repo) => {
        await repo.#lockCriteria(unit, resourceType, criteria);
        return repo.findMatches(resourceType, criteria, limit);
      });
    }
    if (this.#unit) {
      await this.#flush(this.#unit);
      return this.#options.searcher.matches(this.#unit.tx, resourceType, criteria, limit);
    }
    return this.#options.searcher.matches(this.#options.db, resourceType, criteria, limit);
  }

  async search(resourceType: string | null, query: URLSearchParams, options: SearchOptions = {}): Promise<SearchResult> {
    if (this.#unit) {
      await this.#flush(this.#unit);
      return this.#options.searcher.search(this.#unit.tx, resourceType, query, options);
    }
    return this.#options.searcher.search(this.#options.db, resourceType, query, options);
  }

  /**
   * Batches of current resources, each re-indexed in a transaction that locks its rows, so a write
   * racing the reindex cannot have its fresh index rows replaced by stale ones.
   */
  async reindex(resourceType: string, batchSize = 500): Promise<number> {
    let after = '';
    let total = 0;
    for (;;) {
      const done = await this.#options.db.transaction(async (tx) => {
        const rows = (await tx.query<{ id: string; json: string }>(
          `SELECT id, ${jsonText} AS json FROM fhir_resource WHERE resource_type = $1 AND NOT deleted AND id > $2
            ORDER BY id LIMIT $3 FOR UPDATE`, [resourceType, after, batchSize])).rows;
        if (rows.length === 0) return 0;
        await flushWrites(tx, rows.map((r) => ({
          resourceType, id: r.id, versionId: 0, lastUpdated: '', deleted: false, method: 'PUT' as const, json: null, isNew: false,
          index: this.#options.index(JSON.parse(r.json) as Resource),
        })), true);
        after = rows[rows.length - 1]!.id;
        return rows.length;
      });
      if (done === 0) return total;
      total += done;
    }
  }

  async visible(access: Access, items: readonly { resourceType: string; id: string }[]): Promise<Set<string>> {
    if (this.#unit) {
      await this.#flush(this.#unit);
      return visibleKeys(this.#unit.tx, access, items);
    }
    return visibleKeys(this.#options.db, access, items);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.resourceType) { params.push(query.resourceType); where.push(`resource_type = $${params.length}`); }
    if (query.id) { params.push(query.id); where.push(`id = $${params.length}`); }
    if (query.since) { params.push(query.since); where.push(`last_updated >= $${params.length}::timestamptz`); }
    if (query.before) { params.push(query.before); where.push(`seq < $${params.length}::bigint`); }
    params.push(query.count + 1);
    const sql = `SELECT seq::text AS seq, resource_type, id, version_id, last_updated, deleted, method,
        CASE WHEN deleted THEN NULL ELSE ${jsonText} END AS json
      FROM fhir_resource_history h ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY h.seq DESC LIMIT $${params.length}`;
    const rows = this.#unit
      ? await this.#queryInUnit<HistoryRow>(this.#unit, sql, params)
      : (await this.#options.db.query<HistoryRow>(sql, params)).rows;
    const page = rows.slice(0, query.count).map((row): HistoryEntry => ({
      seq: row.seq, resourceType: row.resource_type, id: row.id, versionId: row.version_id,
      lastUpdated: toIso(row.last_updated), deleted: row.deleted, method: row.method as HistoryEntry['method'],
      json: row.json ?? undefined,
    }));
    return { entries: page, next: rows.length > query.count ? page[page.length - 1].seq : undefined };
  }
}

interface HistoryRow extends CurrentRow { seq: string; resource_type: string; id: string; method: string }

function checkIfMatch(resourceType: string, id: string, current: { versionId: number; deleted: boolean } | null, ifMatch?: number): void {
  if (ifMatch === undefined) return;
  if (!current || current.deleted || current.versionId !== ifMatch) {
    const found = current ? (current.deleted ? `deleted at version ${current.versionId}` : `at version ${current.versionId}`) : 'not present';
    throw new FhirError('version-conflict', `${resourceType}/${id} is ${found}, not at version ${ifMatch} as If-Match requires`);
  }
}
