// SearchRequest → parameterised SQL over fhir_resource and the fhir_sp_* index tables
// (fhir/storage/migrations/001-resources.sql). Every value travels as a bind parameter; the SQL
// text is made only of fixed fragments, table aliases and parameter numbers. The SQL is plain
// PostgreSQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).
//
// Each filter is one EXISTS (or NOT EXISTS) on an index table, its values ORed inside it;
// filters are ANDed (http://hl7.org/fhir/R4/search.html#combining). Chains and `_has` nest the same
// filters over other fhir_resource rows (sql-chain.ts); composites use fhir_sp_composite
// (sql-composite.ts). Every filter is compiled against an owner alias: `r` at the top level.
import { FhirError } from '../outcome.ts';
import { normalizeString } from './normalize.ts';
import { dateCondition, numberCondition, type Bind } from './sql-conditions.ts';
import { chainCondition, hasCondition } from './sql-chain.ts';
import { compositeCondition } from './sql-composite.ts';
import type {
  ParameterFilter, ReferenceValue, SearchFilter, SearchRequest, SearchValue, SortRule, TokenValue,
} from './search-request.ts';

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export interface CompileOptions {
  /** Page size when the request has no _count. Default 20. */
  defaultCount?: number;
  /** Upper bound on _count (http://hl7.org/fhir/R4/search.html#count lets the server cap it). Default 1000. */
  maxCount?: number;
  /** Select list over alias `r` (trusted caller text, never user input). */
  columns?: string;
  /** "Now", for the `ap` prefix on dates (http://hl7.org/fhir/R4/search.html#prefix). Default: the current time. */
  now?: Date;
}

export const defaultColumns = 'r.resource_type, r.id, r.version_id, r.last_updated, r.content';

