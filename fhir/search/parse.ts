// URL query → SearchRequest (http://hl7.org/fhir/R4/search.html). Every value is parsed and checked
// here, so that sql.ts only ever sees well-formed, typed values.
import { FhirError } from '../outcome.ts';
import {
  defaultRegistry, type SearchParameterDefinition, type SearchParameterRegistry,
} from '../definitions/search-parameters.ts';
import { dateRange, defaultTimeZone } from './date-range.ts';
import { decimalRange } from './decimal-range.ts';
import type {
  IncludeRule, ParameterFilter, Prefix, SearchFilter, SearchRequest, SearchValue, SortRule, SummaryMode, TotalMode,
} from './search-request.ts';

export interface ParseOptions {
  /**
   * `Prefer: handling=lenient` ignores unknown or unsupported parameters and reports them in
   * `SearchRequest.ignored`; `strict` (default) rejects them (http://hl7.org/fhir/R4/search.html#errors).
   */
  handling?: 'strict' | 'lenient';
  /** IANA zone for date search values written without an offset. Default Asia/Shanghai. */
  timeZone?: string;
  /** This server's base URL: absolute references to it are searched as relative ones. */
  baseUrl?: string;
}

export type SearchQuery = URLSearchParams | Record<string, string | string[] | undefined>;

/** Parameters that are not filters (http://hl7.org/fhir/R4/search.html#Summary and following). */
const resultParameters = new Set(['_count', '_offset', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude']);
/** Handled by the HTTP layer, never a filter. */
const transportParameters = new Set(['_format', '_pretty']);
/** Known to R4 but not implemented: refused (strict) or reported (lenient). */
const unsupportedParameters = new Set(['_text', '_content', '_query', '_filter', '_list', '_contained', '_containedType', '_type']);

const prefixes = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);
const summaryModes = new Set<SummaryMode>(['true', 'text', 'data', 'count', 'false']);
const totalModes = new Set<TotalMode>(['none', 'estimate', 'accurate']);
const sortableTypes = new Set(['string', 'token', 'date', 'number', 'quantity', 'uri']);

export function parseSearch(
  resourceType: string,
  query: SearchQuery,
  registry: SearchParameterRegistry = defaultRegistry(),
  options: ParseOptions = {},
): SearchRequest {
  const ctx: ParseContext = {
    registry,
    lenient: options.handling === 'lenient',
    timeZone: options.timeZone ?? defaultTimeZone,
    baseUrl: options.baseUrl?.replace(/\/+$/, ''),
  };
  const req: SearchRequest = {
    resourceType, filters: [], sort: [], count: undefined, offset: undefined, total: undefined,
    summary: undefined, elements: undefined, include: [], revinclude: [], ignored: [],
  };
  for (const [name, value] of entries(query)) {
    if (transportParameters.has(name)) continue;
    const base = name.split(':')[0]!;
    if (resultParameters.has(base)) {
      parseResultParameter(req, name, value, ctx);
      continue;
    }
    if (unsupportedParameters.has(base)) {
      reject(req, ctx, name, `Search parameter "${base}" is not supported`);
      continue;
    }
    const filter = parseFilter(resourceType, name, value, ctx, req);
    if (filter) req.filters.push(filter);
  }
  return req;
}

interface ParseContext {
  registry: SearchParameterRegistry;
  lenient: boolean;
  timeZone: string;
  baseUrl: string | undefined;
}

function entries(query: SearchQuery): Array<[string, string]> {
  if (query instanceof URLSearchParams) return [...query.entries()];
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v]);
  }
  return out;
}

function invalid(message: string, name: string): FhirError {
  return new FhirError('invalid-search', message, { expression: [name] });
}

/** Unknown or unsupported parameter: an error, or under lenient handling a note in `ignored`. */
function reject(req: SearchRequest, ctx: ParseContext, name: string, reason: string): undefined {
  if (!ctx.lenient) throw invalid(reason, name);
  req.ignored.push({ name, reason });
  return undefined;
}

// Filters -------------------------------------------------------------------------------------

