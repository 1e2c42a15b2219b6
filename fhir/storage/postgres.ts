// A PostgreSQL server through a `pg` connection pool.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryOptions, QueryResult } from './db.ts';
import { translateDatabaseError } from './database-errors.ts';

// Keep numeric and bigint as strings (exact); timestamps as Date like PGlite.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => v);

function statementName(text: string): string {
  return 's' + createHash('sha1').update(text).digest('hex').slice(0, 20);
}

function adapt(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<QueryResult<T>> {
      const config: pg.QueryConfig = { text, values: params as unknown[] };
      if (options?.prepare) config.name = statementName(text);
      let res: pg.QueryResult;
      try {
        res = await client.query(config);
      } catch (err) {
        throw translateDatabaseError(err);
      }
      return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
    },
  };
}

export async function openPostgres(connectionString: string, options: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 20 });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  const client = await pool.connect(); // fail fast on a wrong DATABASE_URL
  client.release();
  const base = adapt(pool);
  return {
    kind: 'postgres',
    query: base.query,
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const result = await fn(adapt(conn));
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        conn.release();
      }
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
