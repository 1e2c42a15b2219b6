// Reading beds and stays out of Location and Encounter resources.
import { SYSTEMS } from '../../seed/systems.ts';

export interface Json { [key: string]: any }

/** HL7 v2 table 0116: U unoccupied, O occupied, K contaminated (being cleaned), C closed. */
export type BedStatus = 'U' | 'O' | 'K' | 'C';
const bedStatusDisplay: Record<BedStatus, string> = { U: 'Unoccupied', O: 'Occupied', K: 'Contaminated', C: 'Closed' };

export function bedStatusCoding(status: BedStatus): Json {
  return { system: SYSTEMS.v2BedStatus, code: status, display: bedStatusDisplay[status] };
}

/** Encounter statuses in which the patient is in the hospital (R4 encounter-status). */
export const ACTIVE_ENCOUNTER_STATUSES: ReadonlySet<string> = new Set(['arrived', 'triaged', 'in-progress', 'onleave']);

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The id of a literal `Type/id` reference (absolute URLs and versioned references too). */
export function idOf(reference: unknown, type: string): string | undefined {
  if (typeof reference !== 'string') return undefined;
  const m = new RegExp(`(?:^|/)${type}/([^/]+)(?:/_history/[^/]+)?$`).exec(reference);
  return m && ID.test(m[1]!) ? m[1] : undefined;
}

export function physicalTypeOf(location: Json): string | undefined {
  return (location.physicalType?.coding as Json[] | undefined)?.find((c) => !c.system || c.system === SYSTEMS.locationPhysicalType)?.code;
}

export function isBed(location: Json): boolean {
  return physicalTypeOf(location) === 'bd';
}

/**
 * The locations an encounter is at now: Encounter.location entries with status active, or with no
 * status and no end (R4 Encounter.location.status: planned | active | reserved | completed).
 */
export function activeBedIds(encounter: Json): { id: string; since?: string }[] {
  const out: { id: string; since?: string }[] = [];
  for (const entry of (encounter.location as Json[] | undefined) ?? []) {
    const id = idOf(entry?.location?.reference, 'Location');
    if (!id) continue;
    const current = entry.status === 'active' || (entry.status === undefined && !entry.period?.end);
    if (current) out.push({ id, ...(entry.period?.start ? { since: entry.period.start } : {}) });
  }
  return out;
}
