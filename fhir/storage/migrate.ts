// Versioned migrations (NNN-name.sql), applied in order at start-up.
// Each runs in its own transaction together with its bookkeeping row, so a crash mid-way leaves
// the migration either fully applied or not at all; re-running is a no-op.
// The engine's own folder (fhir/storage/migrations) is the default. Other packages run their own
// folders under a namespace, recorded as `namespace/file` in the same fhir_migration table.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.ts';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface MigrationFolder {
  /** Folder holding NNN-name.sql files. */
  directory: string;
  /** Prefix of the names recorded in fhir_migration, e.g. `audit` → `audit/001-audit-chain.sql`. */
  namespace: string;
}

/** Applies the pending migrations of the engine's folder, or of `folder`; returns the names applied. */
export async function migrate(db: Database, folder?: MigrationFolder): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS fhir_migration (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const directory = folder?.directory ?? migrationsDir;
  // The engine's migrations predate namespaces: their rows keep the bare file name.
  const recordedName = (file: string) => (folder ? `${folder.namespace}/${file}` : file);
  const files = readdirSync(directory).filter((f) => /^\d{3}-.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const name = recordedName(file);
    const done = await db.transaction(async (tx) => {
      // Concurrent start-ups against one PostgreSQL server: serialise on an advisory lock.
      await tx.query('SELECT pg_advisory_xact_lock(8260001)');
      const seen = await tx.query('SELECT 1 FROM fhir_migration WHERE name = $1', [name]);
      if (seen.rows.length > 0) return false;
      for (const statement of splitStatements(readFileSync(join(directory, file), 'utf8'))) {
        await tx.query(statement);
      }
      await tx.query('INSERT INTO fhir_migration (name) VALUES ($1)', [name]);
      return true;
    });
    if (done) applied.push(name);
  }
  if (!folder) await trigramIndex(db);
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

/**
 * Splits a script into statements at `;` outside string literals, quoted identifiers, comments and
 * dollar-quoted bodies (PostgreSQL docs, "Lexical Structure" 4.1.2.4), so plpgsql function bodies
 * stay whole. Comments outside bodies are dropped; a part holding nothing else is no statement.
 */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const flush = () => {
    const text = current.trim();
    if (text.length > 0) statements.push(text);
    current = '';
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      current += ' ';
      continue;
    }
    if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped quote: scanning on from it finds the real end.
      let end = i + 1;
      for (;;) {
        end = sql.indexOf(c, end);
        if (end === -1) { end = sql.length; break; }
        if (sql[end + 1] === c) { end += 2; continue; }
        end += 1;
        break;
      }
      current += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$' && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        const end = close === -1 ? sql.length : close + tag.length;
        current += sql.slice(i, end);
        i = end;
        continue;
      }
    }
    if (c === ';') {
      flush();
      i++;
      continue;
    }
    current += c;
    i++;
  }
  flush();
  return statements;
}