/** The page query: matching current resources, sorted, LIMIT/OFFSET applied. */
export function compileSearch(req: SearchRequest, options: CompileOptions = {}): SqlQuery {
  const b = new SqlBuilder(options);
  const where = b.where(req);
  const order = b.orderBy(req.sort);
  const maxCount = options.maxCount ?? 1000;
  const count = Math.min(req.count ?? options.defaultCount ?? 20, maxCount);
  const limit = b.bind(count);
  const offset = b.bind(req.offset ?? 0);
  const text = `SELECT ${options.columns ?? defaultColumns} FROM fhir_resource r WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
  return { text, values: b.values };
}

/** `SELECT count(*)::integer AS total` over the same filters (Bundle.total, `_summary=count`). */
export function compileCount(req: SearchRequest, options: CompileOptions = {}): SqlQuery {
  const b = new SqlBuilder(options);
  const where = b.where(req);
  return { text: `SELECT count(*)::integer AS total FROM fhir_resource r WHERE ${where}`, values: b.values };
}

const tables = {
  string: 'fhir_sp_string',
  token: 'fhir_sp_token',
  reference: 'fhir_sp_reference',
  date: 'fhir_sp_date',
  number: 'fhir_sp_number',
  quantity: 'fhir_sp_quantity',
  uri: 'fhir_sp_uri',
  composite: 'fhir_sp_composite',
} as const;
export type IndexTable = keyof typeof tables;

/** `\`, `%` and `_` are LIKE wildcards (with the default escape character `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class SqlBuilder {
  readonly values: unknown[] = [];
  private aliasCount = 0;
  private readonly now: number;

  constructor(options: CompileOptions) {
    this.now = (options.now ?? new Date()).getTime();
  }

  readonly bind: Bind = (value) => {
    this.values.push(value);
    return `$${this.values.length}`;
  };

  where(req: SearchRequest): string {
    const conditions = [`r.resource_type = ${this.bind(req.resourceType)}`, 'NOT r.deleted'];
    for (const filter of req.filters) conditions.push(this.filter(filter, 'r'));
    return conditions.join(' AND ');
  }

  orderBy(sort: SortRule[]): string {
    const terms: string[] = [];
    for (const rule of sort) {
      const dir = rule.descending ? 'DESC' : 'ASC';
      if (rule.code === '_id') terms.push(`r.id ${dir}`);
      else if (rule.code === '_lastUpdated') terms.push(`r.last_updated ${dir}`);
      else if (rule.param) terms.push(`${this.sortKey(rule)} ${dir} NULLS LAST`);
    }
    // A total order, so that pages neither repeat nor skip resources.
    if (!sort.some((r) => r.code === '_id')) terms.push('r.id ASC');
    return terms.join(', ');
  }

  /**
   * A repeating parameter sorts by its lowest value ascending and its highest descending
   * (http://hl7.org/fhir/R4/search.html#sort leaves this to the server).
   */
  private sortKey(rule: SortRule): string {
    const param = rule.param!;
    const agg = rule.descending ? 'max' : 'min';
    const a = this.alias();
    let table: IndexTable;
    let column: string;
    switch (param.type) {
      case 'string': table = 'string'; column = 'value_norm'; break;
      case 'token': table = 'token'; column = 'code'; break;
      case 'date': table = 'date'; column = rule.descending ? 'high' : 'low'; break;
      case 'number': table = 'number'; column = 'value'; break;
      case 'quantity': table = 'quantity'; column = 'value'; break;
      case 'uri': table = 'uri'; column = 'value'; break;
      default: throw new FhirError('invalid-search', `Sorting by ${param.type} parameter "${rule.code}" is not supported`);
    }
    return `(SELECT ${agg}(${a}.${column}) FROM ${tables[table]} ${a} WHERE ${this.owner(a, 'r')} AND ${a}.param = ${this.bind(param.code)})`;
  }

  alias(): string {
    return `i${++this.aliasCount}`;
  }

  /** Index rows `a` belong to the fhir_resource row aliased `o`. */
  owner(a: string, o: string): string {
    return `${a}.resource_type = ${o}.resource_type AND ${a}.id = ${o}.id`;
  }

  private exists(table: IndexTable, param: string, condition: string | undefined, o: string, negate = false): string {
    const a = this.alias();
    const filter = condition === undefined ? '' : ` AND (${condition.replaceAll('{a}', a)})`;
    return `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${tables[table]} ${a} WHERE ${this.owner(a, o)} AND ${a}.param = ${this.bind(param)}${filter})`;
  }

  /** One filter over the resource aliased `o` (`r` at the top level, a chain's target below it). */
  filter(filter: SearchFilter, o: string): string {
    if (filter.kind === 'chain') return chainCondition(this, filter, o);
    if (filter.kind === 'has') return hasCondition(this, filter, o);
    if (filter.code === '_id') return this.idFilter(filter, o);
    if (filter.code === '_lastUpdated') return this.lastUpdatedFilter(filter, o);
    const table = tableOf(filter);
    if (filter.missing !== undefined) return this.exists(table, filter.param.code, undefined, o, filter.missing);
    switch (filter.param.type) {
      case 'string': return this.exists('string', filter.code, this.any(filter.values, (v) => this.stringCondition(filter.modifier, v)), o);
      case 'token': return this.tokenFilter(filter, o);
      case 'reference': return this.referenceFilter(filter, o);
      case 'date':
        return this.exists('date', filter.code, this.any(filter.values, (v) => this.dateCondition(v)), o);
      case 'number':
        return this.exists('number', filter.code, this.any(filter.values, (v) => this.numberCondition(v, '{a}.value')), o);
      case 'quantity':
        return this.exists('quantity', filter.code, this.any(filter.values, (v) => this.quantityCondition(v, '{a}.value')), o);
      case 'uri':
        return this.exists('uri', filter.code, this.any(filter.values, (v) => this.uriCondition(filter.modifier, v)), o);
      case 'composite':
        return compositeCondition(this, filter, o);
      default:
        throw new FhirError('invalid-search', `Search parameter "${filter.code}" of type ${filter.param.type} is not supported`);
    }
  }

  dateCondition(v: SearchValue): string {
    return v.kind === 'date' ? dateCondition(this.bind, '{a}.low', '{a}.high', v, this.now) : 'FALSE';
  }

  numberCondition(v: SearchValue, column: string): string {
    return v.kind === 'number' ? numberCondition(this.bind, column, v.prefix, v.range) : 'FALSE';
  }

  any(values: SearchValue[], condition: (v: SearchValue) => string): string {
    const parts = values.map(condition);
    return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' OR ');
  }

  // string — http://hl7.org/fhir/R4/search.html#string
  stringCondition(modifier: string | undefined, v: SearchValue): string {
    if (v.kind !== 'string') return 'FALSE';
    if (modifier === 'exact') return `{a}.value = ${this.bind(v.text)}`;
    const norm = escapeLike(normalizeString(v.text));
    if (modifier === 'contains') return `{a}.value_norm LIKE ${this.bind(`%${norm}%`)}`;
    return `{a}.value_norm LIKE ${this.bind(`${norm}%`)}`;
  }

  // token — http://hl7.org/fhir/R4/search.html#token
  private tokenFilter(filter: ParameterFilter, o: string): string {
    if (filter.modifier === 'of-type') {
      return this.exists('token', `${filter.code}:of-type`, this.any(filter.values, (v) =>
        v.kind === 'of-type'
          ? `{a}.system = ${this.bind(v.typeSystem)} AND {a}.code = ${this.bind(`${v.typeCode}|${v.value}`)}`
          : 'FALSE'), o);
    }
    if (filter.modifier === 'text') {
      return this.exists('token', filter.code, this.any(filter.values, (v) =>
        v.kind === 'token' ? `{a}.text_norm LIKE ${this.bind(`${escapeLike(normalizeString(v.text))}%`)}` : 'FALSE'), o);
    }
    // `:not` and `:not-in` keep resources with no value at all (http://hl7.org/fhir/R4/search.html#modifiers).
    const negate = filter.modifier === 'not' || filter.modifier === 'not-in';
    return this.exists('token', filter.code, this.any(filter.values, (v) => this.tokenCondition(v)), o, negate);
  }

  tokenCondition(v: SearchValue): string {
    if (v.kind === 'value-set') {
      // The expansion travels as two bound arrays, however many codes it has. A value without a
      // system (a `code` element, whose system the binding implies) matches on the code alone.
      const systems = this.bind(v.systems);
      const codes = this.bind(v.codes);
      return `EXISTS (SELECT 1 FROM unnest(${systems}::text[], ${codes}::text[]) AS vs(s, c)`
        + ' WHERE vs.c = {a}.code AND ({a}.system IS NULL OR vs.s = {a}.system))';
    }
    if (v.kind !== 'token') return 'FALSE';
    const parts: string[] = [];
    if (v.code !== undefined) parts.push(`{a}.code = ${this.bind(v.code)}`);
    if (v.system === null) parts.push('{a}.system IS NULL');
    else if (v.system !== undefined) parts.push(`{a}.system = ${this.bind(v.system)}`);
    return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
  }

  private idFilter(filter: ParameterFilter, o: string): string {
    if (filter.missing !== undefined) return filter.missing ? 'FALSE' : 'TRUE';
    const ids = filter.values.flatMap((v) => (v.kind === 'token' && v.code !== undefined ? [v.code] : []));
    if (ids.length === 0) return filter.modifier === 'not' ? 'TRUE' : 'FALSE';
    const list = ids.map((id) => this.bind(id)).join(', ');
    return filter.modifier === 'not' ? `${o}.id NOT IN (${list})` : `${o}.id IN (${list})`;
  }

  private lastUpdatedFilter(filter: ParameterFilter, o: string): string {
    if (filter.missing !== undefined) return filter.missing ? 'FALSE' : 'TRUE';
    const column = `${o}.last_updated`;
    const parts = filter.values.map((v) =>
      v.kind === 'date' ? dateCondition(this.bind, column, column, v, this.now) : 'FALSE');
    return parts.length === 1 ? `(${parts[0]})` : `(${parts.map((p) => `(${p})`).join(' OR ')})`;
  }

  // reference — http://hl7.org/fhir/R4/search.html#reference
  private referenceFilter(filter: ParameterFilter, o: string): string {
    if (filter.modifier === 'identifier') {
      return this.exists('token', `${filter.code}:identifier`, this.any(filter.values, (v) => this.tokenCondition(v as TokenValue)), o);
    }
    return this.exists('reference', filter.code, this.any(filter.values, (v) =>
      v.kind === 'reference' ? this.referenceCondition(v) : 'FALSE'), o);
  }

  referenceCondition(v: ReferenceValue): string {
    if (v.url !== undefined) {
      // A canonical without `|version` also matches every version of it (http://hl7.org/fhir/R4/search.html#versions).
      const exact = `{a}.target_url = ${this.bind(v.url)}`;
      return v.url.includes('|') ? exact : `${exact} OR {a}.target_url LIKE ${this.bind(`${escapeLike(v.url)}|%`)}`;
    }
    if (v.id === undefined) return 'FALSE';
    const id = `{a}.target_id = ${this.bind(v.id)}`;
    return v.type === undefined ? id : `${id} AND {a}.target_type = ${this.bind(v.type)}`;
  }

  // quantity — http://hl7.org/fhir/R4/search.html#quantity (no unit conversion)
  quantityCondition(v: SearchValue, column: string): string {
    if (v.kind !== 'quantity') return 'FALSE';
    const parts = [numberCondition(this.bind, column, v.prefix, v.range)];
    if (v.system !== undefined) {
      parts.push(`{a}.system = ${this.bind(v.system)}`);
      if (v.code !== undefined) parts.push(`{a}.code = ${this.bind(v.code)}`);
    } else if (v.code !== undefined) {
      // `5.4||mg`: without a system the unit text may match too.
      const code = this.bind(v.code);
      parts.push(`({a}.code = ${code} OR {a}.unit = ${code})`);
    }
    return parts.join(' AND ');
  }

  // uri — http://hl7.org/fhir/R4/search.html#uri
  uriCondition(modifier: string | undefined, v: SearchValue): string {
    if (v.kind !== 'uri') return 'FALSE';
    if (modifier === 'below') return `{a}.value LIKE ${this.bind(`${escapeLike(v.value)}%`)}`;
    if (modifier === 'above') return `starts_with(${this.bind(v.value)}::text, {a}.value)`;
    return `{a}.value = ${this.bind(v.value)}`;
  }
}

function tableOf(filter: ParameterFilter): IndexTable {
  const type = filter.param.type;
  if (type in tables) return type as IndexTable;
  throw new FhirError('invalid-search', `Search parameter "${filter.code}" of type ${type} is not supported`);
}
