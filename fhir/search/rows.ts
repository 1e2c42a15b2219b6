// The select list and row shape shared by the search queries (matches and includes).
import type { ResourceVersion } from '../types.ts';
import { storedJson } from '../storage/stored-json.ts';

export const resourceColumns = `r.resource_type, r.id, r.version_id, r.last_updated, ${storedJson('r')} AS json`;

export interface ResourceRow { resource_type: string; id: string; version_id: number; last_updated: Date | string; json: string }

export function toVersion(r: ResourceRow): ResourceVersion {
  return {
    resourceType: r.resource_type, id: r.id, versionId: r.version_id, deleted: false, json: r.json,
    lastUpdated: r.last_updated instanceof Date ? r.last_updated.toISOString() : new Date(r.last_updated).toISOString(),
  };
}
