// Versioned migrations (fhir/storage/migrations/NNN-name.sql), applied in order at start-up.
// Each runs in its own transaction together with its bookkeeping row, so a crash mid-way leaves
// the migration either fully applied or not at all; re-running is a no-op.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.ts';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export async function migrate(db: Database): Promise<string[]> {
  // Concurrent start-ups against one PostgreSQL server: serialise on an advisory lock.
  await db.query(`CREATE TABLE IF NOT EXISTS fhir_migration (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = readdirSync(migrationsDir).filter((f) => /^\d{3}-.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(8260001)');
      const seen = await tx.query('SELECT 1 FROM fhir_migration WHERE name = $1', [file]);
      if (seen.rows.length > 0) return false;
      for (const statement of splitStatements(readFileSync(migrationsDir + file, 'utf8'))) {
        await tx.query(statement);
      }
      await tx.query('INSERT INTO fhir_migration (name) VALUES ($1)', [file]);
      return true;
    });
    if (done) applied.push(file);
  }
  await trigramIndex(db);
  return applied;
}

/**
 * `:contains` string search (LIKE '%…%') can use a trigram index where the pg_trgm extension is
 * available (PGlite ships it; on a server it needs postgresql-contrib and CREATE rights). Without
 * it, the search still works, by scanning the parameter's rows.
 */
async function trigramIndex(db: Database): Promise<void> {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await db.query('CREATE INDEX IF NOT EXISTS fhir_sp_string_trigram ON fhir_sp_string USING gin (value_norm gin_trgm_ops)');
  } catch {
    // not available here: :contains falls back to a scan
  }
}

/** Migrations hold plain DDL statements separated by `;` at line end (no function bodies). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
