// Kick-off parameters of a Bulk Data export (http://hl7.org/fhir/uv/bulkdata/export.html#query-parameters),
// from the query string (GET) or a Parameters resource (POST). What this server does not support is
// refused with 400, unless the client sent `Prefer: handling=lenient` — then it is ignored and said so
// in the manifest's error file is not needed: the kick-off answer is the place (the IG leaves it open).
import { FhirError } from '../../fhir/index.ts';
import { dateRange } from '../../fhir/search/date-range.ts';
import { splitTypeFilter } from '../../fhir/bulk/type-filter.ts';

export interface ExportParameters {
  /** undefined = every type the caller may read. */
  types?: string[];
  since?: string;
  /** `_typeFilter` queries by resource type (checked by `checkFilter` at kick-off, parsed again by the runner). */
  typeFilters?: Record<string, string[]>;
  /** Parameters ignored under `handling=lenient`. */
  ignored: string[];
}

const formats = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const notSupported = new Set(['patient', 'includeAssociatedData', '_elements']);

interface ParametersBody { resourceType?: string; parameter?: { name?: string; valueString?: string; valueInstant?: string; valueCode?: string; valueDateTime?: string }[] }

export function exportParameters(input: {
  query: URLSearchParams; body?: unknown; lenient: boolean; resourceTypes: ReadonlySet<string>;
  /** Parses one `Type?query` of `_typeFilter`, throwing a FhirError when it is not a search this server runs. */
  checkFilter(text: string): { resourceType: string };
}): ExportParameters {
  const pairs: [string, string][] = [...input.query].filter(([name]) => name !== '_format' && name !== '_pretty');
  if (input.body !== undefined && input.body !== null) {
    const body = input.body as ParametersBody;
    if (body.resourceType !== 'Parameters') throw new FhirError('invalid-request', 'A POST kick-off carries a Parameters resource');
    for (const p of body.parameter ?? []) {
      const value = p.valueString ?? p.valueInstant ?? p.valueCode ?? p.valueDateTime;
      if (p.name && value !== undefined) pairs.push([p.name, value]);
    }
  }
  const out: ExportParameters = { ignored: [] };
  for (const [name, value] of pairs) {
    if (name === '_outputFormat') {
      if (!formats.has(value)) throw new FhirError('invalid-request', `_outputFormat ${value} is not supported: use application/fhir+ndjson`, { expression: ['_outputFormat'] });
    } else if (name === '_since') {
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !dateRange(value, 'UTC')) {
        throw new FhirError('invalid-request', `_since takes an instant such as 2026-01-01T00:00:00Z, not "${value}"`, { expression: ['_since'] });
      }
      out.since = value;
    } else if (name === '_type') {
      const types = value.split(',').map((t) => t.trim()).filter(Boolean);
      const unknown = types.filter((t) => !input.resourceTypes.has(t));
      if (unknown.length > 0) throw new FhirError('invalid-request', `_type names unknown resource types: ${unknown.join(', ')}`, { expression: ['_type'] });
      out.types = [...new Set([...(out.types ?? []), ...types])];
    } else if (name === '_typeFilter') {
      for (const text of splitTypeFilter(value)) {
        const { resourceType } = input.checkFilter(text);
        out.typeFilters ??= {};
        (out.typeFilters[resourceType] ??= []).push(text);
      }
    } else if (input.lenient) {
      out.ignored.push(name);
    } else {
      const why = notSupported.has(name) ? 'is not supported by this server' : 'is not a Bulk Data export parameter';
      throw new FhirError('invalid-request', `${name} ${why} (send Prefer: handling=lenient to have it ignored)`, { expression: [name] });
    }
  }
  return out;
}
