// Writes of one database transaction, buffered and flushed as a handful of multi-row statements
// (one per table) instead of a dozen statements per resource. Flushed before anything reads the
// database in the same transaction, and at commit, so reads always see earlier writes.
import type { Queryable } from './db.ts';
import type { IndexRows } from '../search/index-rows.ts';

export interface PendingWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  json: string | null;
  /** True when no row for this resource existed before: nothing to replace in the index. */
  isNew: boolean;
  index: IndexRows | null;
}

const indexTables = {
  string: { table: 'fhir_sp_string', columns: ['value', 'value_norm'], types: ['text', 'text'], fields: ['value', 'valueNorm'] },
  token: { table: 'fhir_sp_token', columns: ['system', 'code', 'text_norm'], types: ['text', 'text', 'text'], fields: ['system', 'code', 'textNorm'] },
  reference: {
    table: 'fhir_sp_reference', columns: ['target_type', 'target_id', 'target_url'],
    types: ['text', 'text', 'text'], fields: ['targetType', 'targetId', 'targetUrl'],
  },
  date: { table: 'fhir_sp_date', columns: ['low', 'high'], types: ['timestamptz', 'timestamptz'], fields: ['low', 'high'] },
  number: { table: 'fhir_sp_number', columns: ['value', 'low', 'high'], types: ['numeric', 'numeric', 'numeric'], fields: ['value', 'low', 'high'] },
  quantity: {
    table: 'fhir_sp_quantity', columns: ['system', 'code', 'unit', 'value', 'low', 'high'],
    types: ['text', 'text', 'text', 'numeric', 'numeric', 'numeric'], fields: ['system', 'code', 'unit', 'value', 'low', 'high'],
  },
  uri: { table: 'fhir_sp_uri', columns: ['value'], types: ['text'], fields: ['value'] },
} as const;

export const indexTableNames = Object.values(indexTables).map((t) => t.table);

/** `INSERT … SELECT FROM unnest($1::text[], …)`: one statement, one round trip, any row count. */
function unnestInsert(table: string, columns: readonly string[], types: readonly string[]): string {
  const args = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${args})`;
}

const upsertCurrent = `INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, deleted, content)
  SELECT t, i, v, u, d, c::jsonb FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[])
    AS w(t, i, v, u, d, c)
  ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
    last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content`;

const insertHistory = `INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
  SELECT t, i, v, u, d, m, c::jsonb FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[], $7::text[])
    AS w(t, i, v, u, d, m, c)`;

export async function flushWrites(tx: Queryable, writes: PendingWrite[]): Promise<void> {
  if (writes.length === 0) return;
  // The current table holds one row per resource: the last write to each key wins.
  const last = new Map<string, PendingWrite>();
  const isNewInBuffer = new Map<string, boolean>();
  for (const w of writes) {
    const key = `${w.resourceType}/${w.id}`;
    if (!isNewInBuffer.has(key)) isNewInBuffer.set(key, w.isNew);
    last.set(key, w);
  }
  const current = [...last.values()];
  await tx.query(upsertCurrent, [
    current.map((w) => w.resourceType), current.map((w) => w.id), current.map((w) => w.versionId),
    current.map((w) => w.lastUpdated), current.map((w) => w.deleted), current.map((w) => w.json),
  ]);
  await tx.query(insertHistory, [
    writes.map((w) => w.resourceType), writes.map((w) => w.id), writes.map((w) => w.versionId),
    writes.map((w) => w.lastUpdated), writes.map((w) => w.deleted), writes.map((w) => w.method), writes.map((w) => w.json),
  ]);

  // Index rows describe the current version only, and are inserted below for the last write of
  // each key: drop the rows of every resource that existed before this buffer, then insert anew.
  const replaced = current.filter((w) => !isNewInBuffer.get(`${w.resourceType}/${w.id}`));
  if (replaced.length > 0) {
    for (const table of indexTableNames) {
      await tx.query(
        `DELETE FROM ${table} WHERE (resource_type, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [replaced.map((w) => w.resourceType), replaced.map((w) => w.id)],
      );
    }
  }
  for (const [kind, spec] of Object.entries(indexTables) as [keyof IndexRows, (typeof indexTables)[keyof IndexRows]][]) {
    const types: string[] = [];
    const ids: string[] = [];
    const params: string[] = [];
    const columns: unknown[][] = spec.fields.map(() => []);
    for (const w of current) {
      if (!w.index || w.deleted) continue;
      for (const row of w.index[kind] as unknown as Record<string, unknown>[]) {
        types.push(w.resourceType);
        ids.push(w.id);
        params.push(row.param as string);
        spec.fields.forEach((f, i) => columns[i].push(row[f] ?? null));
      }
    }
    if (types.length === 0) continue;
    await tx.query(
      unnestInsert(spec.table, ['resource_type', 'id', 'param', ...spec.columns], ['text', 'text', 'text', ...spec.types]),
      [types, ids, params, ...columns],
    );
  }
}
