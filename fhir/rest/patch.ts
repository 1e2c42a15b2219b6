// patch — http://hl7.org/fhir/R4/http.html#patch with JSON Patch (RFC 6902) or FHIRPath Patch
// (http://hl7.org/fhir/R4/fhirpatch.html, a Parameters resource). The read, the patch and the update
// happen in one transaction with the row locked, so concurrent patches never lose each other.
import jsonPatch from 'fast-json-patch';
import { FhirError } from '../outcome.ts';
import { applyFhirPathPatch } from './fhirpath-patch.ts';
import { parseETag, writeResponse } from './headers.ts';
import type { Resource } from '../types.ts';
import type { Handler } from './types.ts';

const jsonPatchTypes = ['application/json-patch+json'];
// FHIRPath Patch travels in the ordinary FHIR JSON format (http.html#patch).
const fhirJsonTypes = ['application/fhir+json', 'application/json', 'application/json+fhir'];

export const patch: Handler = async (req, ctx, route) => {
  const contentType = (req.headers.contentType ?? '').split(';')[0].trim().toLowerCase();
  const operations = req.body;
  const fhirPathPatch = fhirJsonTypes.includes(contentType) && isParameters(operations);
  if (!fhirPathPatch) checkJsonPatch(contentType, operations);
  const ifMatch = req.headers.ifMatch ? parseETag(req.headers.ifMatch, 'If-Match') : undefined;
  return ctx.repo.transaction(async (repo) => {
    const id = route.id ?? await matchOne(repo, route.resourceType!, req.query);
    await repo.prefetch([{ resourceType: route.resourceType!, id }]);
    const current = await repo.read(route.resourceType!, id);
    if (ifMatch !== undefined && ifMatch !== current.versionId) {
      throw new FhirError('version-conflict', `${route.resourceType}/${id} is at version ${current.versionId}, not ${ifMatch}`);
    }
    const patched = fhirPathPatch
      ? applyFhirPathPatch(JSON.parse(current.json!) as Resource, operations)
      : applyJsonPatch(current.json!, operations as jsonPatch.Operation[]);
    if (patched.resourceType !== route.resourceType || patched.id !== id) {
      throw new FhirError('unprocessable', 'A patch must not change resourceType or id');
    }
    const result = await repo.update(patched, { ifMatch: current.versionId });
    return writeResponse(req, { ...ctx, repo }, result.version, 200, `Patched ${route.resourceType}/${id}`);
  });
};

function checkJsonPatch(contentType: string, operations: unknown): void {
  if (!jsonPatchTypes.includes(contentType)) {
    // A FHIR JSON body that is not a Parameters resource is a malformed FHIRPath Patch, not an unknown format.
    if (fhirJsonTypes.includes(contentType) && !Array.isArray(operations)) {
      throw new FhirError('invalid-request', 'A FHIRPath Patch body must be a Parameters resource');
    }
    throw new FhirError('unsupported-media-type', `PATCH takes a JSON Patch document (application/json-patch+json) or a FHIRPath Patch Parameters resource (application/fhir+json), not ${contentType || 'an unnamed type'}`);
  }
  const invalid = Array.isArray(operations) ? jsonPatch.validate(operations as jsonPatch.Operation[]) : undefined;
  if (!Array.isArray(operations) || invalid) {
    throw new FhirError('invalid-request', `The JSON Patch document is invalid${invalid ? ': ' + invalid.message.split('\n')[0] : ''}`);
  }
}

function applyJsonPatch(json: string, operations: jsonPatch.Operation[]): Resource {
  try {
    return jsonPatch.applyPatch(JSON.parse(json), operations, true, false).newDocument as Resource;
  } catch (err) {
    // A failed `test` operation or a path that does not exist: the patch cannot apply (RFC 6902 §5).
    throw new FhirError('unprocessable', `The patch cannot be applied: ${(err as Error).message.split('\n')[0]}`);
  }
}

function isParameters(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as Resource).resourceType === 'Parameters';
}

async function matchOne(repo: import('../storage/repository.ts').Repository, resourceType: string, criteria: URLSearchParams): Promise<string> {
  const matches = await repo.findMatches(resourceType, criteria, 2);
  if (matches.length === 0) throw new FhirError('not-found', `No ${resourceType} matches the patch criteria`);
  if (matches.length > 1) throw new FhirError('multiple-matches', `The patch criteria match several ${resourceType} resources`);
  return matches[0].id;
}
