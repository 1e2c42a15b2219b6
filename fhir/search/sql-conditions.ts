// SQL conditions for the prefixes of ordered values (http://hl7.org/fhir/R4/search.html#prefix).
// Dates compare intervals: a stored value is the closed interval [low, high] it denotes (NULL =
// unbounded on that side) and the search value is the interval of its own precision [ql, qh].
// Numbers compare the stored value with the search value's implicit precision range.
import { isoInstant } from './date-range.ts';
import type { DecimalRange } from './decimal-range.ts';
import type { DateValue, Prefix } from './search-request.ts';

/** Adds a bind parameter and returns its placeholder (`$3`). */
export type Bind = (value: unknown) => string;

/**
 * `low` / `high` are SQL expressions of the stored interval (the same column twice for an instant
 * such as fhir_resource.last_updated).
 */
export function dateCondition(bind: Bind, low: string, high: string, v: DateValue, now: number): string {
  const ql = (): string => `${bind(isoInstant(v.range.low))}::timestamptz`;
  const qh = (): string => `${bind(isoInstant(v.range.high))}::timestamptz`;
  // "the range of the search value fully contains the range of the target value"
  const contained = (): string => `${low} >= ${ql()} AND ${high} <= ${qh()}`;
  switch (v.prefix) {
    case 'eq': return contained();
    case 'ne': return `${low} IS NULL OR ${high} IS NULL OR ${low} < ${ql()} OR ${high} > ${qh()}`;
    // "the range above the search value intersects the range of the target value"
    case 'gt': return `${high} IS NULL OR ${high} > ${qh()}`;
    case 'lt': return `${low} IS NULL OR ${low} < ${ql()}`;
    // … "or the range of the search value fully contains the range of the target value"
    case 'ge': return `${high} IS NULL OR ${high} > ${qh()} OR (${contained()})`;
    case 'le': return `${low} IS NULL OR ${low} < ${ql()} OR (${contained()})`;
    // "does not overlap, and the range above / below the search value contains the target"
    case 'sa': return `${low} > ${qh()}`;
    case 'eb': return `${high} < ${ql()}`;
    case 'ap': {
      // Approximately: the search range widened by 10% of its distance from now, overlapping.
      const gap = Math.round(Math.abs(now - v.range.low) * 0.1);
      const wl = `${bind(isoInstant(v.range.low - gap))}::timestamptz`;
      const wh = `${bind(isoInstant(v.range.high + gap))}::timestamptz`;
      return `(${low} IS NULL OR ${low} <= ${wh}) AND (${high} IS NULL OR ${high} >= ${wl})`;
    }
  }
}

/** `value` is the SQL expression of the stored numeric. */
export function numberCondition(bind: Bind, value: string, prefix: Prefix, range: DecimalRange): string {
  const n = (): string => `${bind(range.value)}::numeric`;
  switch (prefix) {
    // "the value is within the implicit precision range of the search value": [low, high)
    case 'eq': return `${value} >= ${bind(range.low)}::numeric AND ${value} < ${bind(range.high)}::numeric`;
    case 'ne': return `(${value} < ${bind(range.low)}::numeric OR ${value} >= ${bind(range.high)}::numeric)`;
    case 'gt':
    case 'sa': return `${value} > ${n()}`;
    case 'lt':
    case 'eb': return `${value} < ${n()}`;
    case 'ge': return `${value} >= ${n()}`;
    case 'le': return `${value} <= ${n()}`;
    case 'ap': {
      // Within 10% of the value (the spec's recommendation for "approximately").
      const p = n();
      return `${value} >= ${p} - abs(${p}) * 0.1 AND ${value} <= ${p} + abs(${p}) * 0.1`;
    }
  }
}
