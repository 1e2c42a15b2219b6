// Planner statistics for the embedded database. A PostgreSQL server's autovacuum keeps them fresh;
// PGlite runs without autovacuum, and without statistics the planner picks plans that are orders of
// magnitude slower (measured: 3.4 s instead of 25 ms for a code + date search over 100 k resources).
// So on PGlite the engine runs ANALYZE itself whenever the data has grown by a fifth since the last one.
import type { Database } from './db.ts';

export interface AnalyzeScheduler {
  /** Called after each commit with the number of versions written. */
  written(count: number): void;
  /** Resolves when no ANALYZE is running. */
  idle(): Promise<void>;
}

const minimumGrowth = 2_000;

export async function createAnalyzeScheduler(db: Database): Promise<AnalyzeScheduler> {
  const rows = async () => Number((await db.query<{ n: string | number }>(
    `SELECT coalesce(sum(reltuples), 0)::bigint AS n FROM pg_class WHERE relname = 'fhir_resource_history'`)).rows[0]!.n);
  let running: Promise<void> | undefined;
  let since = 0;
  let base = 0;
  const analyze = () => {
    running = (async () => {
      try {
        await db.query('ANALYZE');
        base = Math.max(await rows(), 0);
      } catch {
        // a closed database at shutdown: nothing to do
      } finally {
        running = undefined;
      }
    })();
  };
  if (db.kind === 'pglite') {
    const analysed = await db.query(`SELECT 1 FROM pg_stats WHERE tablename = 'fhir_resource' LIMIT 1`);
    base = await rows();
    const empty = (await db.query('SELECT 1 FROM fhir_resource LIMIT 1')).rows.length === 0;
    if (analysed.rows.length === 0 && !empty) analyze();
  }
  return {
    written(count) {
      if (db.kind !== 'pglite') return;
      since += count;
      if (!running && since >= Math.max(minimumGrowth, base / 5)) {
        since = 0;
        analyze();
      }
    },
    idle: () => running ?? Promise.resolve(),
  };
}
