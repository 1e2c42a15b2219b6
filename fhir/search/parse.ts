// URL query → SearchRequest (http://hl7.org/fhir/R4/search.html). Every value is parsed and checked
// here, so that sql.ts only ever sees well-formed, typed values.
import {
  defaultRegistry, type SearchParameterDefinition, type SearchParameterRegistry,
} from '../definitions/search-parameters.ts';
import { defaultTimeZone } from './date-range.ts';
import { compositeComponents, invalid, parseValue, splitValues, type ValueContext } from './parse-values.ts';
import type {
  ChainTarget, IncludeRule, ParameterFilter, SearchFilter, SearchRequest, SortRule, SummaryMode, TotalMode,
} from './search-request.ts';

export { splitValues } from './parse-values.ts';

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

interface ParseContext extends ValueContext {
  lenient: boolean;
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
  if (param.type === 'special' || (param.type === 'composite' && compositeComponents(param, ctx) === undefined)) {
    return reject(req, ctx, name, `Search parameter "${code}" of type ${param.type} is not supported`);
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
    case 'token':
      return modifier === 'not' || modifier === 'text' || modifier === 'in' || modifier === 'not-in'
        || (modifier === 'of-type' && param.code === 'identifier');
    case 'uri': return modifier === 'above' || modifier === 'below';
    case 'reference':
      return modifier === 'identifier'
        || (ctx.registry.resourceTypes.has(modifier) && (param.targets.length === 0 || param.targets.includes(modifier)));
    default: return false;
  }
}

/**
 * `subject:Patient.name=peter`, to any depth (http://hl7.org/fhir/R4/search.html#chaining). Without
 * a type modifier the chain is resolved over every target type of the reference that has the
 * chained parameter, as several servers do; it is an error only when none has it.
 */
function parseChain(
  resourceType: string, name: string, dot: number, value: string, ctx: ParseContext, req: SearchRequest,
): SearchFilter | undefined {
  const [code, typeModifier, ...extra] = name.slice(0, dot).split(':') as [string, string | undefined, ...string[]];
  const param = ctx.registry.get(resourceType, code);
  if (!param || param.type !== 'reference' || extra.length > 0) {
    return reject(req, ctx, name, `Chained parameter "${code}" is not a reference parameter of ${resourceType}`);
  }
  const rest = name.slice(dot + 1);
  if (typeModifier !== undefined && !ctx.registry.resourceTypes.has(typeModifier)) {
    throw invalid(`Unknown resource type "${typeModifier}" in chained parameter "${name}"`, name);
  }
  let candidates = typeModifier ? [typeModifier] : param.targets;
  if (candidates.length === 0) {
    throw invalid(`Chained parameter "${code}" can refer to any type; name one, e.g. ${code}:Patient`, name);
  }
  if (!typeModifier && candidates.length > 1) {
    const next = chainedCode(rest);
    candidates = candidates.filter((type) => next.startsWith('_has:') || ctx.registry.get(type, next) !== undefined);
    if (candidates.length === 0) {
      return reject(req, ctx, name, `No target type of "${code}" has a search parameter "${next}"`);
    }
  }
  const targets: ChainTarget[] = [];
  for (const targetType of candidates) {
    const filter = parseFilter(targetType, rest, value, ctx, req);
    if (filter) targets.push({ targetType, filter });
  }
  return targets.length > 0 ? { kind: 'chain', code, param, targets } : undefined;
}

/** The parameter code a chain continues with: `name` of `name:exact`, `subject` of `subject:Patient.name`. */
function chainedCode(rest: string): string {
  if (rest.startsWith('_has:')) return rest;
  return /^[^:.]+/.exec(rest)?.[0] ?? rest;
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
