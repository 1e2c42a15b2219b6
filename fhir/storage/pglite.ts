// Embedded PostgreSQL (PGlite, PostgreSQL in WASM) so that `npm start` needs nothing installed.
// PGlite has one connection: queries queue, and a transaction holds the connection until it ends.
import { mkdirSync, openSync, closeSync, readFileSync, writeSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Database, Queryable, QueryResult } from './db.ts';
import { translateDatabaseError } from './database-errors.ts';

function adapt(target: Pick<PGlite, 'query'>): Queryable {
  return {
    async query<T>(text: string, params: unknown[] = []): Promise<QueryResult<T>> {
      let res: Awaited<ReturnType<typeof target.query<T>>>;
      try {
        res = await target.query<T>(text, params);
      } catch (err) {
        throw translateDatabaseError(err);
      }
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
  };
}

/**
 * PGlite takes no lock on its data directory, and two processes writing one directory silently
 * lose data. We hold our own lock file and refuse to start while a live process holds it.
 */
function acquireDirectoryLock(dir: string): () => void {
  const lockPath = join(dir, 'open-his.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => { try { unlinkSync(lockPath); } catch { /* already gone */ } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(`The database in ${dir} is in use by process ${holder}. Stop it first, or send work through its HTTP API.`);
      }
      unlinkSync(lockPath); // stale lock of a process that died (e.g. SIGKILL)
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * `dataDir` undefined = in memory (tests). `image`: start from a data directory saved by
 * `dumpDataDir()` instead of running initdb (an in-memory database only).
 */
export async function openPglite(dataDir?: string, options: { image?: Blob } = {}): Promise<Database> {
  let release = () => {};
  let db: PGlite;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    release = acquireDirectoryLock(dataDir);
    try {
      db = await PGlite.create(join(dataDir, 'pglite'), { extensions: { pg_trgm } });
    } catch (err) {
      release();
      throw err;
    }
  } else {
    db = await PGlite.create({ extensions: { pg_trgm }, ...(options.image ? { loadDataDir: options.image } : {}) });
  }
  const base = adapt(db);
  let closed = false;
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => db.transaction((tx) => fn(adapt(tx))),
    dumpDataDir: async () => db.dumpDataDir('none'),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      release();
    },
  };
}

export function pgliteDataExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'pglite', 'PG_VERSION'));
}