function parseFilter(
  resourceType: string, name: string, value: string, ctx: ParseContext, req: SearchRequest,
): SearchFilter | undefined {
  if (name.startsWith('_has:')) return parseHas(name, value, ctx, req);
  const dot = name.indexOf('.');
  if (dot > 0) return parseChain(resourceType, name, dot, value, ctx, req);

  const [code, modifier, ...extra] = name.split(':') as [string, ...string[]];
  const param = ctx.registry.get(resourceType, code);
  if (!param || !param.expression) return reject(req, ctx, name, `Unknown search parameter "${code}" for ${resourceType}`);
  if (extra.length > 0) throw invalid(`Malformed search parameter name "${name}"`, name);
  if (param.type === 'composite' || param.type === 'special') {
    return reject(req, ctx, name, `Search parameter "${code}" of type ${param.type} is not supported yet`);
  }
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw invalid(`:missing takes true or false, not "${value}"`, name);
    return { kind: 'parameter', code, param, modifier: undefined, missing: value === 'true', values: [] };
  }
  if (modifier !== undefined && !modifierAllowed(param, modifier, ctx)) {
    return reject(req, ctx, name, `Modifier ":${modifier}" is not supported for ${param.type} parameter "${code}"`);
  }
  const values = splitValues(value).map((v) => parseValue(param, modifier, v, name, ctx));
  if (values.length === 0) throw invalid(`Search parameter "${name}" has no value`, name);
  return { kind: 'parameter', code, param, modifier, values } satisfies ParameterFilter;
}

/** http://hl7.org/fhir/R4/search.html#modifiers, as far as implemented. */
function modifierAllowed(param: SearchParameterDefinition, modifier: string, ctx: ParseContext): boolean {
  switch (param.type) {
    case 'string': return modifier === 'exact' || modifier === 'contains';
    case 'token': return modifier === 'not' || modifier === 'text' || (modifier === 'of-type' && param.code === 'identifier');
    case 'uri': return modifier === 'above' || modifier === 'below';
    case 'reference':
      return modifier === 'identifier'
        || (ctx.registry.resourceTypes.has(modifier) && (param.targets.length === 0 || param.targets.includes(modifier)));
    default: return false;
  }
}

/** `subject:Patient.name=peter` (http://hl7.org/fhir/R4/search.html#chaining). */
function parseChain(
  resourceType: string, name: string, dot: number, value: string, ctx: ParseContext, req: SearchRequest,
): SearchFilter | undefined {
  const [code, typeModifier] = name.slice(0, dot).split(':') as [string, string | undefined];
  const param = ctx.registry.get(resourceType, code);
  if (!param || param.type !== 'reference') {
    return reject(req, ctx, name, `Chained parameter "${code}" is not a reference parameter of ${resourceType}`);
  }
  const candidates = typeModifier ? [typeModifier] : param.targets;
  if (candidates.length !== 1) {
    throw invalid(`Chained parameter "${code}" can refer to several types; name one, e.g. ${code}:${candidates[0] ?? 'Patient'}`, name);
  }
  const targetType = candidates[0]!;
  const filter = parseFilter(targetType, name.slice(dot + 1), value, ctx, req);
  return filter ? { kind: 'chain', code, param, targetType, filter } : undefined;
}

/** `_has:Observation:patient:code=1234-5` (http://hl7.org/fhir/R4/search.html#has). */
function parseHas(name: string, value: string, ctx: ParseContext, req: SearchRequest): SearchFilter | undefined {
  const m = /^_has:([A-Za-z]+):([^:]+):(.+)$/.exec(name);
  if (!m) throw invalid(`Malformed _has parameter "${name}"`, name);
  const [, sourceType, refCode, rest] = m as unknown as [string, string, string, string];
  const referenceParam = ctx.registry.get(sourceType, refCode);
  if (!ctx.registry.resourceTypes.has(sourceType) || !referenceParam || referenceParam.type !== 'reference') {
    return reject(req, ctx, name, `_has: "${refCode}" is not a reference parameter of ${sourceType}`);
  }
  const filter = parseFilter(sourceType, rest, value, ctx, req);
  return filter ? { kind: 'has', resourceType: sourceType, referenceParam, filter } : undefined;
}

