// Makes an import safe to repeat. A transaction Bundle whose entries POST resources identified by
// `urn:uuid:` fullUrls (Synthea's form) would create copies on every load; the importer instead
// writes each such resource with PUT under that UUID as its id. Loading the same data again is
// then a no-op (an update that changes nothing creates no version), and resources shared between
// bundles (Synthea repeats Organizations and Practitioners) are stored once.
import type { Resource } from '../../fhir/index.ts';
import { idPattern } from '../../fhir/types.ts';

interface Entry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method?: string; url?: string; ifNoneExist?: string };
}

const uuidUrl = /^urn:uuid:([0-9a-fA-F-]{36})$/;

function stableId(entry: Entry): string | undefined {
  const fromUrl = entry.fullUrl ? uuidUrl.exec(entry.fullUrl)?.[1]?.toLowerCase() : undefined;
  const id = fromUrl ?? entry.resource?.id;
  return id && idPattern.test(id) ? id : undefined;
}

/** A transaction that writes `bundle`'s content under stable ids. */
export function idempotentTransaction(bundle: Resource): Resource {
  if (bundle.resourceType !== 'Bundle') return resourcesTransaction([bundle]);
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []) as Entry[];
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    return resourcesTransaction(entries.map((e) => e.resource).filter((r): r is Resource => !!r));
  }
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: entries.map((entry) => {
      const method = entry.request?.method?.toUpperCase();
      const type = entry.resource?.resourceType;
      const id = stableId(entry);
      if (method !== 'POST' || !type || entry.request?.ifNoneExist || !id) return entry;
      return { ...entry, resource: { ...entry.resource!, id }, request: { method: 'PUT', url: `${type}/${id}` } };
    }),
  };
}

/** Plain resources (a single file, a collection, an NDJSON chunk) as one transaction. */
export function resourcesTransaction(resources: Resource[]): Resource {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => (resource.id && idPattern.test(resource.id)
      ? { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }
      : { resource, request: { method: 'POST', url: resource.resourceType } })),
  };
}
