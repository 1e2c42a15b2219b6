// A search as plain data (http://hl7.org/fhir/R4/search.html), produced by parse.ts and consumed
// by sql.ts (and later by the REST handler for paging links, _include and _summary). Keeping it a
// plain structure lets each step be tested alone and keeps user text out of SQL text.
import type { SearchParameterDefinition } from '../definitions/search-parameters.ts';
import type { InstantRange } from './date-range.ts';
import type { DecimalRange } from './decimal-range.ts';

/** http://hl7.org/fhir/R4/search.html#prefix */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

export type StringModifier = 'exact' | 'contains';
export type TokenModifier = 'not' | 'text' | 'of-type' | 'in' | 'not-in';
export type UriModifier = 'above' | 'below';

export interface StringValue { kind: 'string'; text: string }
/** `system` undefined = any system; null = explicitly no system (`|code`). `code` undefined = any code (`system|`). */
export interface TokenValue { kind: 'token'; system: string | null | undefined; code: string | undefined; text: string }
/** `identifier:of-type=typeSystem|typeCode|value` (http://hl7.org/fhir/R4/search.html#token). */
export interface OfTypeValue { kind: 'of-type'; typeSystem: string; typeCode: string; value: string }
/** Any of `type`, `id`, `url` may be set: `123`, `Patient/123`, `http://other/fhir/Patient/123`, a canonical. */
export interface ReferenceValue { kind: 'reference'; type?: string; id?: string; url?: string }
export interface DateValue { kind: 'date'; prefix: Prefix; text: string; range: InstantRange }
export interface NumberValue { kind: 'number'; prefix: Prefix; range: DecimalRange }
export interface QuantityValue {
  kind: 'quantity'; prefix: Prefix; range: DecimalRange; system: string | undefined; code: string | undefined;
}
export interface UriValue { kind: 'uri'; value: string }
/** `code:in=[url]`: the expansion of the value set as parallel system / code lists. */
export interface ValueSetValue { kind: 'value-set'; url: string; systems: string[]; codes: string[] }
/** `a$b` (http://hl7.org/fhir/R4/search.html#composite): one value per component, in definition order. */
export interface CompositeValue { kind: 'composite'; components: SearchValue[] }

export type SearchValue =
  | StringValue | TokenValue | OfTypeValue | ReferenceValue | DateValue | NumberValue | QuantityValue | UriValue
  | CompositeValue | ValueSetValue;

/** One `name[:modifier]=v1,v2` on a parameter of the searched type; values are ORed. */
export interface ParameterFilter {
  kind: 'parameter';
  /** The parameter as written, without modifier (`family`, `_id`). */
  code: string;
  param: SearchParameterDefinition;
  /**
   * `exact`, `contains`, `not`, `text`, `of-type`, `in`, `not-in`, `identifier`, `above`, `below`, or for references
   * a resource type (`subject:Patient=123`); undefined for none. `:missing` is carried in `missing`.
   */
  modifier: string | undefined;
  /** `:missing=true|false`; when set, `values` is empty. */
  missing?: boolean;
  values: SearchValue[];
}

/**
 * `subject:Patient.name=peter` (http://hl7.org/fhir/R4/search.html#chaining): resources whose
 * reference `param` points at a resource of one of `targets` matching that target's `filter`.
 * Without a type modifier a reference that can point at several types is resolved over every
 * target type that has the chained parameter, so `targets` may hold more than one.
 */
export interface ChainFilter {
  kind: 'chain';
  code: string;
  param: SearchParameterDefinition;
  targets: ChainTarget[];
}

export interface ChainTarget {
  targetType: string;
  filter: SearchFilter;
}

/**
 * `_has:Observation:patient:code=1234-5` (http://hl7.org/fhir/R4/search.html#has): resources
 * referenced by a `resourceType` resource through its `referenceParam`, that resource matching
 * `filter`.
 */
export interface HasFilter {
  kind: 'has';
  resourceType: string;
  referenceParam: SearchParameterDefinition;
  filter: SearchFilter;
}

export type SearchFilter = ParameterFilter | ChainFilter | HasFilter;

export interface SortRule {
  code: string;
  /** Undefined for `_id` and `_lastUpdated`, which sort on fhir_resource columns. */
  param: SearchParameterDefinition | undefined;
  descending: boolean;
}

/** `_include=Observation:patient[:Patient]`, `_revinclude=...`, optionally `:iterate`. */
export interface IncludeRule {
  sourceType: string;
  /** Undefined for `*` (all reference parameters). */
  param: SearchParameterDefinition | undefined;
  targetType: string | undefined;
  iterate: boolean;
}

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';
export type TotalMode = 'none' | 'estimate' | 'accurate';

/** A parameter left out under `Prefer: handling=lenient`, reported back to the client. */
export interface IgnoredParameter {
  name: string;
  reason: string;
}

export interface SearchRequest {
  resourceType: string;
  /** ANDed; each filter ORs its own values. */
  filters: SearchFilter[];
  sort: SortRule[];
  count: number | undefined;
  offset: number | undefined;
  total: TotalMode | undefined;
  summary: SummaryMode | undefined;
  elements: string[] | undefined;
  include: IncludeRule[];
  revinclude: IncludeRule[];
  ignored: IgnoredParameter[];
}