/** Splits on unescaped commas and undoes `\,` `\|` `\$` `\\` (http://hl7.org/fhir/R4/search.html#escaping) later, per part. */
export function splitValues(value: string): string[] {
  return splitEscaped(value, ',').filter((v) => v.length > 0);
}

function splitEscaped(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[i + 1];
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}

function parseValue(
  param: SearchParameterDefinition, modifier: string | undefined, raw: string, name: string, ctx: ParseContext,
): SearchValue {
  switch (param.type) {
    case 'string':
      return { kind: 'string', text: unescape(raw) };
    case 'uri':
      return { kind: 'uri', value: unescape(raw) };
    case 'token':
      return parseToken(modifier, raw, name);
    case 'reference':
      return parseReference(modifier, raw, ctx);
    case 'date': {
      const { prefix, rest } = splitPrefix(raw);
      const range = dateRange(rest, ctx.timeZone);
      if (!range) throw invalid(`"${raw}" is not a valid date for "${name}"`, name);
      return { kind: 'date', prefix, text: rest, range };
    }
    case 'number': {
      const { prefix, rest } = splitPrefix(raw);
      const range = decimalRange(rest);
      if (!range) throw invalid(`"${raw}" is not a valid number for "${name}"`, name);
      return { kind: 'number', prefix, range };
    }
    case 'quantity': {
      const [number = '', system, code] = splitEscaped(raw, '|');
      const { prefix, rest } = splitPrefix(number);
      const range = decimalRange(rest);
      if (!range) throw invalid(`"${raw}" is not a valid quantity for "${name}"`, name);
      return {
        kind: 'quantity', prefix, range,
        system: system ? unescape(system) : undefined,
        code: code ? unescape(code) : undefined,
      };
    }
    default:
      throw invalid(`Search parameter "${name}" of type ${param.type} is not supported yet`, name);
  }
}

function splitPrefix(raw: string): { prefix: Prefix; rest: string } {
  const head = raw.slice(0, 2) as Prefix;
  if (prefixes.has(head) && raw.length > 2) return { prefix: head, rest: raw.slice(2) };
  return { prefix: 'eq', rest: raw };
}

/** `code`, `system|code`, `|code`, `system|` (http://hl7.org/fhir/R4/search.html#token). */
function parseToken(modifier: string | undefined, raw: string, name: string): SearchValue {
  if (modifier === 'text') return { kind: 'token', system: undefined, code: undefined, text: unescape(raw) };
  const parts = splitEscaped(raw, '|').map(unescape);
  if (modifier === 'of-type') {
    if (parts.length !== 3 || !parts[1] || !parts[2]) {
      throw invalid(`identifier:of-type takes system|code|value, not "${raw}"`, name);
    }
    return { kind: 'of-type', typeSystem: parts[0]!, typeCode: parts[1], value: parts[2] };
  }
  if (parts.length === 1) return { kind: 'token', system: undefined, code: parts[0], text: raw };
  if (parts.length !== 2) throw invalid(`"${raw}" is not a valid token for "${name}"`, name);
  const [system, code] = parts as [string, string];
  return { kind: 'token', system: system === '' ? null : system, code: code === '' ? undefined : code, text: raw };
}

/** `id`, `Type/id`, `[url]`, with `:Type` as the type (http://hl7.org/fhir/R4/search.html#reference). */
function parseReference(modifier: string | undefined, raw: string, ctx: ParseContext): SearchValue {
  let value = unescape(raw);
  if (modifier === 'identifier') {
    const parts = splitEscaped(raw, '|').map(unescape);
    return parts.length >= 2
      ? { kind: 'token', system: parts[0] === '' ? null : parts[0], code: parts[1] || undefined, text: raw }
      : { kind: 'token', system: undefined, code: parts[0], text: raw };
  }
  if (ctx.baseUrl && value.startsWith(`${ctx.baseUrl}/`)) value = value.slice(ctx.baseUrl.length + 1);
  const typeModifier = modifier && modifier !== 'identifier' ? modifier : undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return { kind: 'reference', url: value, type: typeModifier };
  const m = /^([A-Z][A-Za-z]+)\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(value);
  if (m && ctx.registry.resourceTypes.has(m[1]!)) {
    // `subject:Device=Patient/example` names two types: no resource can match (kept, not an error).
    if (typeModifier && typeModifier !== m[1]) return { kind: 'reference', type: typeModifier, id: undefined, url: undefined };
    return { kind: 'reference', type: m[1], id: m[2] };
  }
  return { kind: 'reference', type: typeModifier, id: value };
}

