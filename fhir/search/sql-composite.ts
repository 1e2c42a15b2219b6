// Composite parameters (http://hl7.org/fhir/R4/search.html#composite) over fhir_sp_composite: one
// row per value of each component, rows of one element instance sharing `grp`. A composite value
// matches when every component matches a row of the same instance, so that
// `code-value-quantity=http://loinc.org|8480-6$gt100` does not match a systolic code beside a
// diastolic value of another component.
import { FhirError } from '../outcome.ts';
import type { ParameterFilter, SearchValue } from './search-request.ts';
import type { SqlBuilder } from './sql.ts';

export function compositeCondition(b: SqlBuilder, filter: ParameterFilter, o: string): string {
  const size = filter.values[0]?.kind === 'composite' ? filter.values[0].components.length : 0;
  if (size < 2) throw new FhirError('invalid-search', `Composite parameter "${filter.code}" has no value`);
  const aliases = Array.from({ length: size }, () => b.alias());
  const first = aliases[0]!;
  const joins = aliases.slice(1).map((a, i) => ` JOIN fhir_sp_composite ${a} ON ${a}.resource_type = ${first}.resource_type`
    + ` AND ${a}.id = ${first}.id AND ${a}.param = ${first}.param AND ${a}.grp = ${first}.grp AND ${a}.component = ${i + 1}`).join('');
  const alternatives = filter.values.map((value) => {
    if (value.kind !== 'composite' || value.components.length !== size) return 'FALSE';
    return value.components.map((component, i) => `(${componentCondition(b, component).replaceAll('{a}', aliases[i]!)})`).join(' AND ');
  });
  return `EXISTS (SELECT 1 FROM fhir_sp_composite ${first}${joins} WHERE ${b.owner(first, o)}`
    + ` AND ${first}.param = ${b.bind(filter.code)} AND ${first}.component = 0`
    + ` AND (${alternatives.map((c) => `(${c})`).join(' OR ')}))`;
}

/** The condition on one component's row; numeric values sit in the `number` column. */
function componentCondition(b: SqlBuilder, v: SearchValue): string {
  switch (v.kind) {
    case 'string': return b.stringCondition(undefined, v);
    case 'token': return b.tokenCondition(v);
    case 'reference': return b.referenceCondition(v);
    case 'date': return b.dateCondition(v);
    case 'number': return b.numberCondition(v, '{a}.number');
    case 'quantity': return b.quantityCondition(v, '{a}.number');
    case 'uri': return b.uriCondition(undefined, v);
    default: return 'FALSE';
  }
}
