// A migrated, empty database to copy for each test file. Creating a PGlite database runs initdb in
// WASM and every migration after it: on this platform that is tens of seconds per test file, while
// starting from a saved data directory skips both. On a PostgreSQL server, CREATE DATABASE … TEMPLATE
// copies the migrated schema in one statement.
//
// The template is what a server start leaves on an empty database (every migration of every module),
// less the per-database secret (the token signing key), so that two servers of one test made from it
// stay strangers. It is keyed by the migration files and the PGlite version: a changed migration makes
// a new template; a server started on an older template still applies what is missing, as in production.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../../fhir/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';

const repository = fileURLToPath(new URL('../../', import.meta.url));

/** Rows a server start writes that must not be shared between databases. */
const perDatabaseState = ['auth_signing_key'];

function migrationFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'web' || entry.name === 'test') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) migrationFiles(path, out);
    else if (/\.sql$/.test(entry.name) && dir.endsWith('migrations')) out.push(path);
  }
  return out;
}

/** Changes whenever a migration file or the embedded PostgreSQL changes. */
function templateKey(): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(readFileSync(join(repository, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  hash.update(pglite.version);
  for (const file of migrationFiles(repository).sort()) {
    hash.update(file.slice(repository.length));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Runs a server start on `db` (which it leaves open), then removes the per-database state. */
async function migrateLikeAServer(db: Database): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port: 0, host: '127.0.0.1', seedDemo: false });
  const app = await createServer(config, { db });
  await app.stop(1000);
  for (const table of perDatabaseState) await db.query(`DELETE FROM ${table}`);
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Test files run in parallel processes: the first to need the template builds it while holding a lock
 * file, the others wait for it (or take over from a builder that died).
 */
async function underFileLock<T>(lockPath: string, ready: () => T | undefined, build: () => Promise<T>): Promise<T> {
  for (;;) {
    const done = ready();
    if (done !== undefined) return done;
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try { holder = Number(readFileSync(lockPath, 'utf8')); } catch { /* removed meanwhile */ }
      if (holder && !isAlive(holder)) { try { unlinkSync(lockPath); } catch { /* another waiter did */ } }
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    try {
      return ready() ?? await build();
    } finally {
      unlinkSync(lockPath);
    }
  }
}

/** The saved data directory of a migrated PGlite database (a tar file in the temporary directory). */
export async function pgliteTemplate(): Promise<Blob> {
  const path = join(tmpdir(), `open-his-pglite-template-${templateKey()}.tar`);
  const ready = () => (existsSync(path) && statSync(path).size > 0 ? new Blob([readFileSync(path)]) : undefined);
  return underFileLock(`${path}.lock`, ready, async () => {
    const db = await openDatabase({});
    try {
      await migrateLikeAServer(db);
      const image = await db.dumpDataDir!();
      const partial = `${path}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, Buffer.from(await image.arrayBuffer()));
      renameSync(partial, path);
      return image;
    } finally {
      await db.close();
    }
  });
}

/** Name of the migrated template database on the server of `adminUrl`, made on first use. */
export async function postgresTemplate(adminUrl: string): Promise<string> {
  const name = `his_template_${templateKey()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // One builder across processes; the others wait on the lock, then find the template there.
    await admin.query('SELECT pg_advisory_lock(8260002)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
    if (exists.rows.length === 0) {
      const building = `${name}_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${building}`);
      const url = new URL(adminUrl);
      url.pathname = `/${building}`;
      const db = await openDatabase({ databaseUrl: url.toString() });
      try {
        await migrateLikeAServer(db);
      } catch (err) {
        await db.close();
        await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
        throw err;
      }
      await db.close();
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    }
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(8260002)').catch(() => undefined);
    await admin.end();
  }
}
