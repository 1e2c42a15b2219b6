// $reindex on a type: registers the stored custom SearchParameters for it and rebuilds the search
// index of every current resource of that type, so new parameters find existing data. HAPI and
// Medplum offer the same operation; R4 defines none, hence a local OperationDefinition.
import { FhirError } from '../outcome.ts';
import { registerFor } from '../definitions/custom-search-parameters.ts';
import type { Operation } from './operation.ts';

export const reindexOperation: Operation = {
  definition: {
    resourceType: 'OperationDefinition', id: 'reindex', url: 'https://open-his.example.org/fhir/OperationDefinition/reindex',
    name: 'Reindex', status: 'active', kind: 'operation', code: 'reindex', system: false, type: true, instance: false,
    resource: ['Resource'], affectsState: true,
    parameter: [
      { name: 'resourceCount', use: 'out', min: 1, max: '1', type: 'integer' },
      { name: 'parameter', use: 'out', min: 0, max: '*', type: 'string' },
    ],
  },
  async handle(_req, ctx, target) {
    if (!target.resourceType) throw new FhirError('invalid-request', '$reindex runs on one resource type, e.g. POST /fhir/Observation/$reindex');
    const added = await registerFor(ctx.db, ctx.registry, target.resourceType);
    const count = await ctx.repo.reindex(target.resourceType);
    return {
      status: 200,
      headers: {},
      body: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'resourceCount', valueInteger: count },
          ...added.map((code) => ({ name: 'parameter', valueString: code })),
        ],
      },
    };
  },
};
