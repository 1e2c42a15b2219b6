// The rows one resource contributes to the search-index tables (fhir/storage/migrations/001-resources.sql).
// Numbers travel as strings so that decimal precision survives into PostgreSQL `numeric`.

export interface StringRow { param: string; value: string; valueNorm: string }
export interface TokenRow { param: string; system: string | null; code: string | null; textNorm: string | null }
export interface ReferenceRow { param: string; targetType: string | null; targetId: string | null; targetUrl: string | null }
/** ISO-8601 instants with offset; null means unbounded on that side. */
export interface DateRow { param: string; low: string | null; high: string | null }
export interface NumberRow { param: string; value: string; low: string; high: string }
export interface QuantityRow {
  param: string; system: string | null; code: string | null; unit: string | null;
  value: string; low: string; high: string;
}
export interface UriRow { param: string; value: string }
/**
 * One value of one component of one element instance of a composite parameter (fhir_sp_composite).
 * Only the columns of the component's type are set; `number` holds number and quantity values.
 */
export interface CompositeRow {
  param: string; grp: number; component: number;
  system: string | null; code: string | null; unit: string | null; value: string | null; valueNorm: string | null;
  number: string | null; low: string | null; high: string | null;
  targetType: string | null; targetId: string | null; targetUrl: string | null;
}

export interface IndexRows {
  string: StringRow[];
  token: TokenRow[];
  reference: ReferenceRow[];
  date: DateRow[];
  number: NumberRow[];
  quantity: QuantityRow[];
  uri: UriRow[];
  composite: CompositeRow[];
}

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], reference: [], date: [], number: [], quantity: [], uri: [], composite: [] };
}
