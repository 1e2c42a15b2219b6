// $validate — http://hl7.org/fhir/R4/resource-operation-validate.html. Always answers 200 with an
// OperationOutcome listing the problems (an empty list is stated as an informational issue).
import { FhirError, informational, type OperationOutcome } from '../outcome.ts';
import { validateResource } from '../validation/validate.ts';
import type { Resource } from '../types.ts';
import type { Operation } from './operation.ts';

function resourceFromBody(body: unknown): Resource | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Resource;
  if (b.resourceType === 'Parameters' && Array.isArray(b.parameter)) {
    const param = (b.parameter as { name?: string; resource?: Resource }[]).find((p) => p.name === 'resource');
    return param?.resource;
  }
  return b;
}

export const validateOperation: Operation = {
  definition: {
    resourceType: 'OperationDefinition', id: 'Resource-validate', url: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
    name: 'Validate', status: 'active', kind: 'operation', code: 'validate', system: false, type: true, instance: true,
    resource: ['Resource'], affectsState: false,
    parameter: [
      { name: 'resource', use: 'in', min: 0, max: '1', type: 'Resource' },
      { name: 'mode', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'profile', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'OperationOutcome' },
    ],
  },
  async handle(req, ctx, target) {
    let resource = req.method === 'POST' ? resourceFromBody(req.body) : undefined;
    if (!resource && target.id) resource = JSON.parse((await ctx.repo.read(target.resourceType!, target.id)).json!) as Resource;
    if (!resource) throw new FhirError('invalid-request', '$validate needs a resource in the body (or a Parameters with a "resource" parameter)');
    if (target.resourceType && resource.resourceType !== target.resourceType) {
      throw new FhirError('invalid-request', `$validate on ${target.resourceType} was given a ${String(resource.resourceType)}`);
    }
    const issues = validateResource(resource);
    const outcome: OperationOutcome = issues.length > 0
      ? { resourceType: 'OperationOutcome', issue: issues }
      : informational('The resource is valid against the FHIR R4 base definitions');
    return { status: 200, headers: {}, body: outcome };
  },
};
