// The rows of a Bulk Data export (http://hl7.org/fhir/uv/bulkdata/export.html), read straight from
// storage in keyset pages: each page is one indexed query, the stored JSON text goes out as it is
// (no parse; jsonb's own key order, which NDJSON readers do not depend on — putting resourceType
// first as reads do doubled the cost of the query), and memory stays the size of a page however many
// resources there are.
import type { Queryable } from '../storage/db.ts';
import { patientAccessCondition } from '../search/compartment-sql.ts';
import { SqlBuilder } from '../search/sql.ts';
import type { SearchRequest } from '../search/search-request.ts';

export interface ExportScope {
  /** Only resources changed after this instant (`_since`). */
  since?: string;
  /** Bound to the compartments of these patients (Patient- and Group-level exports); undefined = all. */
  patients?: readonly string[];
  /** `_typeFilter` searches of this type (type-filter.ts): a resource is exported when it matches one. */
  filters?: readonly SearchRequest[];
  /** Rows per query. */
  pageSize?: number;
}

/** Current (not deleted) resources of one type as NDJSON lines, in id order. */
export async function* exportRows(db: Queryable, resourceType: string, scope: ExportScope = {}): AsyncGenerator<string[]> {
  const pageSize = scope.pageSize ?? 1000;
  let after = '';
  for (;;) {
    // The search compiler's builder numbers every bind, the filters' and this query's alike.
    const b = new SqlBuilder({});
    const conditions = [`r.resource_type = ${b.bind(resourceType)}`, 'NOT r.deleted', `r.id > ${b.bind(after)}`];
    if (scope.since) conditions.push(`r.last_updated > ${b.bind(scope.since)}::timestamptz`);
    if (scope.patients) conditions.push(patientAccessCondition(scope.patients, [resourceType], b.bind));
    if (scope.filters?.length) conditions.push(`(${scope.filters.map((f) => `(${b.where(f)})`).join(' OR ')})`);
    const rows = (await db.query<{ id: string; json: string }>(
      `SELECT r.id, r.content::text AS json FROM fhir_resource r WHERE ${conditions.join(' AND ')} ORDER BY r.id LIMIT ${b.bind(pageSize)}`, b.values)).rows;
    if (rows.length === 0) return;
    yield rows.map((r) => r.json);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Resource types that have current resources (so that an export does not scan 140 empty types). */
export async function typesWithData(db: Queryable): Promise<string[]> {
  return (await db.query<{ t: string }>('SELECT DISTINCT resource_type AS t FROM fhir_resource WHERE NOT deleted ORDER BY 1')).rows.map((r) => r.t);
}
