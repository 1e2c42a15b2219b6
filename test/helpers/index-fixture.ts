// A throw-away database with the storage schema, and plain INSERTs of resources with their search
// index rows: enough to run compiled searches without the repository (fhir/storage).
// In-memory PGlite by default; when the suite runs with DATABASE_URL (CI's PostgreSQL pass) a fresh
// database on that server instead, dropped on close, so the same SQL is checked on PostgreSQL 15.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Resource } from '../../fhir/types.ts';
import type { IndexRows } from '../../fhir/search/index-rows.ts';

const migrationsUrl = new URL('../../fhir/storage/migrations/', import.meta.url);

/** Every migration, in order, as one script. */
function readSchema(): string {
  const files = readdirSync(migrationsUrl).filter((f) => /^\d{3}-.+\.sql$/.test(f)).sort();
  return files.map((f) => readFileSync(new URL(f, migrationsUrl), 'utf8')).join('\n');
}

export interface IndexDatabase {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

export async function openIndexDatabase(): Promise<IndexDatabase> {
  const schema = readSchema();
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const lite = new PGlite();
    await lite.exec(schema);
    return {
      kind: 'pglite',
      query: async <T>(text: string, values?: unknown[]) => ({ rows: (await lite.query<T>(text, values)).rows }),
      close: () => lite.close(),
    };
  }
  const name = `his_index_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // A pool: ava runs the tests of a file concurrently, and one pg.Client must not overlap queries.
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  // pool.end() resolves before its clients have finished disconnecting; dropping the database WITH
  // (FORCE) then would terminate them mid-way and crash the test file. Count them out first.
  let open = 0;
  let allClosed: () => void = () => undefined;
  pool.on('connect', () => { open++; });
  pool.on('remove', () => { if (--open === 0) allClosed(); });
  await pool.query(schema);
  return {
    kind: 'postgres',
    query: async <T>(text: string, values?: unknown[]) => ({ rows: (await pool.query(text, values)).rows as T[] }),
    close: async () => {
      const closed = new Promise<void>((resolve) => { allClosed = resolve; });
      await pool.end();
      if (open > 0) await closed;
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export interface FixtureOptions {
  lastUpdated?: string;
  deleted?: boolean;
}

export async function insertIndexed(
  db: IndexDatabase, resource: Resource, rows: IndexRows, options: FixtureOptions = {},
): Promise<void> {
  const type = resource.resourceType;
  const id = resource.id!;
  const lastUpdated = options.lastUpdated ?? resource.meta?.lastUpdated ?? '2024-01-01T00:00:00Z';
  await db.query(
    `INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, deleted, content)
     VALUES ($1, $2, 1, $3, $4, $5::text::jsonb)`,
    [type, id, lastUpdated, options.deleted ?? false, JSON.stringify(resource)],
  );
  // As in the engine's write path: a deleted resource keeps its row but has no index rows.
  if (options.deleted) return;
  const owner = [type, id];
  for (const r of rows.string) {
    await db.query('INSERT INTO fhir_sp_string VALUES ($1, $2, $3, $4, $5)', [...owner, r.param, r.value, r.valueNorm]);
  }
  for (const r of rows.token) {
    await db.query('INSERT INTO fhir_sp_token VALUES ($1, $2, $3, $4, $5, $6)', [...owner, r.param, r.system, r.code, r.textNorm]);
  }
  for (const r of rows.reference) {
    await db.query('INSERT INTO fhir_sp_reference VALUES ($1, $2, $3, $4, $5, $6)', [...owner, r.param, r.targetType, r.targetId, r.targetUrl]);
  }
  for (const r of rows.date) {
    await db.query('INSERT INTO fhir_sp_date VALUES ($1, $2, $3, $4, $5)', [...owner, r.param, r.low, r.high]);
  }
  for (const r of rows.number) {
    await db.query('INSERT INTO fhir_sp_number VALUES ($1, $2, $3, $4, $5, $6)', [...owner, r.param, r.value, r.low, r.high]);
  }
  for (const r of rows.quantity) {
    await db.query(
      'INSERT INTO fhir_sp_quantity VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [...owner, r.param, r.system, r.code, r.unit, r.value, r.low, r.high],
    );
  }
  for (const r of rows.uri) {
    await db.query('INSERT INTO fhir_sp_uri VALUES ($1, $2, $3, $4)', [...owner, r.param, r.value]);
  }
  for (const r of rows.composite) {
    await db.query(
      'INSERT INTO fhir_sp_composite VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
      [...owner, r.param, r.grp, r.component, r.system, r.code, r.unit, r.value, r.valueNorm, r.number, r.low, r.high,
        r.targetType, r.targetId, r.targetUrl],
    );
  }
}
