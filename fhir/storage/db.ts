// One small database interface with two implementations: embedded PGlite and a PostgreSQL server
// through `pg`. Everything above this file writes SQL that both accept.

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Use a named prepared statement (PostgreSQL server only). Only for fixed SQL texts on hot paths:
   * every distinct text becomes a statement cached on each pooled connection.
   */
  prepare?: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one database transaction; inside it use only the given `tx`. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as one tar file (a backup; `openPglite` can start from it). */
  dumpDataDir?(): Promise<Blob>;
}
