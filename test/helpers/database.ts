// A database of its own for each test file: in-memory PGlite by default, or — when the suite runs with
// DATABASE_URL (CI's second pass) — a fresh database created on that PostgreSQL server and dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../fhir/index.ts';
import { loadConfig } from '../../server/config.ts';
import { pgliteTemplate, postgresTemplate } from './database-template.ts';

export interface TestDatabase {
  db: Database;
  /** Connection string of the per-file PostgreSQL database (undefined on PGlite). */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A database for one test file, already migrated as a server start leaves it (test/helpers/
 * database-template.ts), unless `empty` asks for a database that has never been migrated.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) {
    const db = await openDatabase(options.empty ? {} : { pgliteImage: await pgliteTemplate() });
    return { db, drop: () => db.close() };
  }
  return createPostgresDatabase(databaseUrl, 'his_test', options.empty ? undefined : await postgresTemplate(databaseUrl));
}

/** A new database on the server of `adminUrl` (empty, or a copy of `template`), dropped again by `drop()`. */
export async function createPostgresDatabase(adminUrl: string, prefix = 'his_test', template?: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function usingPostgres(): boolean {
  return loadConfig().databaseUrl !== undefined;
}
