// Whether two versions of a resource carry the same content, ignoring the server-managed
// meta.versionId and meta.lastUpdated. Object key order is irrelevant in FHIR JSON; array order is not.

function stripServerMeta(resource: Record<string, unknown>): Record<string, unknown> {
  const meta = resource.meta as Record<string, unknown> | undefined;
  if (!meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...rest } = meta;
  const copy = { ...resource };
  if (Object.keys(rest).length === 0) delete copy.meta;
  else copy.meta = rest;
  return copy;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  if (ka.length !== Object.keys(ob).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(ob, k) && deepEqual((a as Record<string, unknown>)[k], ob[k]));
}

export function sameContent(stored: Record<string, unknown>, incoming: Record<string, unknown>): boolean {
  return deepEqual(stripServerMeta(stored), stripServerMeta(incoming));
}
