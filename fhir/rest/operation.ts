// Invoking an $operation at system, type or instance level (http://hl7.org/fhir/R4/operations.html#executing).
import { FhirError } from '../outcome.ts';
import { operations } from '../operations/index.ts';
import type { Handler } from './types.ts';

export const operationHandler: Handler = async (req, ctx, route) => {
  const level = route.id ? 'instance' : route.resourceType ? 'type' : 'system';
  const op = (ctx.operations ?? operations).find((o) => o.definition.code === route.operation
    && o.definition[level]
    && (!route.resourceType || !o.appliesTo || o.appliesTo(route.resourceType)));
  if (!op) throw new FhirError('route-not-found', `The operation $${route.operation} is not supported at ${level} level${route.resourceType ? ' on ' + route.resourceType : ''}`);
  if (req.method === 'GET' && op.definition.affectsState) {
    throw new FhirError('method-not-allowed', `$${route.operation} changes data and must be invoked with POST`);
  }
  return op.handle(req, ctx, { resourceType: route.resourceType, id: route.id });
};
