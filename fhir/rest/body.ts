// Checks on the resource a client sends, common to create, update and transaction entries.
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';

export function requireResource(body: unknown, resourceType: string): Resource {
  if (body === undefined || body === null) {
    throw new FhirError('invalid-request', `A ${resourceType} resource is required in the request body`);
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new FhirError('invalid-resource', 'The request body must be a JSON object holding a resource');
  }
  const resource = body as Resource;
  if (resource.resourceType !== resourceType) {
    throw new FhirError('invalid-resource',
      `The resource is a ${JSON.stringify(resource.resourceType ?? null)}, but the URL says ${resourceType}`,
      { expression: ['resourceType'] });
  }
  return resource;
}
