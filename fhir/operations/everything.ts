// Patient/$everything — http://hl7.org/fhir/R4/patient-operation-everything.html: the patient, every
// resource in its compartment (http://hl7.org/fhir/R4/compartmentdefinition-patient.html) and what
// those refer to, as a searchset Bundle paged with `_count` and the same keyset cursor as searches.
import { FhirError } from '../outcome.ts';
import { dateRange } from '../search/date-range.ts';
import { searchOptions, searchsetResponse } from '../rest/search-type.ts';
import { compartment } from '../definitions/compartments.ts';
import type { Operation } from './operation.ts';

let record: string[] | undefined;
function recordTypes(): string[] {
  record ??= ['Patient', ...compartment('Patient')!.params.keys()].filter((t, i, all) => t !== 'AuditEvent' && all.indexOf(t) === i);
  return record;
}

/** The query of the equivalent search: `_since` is `_lastUpdated=ge…`; `_type`, `_count`, `_cursor` pass on. */
function searchQuery(query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of query) {
    if (name === '_since') {
      if (!dateRange(value, 'UTC')) throw new FhirError('invalid-request', `_since takes an instant, not "${value}"`, { expression: ['_since'] });
      out.append('_lastUpdated', `ge${value}`);
    } else if (name === '_type' || name === '_count' || name === '_cursor' || name === '_total') {
      out.append(name, value);
    }
  }
  return out;
}

export const everythingOperation: Operation = {
  definition: {
    resourceType: 'OperationDefinition', id: 'Patient-everything', url: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
    name: 'Everything', status: 'active', kind: 'operation', code: 'everything', system: false, type: false, instance: true,
    resource: ['Patient'], affectsState: false,
    parameter: [
      { name: '_since', use: 'in', min: 0, max: '1', type: 'instant' },
      { name: '_type', use: 'in', min: 0, max: '*', type: 'code' },
      { name: '_count', use: 'in', min: 0, max: '1', type: 'integer' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
    ],
  },
  appliesTo: (resourceType) => resourceType === 'Patient',
  async handle(req, ctx, target) {
    await ctx.repo.read('Patient', target.id!); // 404 / 410 for a patient that is not there
    const query = searchQuery(req.query);
    // The record, not the log of who read it: AuditEvents are in the Patient compartment, but they
    // come only when _type names them (every $everything would otherwise return its predecessors' records).
    // Of those, the types the caller may search (an explicit _type asking for more is refused).
    if (!query.has('_type')) query.set('_type', recordTypes().filter((t) => ctx.access?.allows(t, 'search') ?? true).join(','));
    const result = await ctx.repo.search(null, query, {
      ...searchOptions(req, ctx), compartment: { resourceType: 'Patient', id: target.id!, withOwner: true }, includeReferenced: true,
    });
    // Links repeat the operation's own parameters (`_since`, not the `_lastUpdated` it became).
    return searchsetResponse(ctx, `Patient/${target.id}/$everything`, req, result);
  },
};
