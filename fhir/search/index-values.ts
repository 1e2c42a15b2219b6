// Resource → the rows it contributes to the search index tables.
// Value conversion follows the table "search parameter types" × "data types" of
// http://hl7.org/fhir/R4/search.html#ptypes (string, token, reference, date, number, quantity, uri).
//
// Encoding choices beyond the plain columns (the search compiler relies on them):
// - `_id` and `_lastUpdated` are not indexed: fhir_resource.id / last_updated answer them.
// - Identifier: besides the `<code>` token row (system = Identifier.system, code = Identifier.value),
//   one row per Identifier.type coding under param `<code>:of-type` with system = the type coding's
//   system and code = `<type code>|<value>`, for `identifier:of-type=system|code|value`
//   (http://hl7.org/fhir/R4/search.html#token).
// - Reference.identifier: a token row under param `<code>:identifier` (system, code = value), for
//   the `:identifier` modifier (http://hl7.org/fhir/R4/search.html#reference).
// - CodeableConcept.text and Coding.display go to text_norm for `:text`; a CodeableConcept with text
//   but no coding still gives a row (code null).
// - ContactPoint: code = value, system = ContactPoint.system (phone, email, ...). R4 names no token
//   system for ContactPoint; using its `system` lets `telecom=phone|…` work and costs nothing else.
// - ContactPoint also gives a row without a system, since R4 maps only ContactPoint.value to a token:
//   `telecom=|value` ("no system", http://hl7.org/fhir/R4/search.html#token) then matches too.
// - Composite parameters go to fhir_sp_composite (composite-values.ts); special parameters
//   (Location `near`) are not indexed.
import type { Resource } from '../types.ts';
import {
  defaultRegistry, type SearchParameterDefinition, type SearchParameterRegistry, type SearchParamType,
} from '../definitions/search-parameters.ts';
import { compileExpression, type Evaluator, type TypedValue } from './expression-plan.ts';
import { emptyIndexRows, type IndexRows } from './index-rows.ts';
import { normalizeString } from './normalize.ts';
import { dateRange, defaultTimeZone, isoInstant } from './date-range.ts';
import { decimalRange } from './decimal-range.ts';
import { referenceTarget } from './reference-target.ts';
import { compositePlan, type CompositePlan } from './composite-values.ts';

export interface IndexOptions {
  /** IANA zone for date/times written without an offset. Default Asia/Shanghai. */
  timeZone?: string;
}

export type IndexRowExtractor = (resource: Resource) => IndexRows;

interface ParamPlan {
  code: string;
  type: SearchParamType;
  evaluate: Evaluator;
}

/** Parameters answered from fhir_resource columns rather than index rows. */
const unindexed = new Set(['_id', '_lastUpdated']);
const indexedTypes = new Set<SearchParamType>(['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri']);

/**
 * An extractor bound to `registry`. Expressions are compiled once per resource type and recompiled
 * when the registry changes (a custom SearchParameter was added).
 */
export function createIndexRowExtractor(
  registry: SearchParameterRegistry = defaultRegistry(), options: IndexOptions = {},
): IndexRowExtractor {
  const timeZone = options.timeZone ?? defaultTimeZone;
  const plans = new Map<string, TypePlan>();
  let planVersion = registry.version;
  const ctx: ConversionContext = { timeZone, resourceTypes: registry.resourceTypes, seen: new Set() };
  const componentCtx: ConversionContext = { timeZone, resourceTypes: registry.resourceTypes, seen: new Set() };
  const convertComponent = (code: string, type: SearchParamType, values: TypedValue[]): IndexRows => {
    const rows = emptyIndexRows();
    const plan: ParamPlan = { code, type, evaluate: () => values };
    componentCtx.seen.clear();
    for (const v of values) convert(plan, v, rows, componentCtx);
    return rows;
  };

  const planFor = (resourceType: string): TypePlan => {
    if (registry.version !== planVersion) {
      plans.clear();
      planVersion = registry.version;
    }
    let plan = plans.get(resourceType);
    if (!plan) {
      const params = registry.forType(resourceType);
      plan = {
        params: params.flatMap((p) => paramPlan(p)),
        composites: params.flatMap((p) => {
          const composite = p.type === 'composite' ? compositePlan(p, registry, convertComponent) : undefined;
          return composite ? [composite] : [];
        }),
      };
      plans.set(resourceType, plan);
    }
    return plan;
  };

  return (resource) => {
    const rows = emptyIndexRows();
    const record = resource as unknown as Record<string, unknown>;
    const plan = planFor(resource.resourceType);
    for (const param of plan.params) {
      const values = param.evaluate(record);
      if (values.length === 0) continue;
      ctx.seen.clear();
      for (const v of values) convert(param, v, rows, ctx);
    }
    for (const composite of plan.composites) composite(record, rows.composite);
    return rows;
  };
}

