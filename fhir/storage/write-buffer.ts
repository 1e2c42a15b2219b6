// Writes of one database transaction, buffered and flushed as one multi-row statement instead of
// a dozen statements per resource. Flushed before anything reads the
// database in the same transaction, and at commit, so reads always see earlier writes.
//
// Rows travel as one JSON document, expanded by jsonb_to_recordset: the resource text already
// serialised by the repository is spliced in as it is, and PostgreSQL parses it once in C.
// (Binding arrays instead makes the driver escape every quote of every resource.)
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
  /** The JSON this write replaced (null: none), kept for write hooks (write-hooks.ts) only. */
  before?: string | null;
}

const indexTables = {
  string: { table: 'fhir_sp_string', columns: { value: 'text', value_norm: 'text' }, fields: ['value', 'valueNorm'] },
  token: { table: 'fhir_sp_token', columns: { system: 'text', code: 'text', text_norm: 'text' }, fields: ['system', 'code', 'textNorm'] },
  reference: {
    table: 'fhir_sp_reference', columns: { target_type: 'text', target_id: 'text', target_url: 'text' },
    fields: ['targetType', 'targetId', 'targetUrl'],
  },
  date: { table: 'fhir_sp_date', columns: { low: 'timestamptz', high: 'timestamptz' }, fields: ['low', 'high'] },
  number: { table: 'fhir_sp_number', columns: { value: 'numeric', low: 'numeric', high: 'numeric' }, fields: ['value', 'low', 'high'] },
  quantity: {
    table: 'fhir_sp_quantity',
    columns: { system: 'text', code: 'text', unit: 'text', value: 'numeric', low: 'numeric', high: 'numeric' },
    fields: ['system', 'code', 'unit', 'value', 'low', 'high'],
  },
  uri: { table: 'fhir_sp_uri', columns: { value: 'text' }, fields: ['value'] },
  composite: {
    table: 'fhir_sp_composite',
    columns: {
      grp: 'integer', component: 'smallint', system: 'text', code: 'text', unit: 'text', value: 'text', value_norm: 'text',
      number: 'numeric', low: 'timestamptz', high: 'timestamptz', target_type: 'text', target_id: 'text', target_url: 'text',
    },
    fields: ['grp', 'component', 'system', 'code', 'unit', 'value', 'valueNorm', 'number', 'low', 'high', 'targetType', 'targetId', 'targetUrl'],
  },
} as const;


/**
 * The whole flush is one statement: data-modifying CTEs over one JSON document. A single statement
 * is atomic on its own and costs one round trip, whatever the number of resources and index rows.
 * Its sub-statements share one snapshot, so the DELETEs remove only the rows that existed before
 * and never the rows inserted beside them (PostgreSQL docs, "Data-Modifying Statements in WITH").
 */
function buildFlushStatement(kinds: (keyof IndexRows)[], replacing: boolean, indexOnly: boolean): string {
  const parts: string[] = [`doc AS MATERIALIZED (SELECT $1::text::jsonb AS j)`];
  if (!indexOnly) parts.push(
    // `l` marks the last write of each key: the one that becomes the current row.
    `w AS MATERIALIZED (SELECT x.* FROM doc, jsonb_to_recordset(doc.j->'w')
      AS x(t text, i text, v integer, u timestamptz, d boolean, m text, l boolean, c jsonb))`,
    `cur AS (INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, deleted, content)
      SELECT t, i, v, u, d, c FROM w WHERE l ORDER BY t, i
      ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
        last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content)`,
    `hist AS (INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
      SELECT t, i, v, u, d, m, c FROM w)`,
  );
  if (replacing) {
    parts.push(`replaced AS MATERIALIZED (SELECT k.* FROM doc, jsonb_to_recordset(doc.j->'replaced') AS k(t text, i text))`);
    for (const [kind, spec] of Object.entries(indexTables)) {
      parts.push(`del_${kind} AS (DELETE FROM ${spec.table} WHERE (resource_type, id) IN (SELECT t, i FROM replaced))`);
    }
  }
  for (const kind of kinds) {
    const spec = indexTables[kind];
    const all: Record<string, string> = { resource_type: 'text', id: 'text', param: 'text', ...spec.columns };
    const names = Object.keys(all);
    const definition = Object.entries(all).map(([name, type]) => `${name} ${type}`).join(', ');
    parts.push(`ins_${kind} AS (INSERT INTO ${spec.table} (${names.join(', ')})
      SELECT ${names.join(', ')} FROM doc, jsonb_to_recordset(doc.j->'${kind}') AS x(${definition}))`);
  }
  return `WITH ${parts.join(',\n')} SELECT 1`;
}

