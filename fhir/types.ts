// The minimal structural view the engine needs of a FHIR resource; everything else is data.

export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  source?: string;
  profile?: string[];
  security?: unknown[];
  tag?: unknown[];
  [key: string]: unknown;
}

export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [key: string]: unknown;
}

/** One stored version of a resource. `json` is the stored resource text (absent for deletions). */
export interface ResourceVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  json?: string;
}

export interface HistoryEntry extends ResourceVersion {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Opaque, monotonic position used for keyset paging of history. */
  seq: string;
}

export const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;

export function parseResourceJson(version: ResourceVersion): Resource {
  if (!version.json) throw new Error(`${version.resourceType}/${version.id} has no content`);
  return JSON.parse(version.json) as Resource;
}