interface TypePlan {
  params: ParamPlan[];
  composites: CompositePlan[];
}

function paramPlan(p: SearchParameterDefinition): ParamPlan[] {
  if (!p.expression || unindexed.has(p.code) || !indexedTypes.has(p.type)) return [];
  return [{ code: p.code, type: p.type, evaluate: compileExpression(p.expression, p.resourceType).evaluate }];
}

const defaultExtractors = new Map<string, IndexRowExtractor>();

/** Index rows of `resource` under the official R4 parameters (plus any added to the default registry). */
export function extractIndexRows(resource: Resource, options: IndexOptions = {}): IndexRows {
  const zone = options.timeZone ?? defaultTimeZone;
  let extractor = defaultExtractors.get(zone);
  if (!extractor) {
    extractor = createIndexRowExtractor(defaultRegistry(), { timeZone: zone });
    defaultExtractors.set(zone, extractor);
  }
  return extractor(resource);
}

interface ConversionContext {
  timeZone: string;
  resourceTypes: ReadonlySet<string>;
  /** Row keys already emitted for the current parameter (one row per distinct value). */
  seen: Set<string>;
}

type Json = Record<string, unknown>;

function convert(param: ParamPlan, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  switch (param.type) {
    case 'string': return stringRows(param.code, v, rows, ctx);
    case 'token': return tokenRows(param.code, v, rows, ctx);
    case 'reference': return referenceRows(param.code, v, rows, ctx);
    case 'date': return dateRows(param.code, v, rows, ctx);
    case 'number': return numberRows(param.code, v, rows, ctx);
    case 'quantity': return quantityRows(param.code, v, rows, ctx);
    case 'uri': return uriRows(param.code, v, rows, ctx);
    default: return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function once(ctx: ConversionContext, key: string): boolean {
  if (ctx.seen.has(key)) return false;
  ctx.seen.add(key);
  return true;
}

// string — http://hl7.org/fhir/R4/search.html#string

const humanNameParts = ['family', 'given', 'prefix', 'suffix', 'text'];
const addressParts = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];

function stringRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  const add = (value: unknown): void => {
    const s = str(value);
    if (s && once(ctx, s)) rows.string.push({ param, value: s, valueNorm: normalizeString(s) });
  };
  const addParts = (obj: Json, parts: string[]): void => {
    for (const part of parts) {
      const x = obj[part];
      if (Array.isArray(x)) x.forEach(add);
      else add(x);
    }
  };
  if (typeof v.value === 'string') return add(v.value);
  if (v.value === null || typeof v.value !== 'object') return;
  const obj = v.value as Json;
  if (v.type === 'HumanName') addParts(obj, humanNameParts);
  else if (v.type === 'Address') addParts(obj, addressParts);
  else if (v.type === 'CodeableConcept') add(obj.text);
}

// token — http://hl7.org/fhir/R4/search.html#token

function tokenRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  const add = (p: string, system: string | null, code: string | null, text: string | null): void => {
    if (code === null && text === null) return;
    const key = `${p}\u0000${system}\u0000${code}\u0000${text}`;
    if (once(ctx, key)) rows.token.push({ param: p, system, code, textNorm: text === null ? null : normalizeString(text) });
  };
  const value = v.value;
  if (typeof value === 'boolean') return add(param, null, String(value), null);
  if (typeof value === 'string' || typeof value === 'number') return add(param, null, String(value), null);
  if (value === null || typeof value !== 'object') return;
  const obj = value as Json;
  switch (v.type) {
    case 'Coding':
      return add(param, str(obj.system) ?? null, str(obj.code) ?? null, str(obj.display) ?? null);
    case 'CodeableConcept': {
      const codings = Array.isArray(obj.coding) ? (obj.coding as Json[]) : [];
      for (const c of codings) {
        if (c && typeof c === 'object') add(param, str(c.system) ?? null, str(c.code) ?? null, str(c.display) ?? null);
      }
      const text = str(obj.text);
      if (text) add(param, null, null, text);
      return;
    }
    case 'Identifier':
      return identifierRows(param, obj, add);
    case 'ContactPoint':
      add(param, str(obj.system) ?? null, str(obj.value) ?? null, null);
      if (str(obj.system)) add(param, null, str(obj.value) ?? null, null);
      return;
    case 'Reference':
      // Some token parameters point at Reference-or-CodeableConcept choices; only the identifier counts.
      if (obj.identifier && typeof obj.identifier === 'object') identifierRows(param, obj.identifier as Json, add);
      return;
    default:
      return undefined;
  }
}

function identifierRows(
  param: string, identifier: Json, add: (p: string, system: string | null, code: string | null, text: string | null) => void,
): void {
  const value = str(identifier.value) ?? null;
  const type = identifier.type as Json | undefined;
  add(param, str(identifier.system) ?? null, value, type ? str(type.text) ?? null : null);
  if (!value || !type || !Array.isArray(type.coding)) return;
  for (const c of type.coding as Json[]) {
    const code = c && str(c.code);
    if (code) add(`${param}:of-type`, str(c.system) ?? null, `${code}|${value}`, null);
  }
}