// Statements differ only by which index tables receive rows and whether old rows are replaced;
// leaving out the empty parts keeps planning and execution small for single-resource writes.
const flushStatements = new Map<string, string>();

function flushStatement(kinds: (keyof IndexRows)[], replacing: boolean, indexOnly: boolean): string {
  const key = `${kinds.join(',')}|${replacing}|${indexOnly}`;
  let text = flushStatements.get(key);
  if (!text) {
    text = buildFlushStatement(kinds, replacing, indexOnly);
    flushStatements.set(key, text);
  }
  return text;
}

function compareKeys(a: PendingWrite, b: PendingWrite): number {
  return a.resourceType < b.resourceType ? -1 : a.resourceType > b.resourceType ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Writes the buffered versions and their index rows. With `indexOnly` (a reindex), only the index
 * rows of the given current versions are replaced; resource and history rows stay as they are.
 */
export async function flushWrites(tx: Queryable, writes: PendingWrite[], indexOnly = false): Promise<void> {
  if (writes.length === 0) return;
  const last = new Map<string, PendingWrite>();
  const isNewInBuffer = new Map<string, boolean>();
  for (const w of writes) {
    const key = `${w.resourceType}/${w.id}`;
    if (!isNewInBuffer.has(key)) isNewInBuffer.set(key, w.isNew);
    last.set(key, w);
  }
  const finals = new Set(last.values());
  // Current rows are written in key order so that concurrent transactions lock them in the same
  // order and cannot deadlock on each other.
  const current = [...finals].sort(compareKeys);
  const resources = '[' + writes.map((w) => `{"t":${JSON.stringify(w.resourceType)},"i":${JSON.stringify(w.id)},"v":${w.versionId},`
    + `"u":"${w.lastUpdated}","d":${w.deleted},"m":"${w.method}","l":${finals.has(w)},"c":${w.json ?? 'null'}}`).join(',') + ']';

  // Index rows describe the current version only, and are inserted for the last write of each key:
  // the rows of every resource that existed before this buffer are replaced.
  const replaced = current.filter((w) => !isNewInBuffer.get(`${w.resourceType}/${w.id}`)).map((w) => ({ t: w.resourceType, i: w.id }));
  const index: Record<string, Record<string, unknown>[]> = {};
  const kinds: (keyof IndexRows)[] = [];
  for (const kind of Object.keys(indexTables) as (keyof IndexRows)[]) {
    const spec = indexTables[kind];
    const names = Object.keys(spec.columns);
    const rows: Record<string, unknown>[] = [];
    for (const w of current) {
      if (!w.index || w.deleted) continue;
      for (const row of w.index[kind] as unknown as Record<string, unknown>[]) {
        const out: Record<string, unknown> = { resource_type: w.resourceType, id: w.id, param: row.param };
        spec.fields.forEach((f, i) => { out[names[i]] = row[f] ?? null; });
        rows.push(out);
      }
    }
    if (rows.length === 0) continue;
    index[kind] = rows;
    kinds.push(kind);
  }
  const rest = JSON.stringify({ replaced, ...index });
  await tx.query(flushStatement(kinds, replaced.length > 0, indexOnly), [`{"w":${indexOnly ? '[]' : resources},${rest.slice(1)}`], { prepare: true });
}