// Result parameters ---------------------------------------------------------------------------

function parseResultParameter(req: SearchRequest, name: string, value: string, ctx: ParseContext): void {
  const [base, modifier] = name.split(':') as [string, string | undefined];
  switch (base) {
    case '_count':
      req.count = nonNegativeInteger(value, name);
      return;
    case '_offset':
      req.offset = nonNegativeInteger(value, name);
      return;
    case '_total':
      if (!totalModes.has(value as TotalMode)) throw invalid(`_total takes none, estimate or accurate, not "${value}"`, name);
      req.total = value as TotalMode;
      return;
    case '_summary':
      if (!summaryModes.has(value as SummaryMode)) throw invalid(`_summary takes true, text, data, count or false, not "${value}"`, name);
      req.summary = value as SummaryMode;
      return;
    case '_elements':
      req.elements = [...(req.elements ?? []), ...value.split(',').map((e) => e.trim()).filter((e) => e.length > 0)];
      return;
    case '_sort':
      for (const item of value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
        const rule = parseSort(req.resourceType, item, ctx, req);
        if (rule) req.sort.push(rule);
      }
      return;
    case '_include':
    case '_revinclude': {
      if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') {
        reject(req, ctx, name, `Modifier ":${modifier}" is not supported on ${base}`);
        return;
      }
      const rule = parseInclude(base, value, modifier !== undefined, ctx, req, name);
      if (rule) (base === '_include' ? req.include : req.revinclude).push(rule);
      return;
    }
  }
}

function nonNegativeInteger(value: string, name: string): number {
  if (!/^\d{1,9}$/.test(value)) throw invalid(`${name} takes a non-negative integer, not "${value}"`, name);
  return Number(value);
}

/** http://hl7.org/fhir/R4/search.html#sort */
function parseSort(resourceType: string, item: string, ctx: ParseContext, req: SearchRequest): SortRule | undefined {
  const descending = item.startsWith('-');
  const code = descending ? item.slice(1) : item;
  if (code === '_id' || code === '_lastUpdated') return { code, param: undefined, descending };
  const param = ctx.registry.get(resourceType, code);
  if (!param || !param.expression) return reject(req, ctx, `_sort=${item}`, `Unknown sort parameter "${code}" for ${resourceType}`);
  if (!sortableTypes.has(param.type)) {
    return reject(req, ctx, `_sort=${item}`, `Sorting by ${param.type} parameter "${code}" is not supported`);
  }
  return { code, param, descending };
}

/** `Source:param[:Target]` or `*` (http://hl7.org/fhir/R4/search.html#include). */
function parseInclude(
  base: string, value: string, iterate: boolean, ctx: ParseContext, req: SearchRequest, name: string,
): IncludeRule | undefined {
  if (value === '*') return { sourceType: req.resourceType, param: undefined, targetType: undefined, iterate };
  const [sourceType, code, targetType, ...extra] = value.split(':');
  if (!sourceType || !code || extra.length > 0) throw invalid(`Malformed ${base} value "${value}"`, name);
  if (code === '*') return { sourceType, param: undefined, targetType, iterate };
  const param = ctx.registry.get(sourceType, code);
  if (!ctx.registry.resourceTypes.has(sourceType) || !param || param.type !== 'reference') {
    return reject(req, ctx, `${name}=${value}`, `"${code}" is not a reference parameter of ${sourceType}`);
  }
  if (targetType !== undefined && !ctx.registry.resourceTypes.has(targetType)) {
    throw invalid(`Unknown resource type "${targetType}" in ${base}`, name);
  }
  return { sourceType, param, targetType, iterate };
}
