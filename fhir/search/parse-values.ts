// Search values as written in the URL → typed SearchValues (http://hl7.org/fhir/R4/search.html#ptypes,
// #prefix, #escaping, #composite). Split from parse.ts, which handles parameter names and structure.
import { FhirError } from '../outcome.ts';
import type { SearchParameterDefinition, SearchParameterRegistry } from '../definitions/search-parameters.ts';
import { expandValueSet } from '../validation/valuesets.ts';
import { dateRange } from './date-range.ts';
import { decimalRange } from './decimal-range.ts';
import type { Prefix, SearchValue } from './search-request.ts';

/** What value parsing needs to know of the request. */
export interface ValueContext {
  registry: SearchParameterRegistry;
  timeZone: string;
  /** This server's base URL: absolute references to it are searched as relative ones. */
  baseUrl: string | undefined;
}

const prefixes = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export function invalid(message: string, name: string): FhirError {
  return new FhirError('invalid-search', message, { expression: [name] });
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

export function parseValue(
  param: SearchParameterDefinition, modifier: string | undefined, raw: string, name: string, ctx: ValueContext,
): SearchValue {
  switch (param.type) {
    case 'string':
      return { kind: 'string', text: unescape(raw) };
    case 'uri':
      return { kind: 'uri', value: unescape(raw) };
    case 'token':
      if (modifier === 'in' || modifier === 'not-in') return parseValueSet(raw, name);
      return parseToken(modifier, raw, name);
    case 'composite':
      return parseComposite(param, raw, name, ctx);
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

/**
 * `code:in=[ValueSet url]` (http://hl7.org/fhir/R4/search.html#token): the value set is expanded
 * here from the locally known definitions; one that cannot be expanded completely is refused
 * rather than searched with a partial code list.
 */
function parseValueSet(raw: string, name: string): SearchValue {
  const url = unescape(raw);
  const expansion = expandValueSet(url);
  if (!expansion) throw invalid(`Value set "${url}" is unknown or cannot be expanded locally`, name);
  const systems: string[] = [];
  const codes: string[] = [];
  for (const [system, set] of expansion.systems) {
    for (const code of set) {
      systems.push(system);
      codes.push(code);
    }
  }
  return { kind: 'value-set', url, systems, codes };
}

/**
 * The component definitions of a composite parameter, each with the parameter it refers to
 * (SearchParameter.component.definition); undefined when one of them is unknown.
 */
export function compositeComponents(
  param: SearchParameterDefinition, ctx: { registry: SearchParameterRegistry },
): SearchParameterDefinition[] | undefined {
  if (param.components.length < 2) return undefined;
  const out: SearchParameterDefinition[] = [];
  for (const component of param.components) {
    const sp = ctx.registry.getByUrl(component.definition);
    if (!sp || sp.type === 'composite' || sp.type === 'special') return undefined;
    out.push({
      code: sp.code, resourceType: param.resourceType, type: sp.type, expression: component.expression,
      targets: sp.target ?? [], components: [], url: sp.url,
    });
  }
  return out;
}

/**
 * `code-value-quantity=http://loinc.org|8480-6$gt100` (http://hl7.org/fhir/R4/search.html#composite):
 * the value splits on unescaped `$` into one value per component, each parsed by its component's
 * type; commas have already separated whole composite values.
 */
function parseComposite(param: SearchParameterDefinition, raw: string, name: string, ctx: ValueContext): SearchValue {
  const components = compositeComponents(param, ctx)!;
  const parts = splitEscaped(raw, '$');
  if (parts.length !== components.length) {
    throw invalid(`"${raw}" does not have the ${components.length} \$-separated parts of "${name}"`, name);
  }
  return { kind: 'composite', components: parts.map((part, i) => parseValue(components[i]!, undefined, part, name, ctx)) };
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
function parseReference(modifier: string | undefined, raw: string, ctx: ValueContext): SearchValue {
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
