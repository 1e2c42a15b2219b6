// The select list and row shape shared by the search queries (matches and includes).
import type { ResourceVersion } from '../types.ts';

// The stored JSONB with `resourceType` first again (jsonb keeps keys in its own order).
export const resourceColumns = `r.resource_type, r.id, r.version_id, r.last_updated,
  '{"resourceType":' || to_json(r.resource_type)::text || ',' || substr((r.content - 'resourceType')::text, 2) AS json`;

export interface ResourceRow { resource_type: string; id: string; version_id: number; last_updated: Date | string; json: string }

export function toVersion(r: ResourceRow): ResourceVersion {
  return {
    resourceType: r.resource_type, id: r.id, versionId: r.version_id, deleted: false, json: r.json,
    lastUpdated: r.last_updated instanceof Date ? r.last_updated.toISOString() : new Date(r.last_updated).toISOString(),
  };
}