// reference — http://hl7.org/fhir/R4/search.html#reference

function referenceRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  const add = (targetType: string | null, targetId: string | null, targetUrl: string | null): void => {
    if (once(ctx, `${targetType}/${targetId}\u0000${targetUrl}`)) rows.reference.push({ param, targetType, targetId, targetUrl });
  };
  const value = v.value;
  if (typeof value === 'string') {
    // canonical / uri: http://hl7.org/fhir/R4/references.html#canonical
    const target = referenceTarget(value.split('|')[0]!, ctx.resourceTypes);
    add(target?.targetType ?? null, target?.targetId ?? null, value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Json;
  if (typeof obj.resourceType === 'string') {
    // `Bundle.entry[0].resource`: the value is the resource itself.
    if (typeof obj.id === 'string') add(obj.resourceType, obj.id, null);
    return;
  }
  const reference = str(obj.reference);
  if (reference) {
    const target = referenceTarget(reference, ctx.resourceTypes);
    if (target) add(target.targetType, target.targetId, target.targetUrl);
  }
  const identifier = obj.identifier as Json | undefined;
  if (identifier && typeof identifier === 'object') {
    const system = str(identifier.system) ?? null;
    const code = str(identifier.value) ?? null;
    const p = `${param}:identifier`;
    if (code && once(ctx, `${p}\u0000${system}\u0000${code}`)) rows.token.push({ param: p, system, code, textNorm: null });
  }
}

// date — http://hl7.org/fhir/R4/search.html#date

function dateRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  const add = (low: string | null, high: string | null): void => {
    if ((low !== null || high !== null) && once(ctx, `${low}|${high}`)) rows.date.push({ param, low, high });
  };
  const point = (value: unknown): { low: number; high: number } | undefined =>
    typeof value === 'string' ? dateRange(value, ctx.timeZone) : undefined;
  const value = v.value;
  if (typeof value === 'string') {
    const r = point(value);
    if (r) add(isoInstant(r.low), isoInstant(r.high));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Json;
  if (v.type === 'Period') {
    const start = point(obj.start);
    const end = point(obj.end);
    add(start ? isoInstant(start.low) : null, end ? isoInstant(end.high) : null);
  } else if (v.type === 'Timing') {
    // Timing: each event, and the outer bounds of the repeat (the schedule itself is not expanded).
    if (Array.isArray(obj.event)) {
      for (const e of obj.event) {
        const r = point(e);
        if (r) add(isoInstant(r.low), isoInstant(r.high));
      }
    }
    const bounds = (obj.repeat as Json | undefined)?.boundsPeriod as Json | undefined;
    if (bounds) dateRows(param, { type: 'Period', value: bounds }, rows, ctx);
  }
}

// number and quantity — http://hl7.org/fhir/R4/search.html#number, #quantity

function numberRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  const value = v.value;
  const range = typeof value === 'number' || typeof value === 'string' ? decimalRange(value) : undefined;
  if (range && once(ctx, range.value)) rows.number.push({ param, value: range.value, low: range.low, high: range.high });
}

const currencySystem = 'urn:iso:std:iso:4217';

function quantityRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  if (v.value === null || typeof v.value !== 'object') return;
  const obj = v.value as Json;
  const add = (q: Json, system: string | null, code: string | null, unit: string | null): void => {
    const range = typeof q.value === 'number' || typeof q.value === 'string' ? decimalRange(q.value) : undefined;
    if (!range) return;
    if (once(ctx, `${range.value}|${system}|${code}|${unit}`)) {
      rows.quantity.push({ param, system, code, unit, value: range.value, low: range.low, high: range.high });
    }
  };
  if (v.type === 'Money') {
    add(obj, currencySystem, str(obj.currency) ?? null, str(obj.currency) ?? null);
  } else if (v.type === 'Range') {
    // A Range is searched as its two ends (http://hl7.org/fhir/R4/search.html#quantity notes that
    // servers decide how ranges match; each end is indexed as a quantity).
    for (const end of [obj.low, obj.high]) if (end && typeof end === 'object') quantityRows(param, { type: 'Quantity', value: end }, rows, ctx);
  } else if (v.type !== 'SampledData') {
    // Quantity and its profiles Age, Count, Distance, Duration, SimpleQuantity, MoneyQuantity.
    add(obj, str(obj.system) ?? null, str(obj.code) ?? null, str(obj.unit) ?? null);
  }
}

// uri — http://hl7.org/fhir/R4/search.html#uri

function uriRows(param: string, v: TypedValue, rows: IndexRows, ctx: ConversionContext): void {
  const s = str(v.value);
  if (s && once(ctx, s)) rows.uri.push({ param, value: s });
}
