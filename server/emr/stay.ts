// Edits of an Encounter along its workflow (http://hl7.org/fhir/R4/encounter.html#statemachine):
// each status change closes the current statusHistory entry and opens the next, so the time spent
// waiting, in consultation or in hospital is in the record itself (the dashboard reads it).
import type { Repository, Resource } from '../../fhir/index.ts';
import { SYSTEMS } from '../seed/systems.ts';

export interface Json { [key: string]: any }

export const ATTENDER = { coding: [{ system: SYSTEMS.v3ParticipationType, code: 'ATND', display: 'attender' }] };
export const ADMITTER = { coding: [{ system: SYSTEMS.v3ParticipationType, code: 'ADM', display: 'admitter' }] };
export const DISCHARGER = { coding: [{ system: SYSTEMS.v3ParticipationType, code: 'DIS', display: 'discharger' }] };

export function encounterClass(code: 'AMB' | 'IMP'): Json {
  return { system: SYSTEMS.v3ActCode, code, display: code === 'AMB' ? 'ambulatory' : 'inpatient encounter' };
}

/** The encounter with its status changed at `now`, the history carried forward. */
export function withStatus(encounter: Json, status: string, now: string): Json {
  const history: Json[] = ((encounter.statusHistory as Json[] | undefined) ?? []).map((h) => ({ ...h, period: { ...h.period } }));
  const open = history.find((h) => !h.period?.end);
  if (open) open.period.end = now;
  else if (encounter.status) history.push({ status: encounter.status, period: { start: encounter.period?.start ?? now, end: now } });
  history.push({ status, period: { start: now } });
  return { ...encounter, status, statusHistory: history };
}

export async function readJson(repo: Repository, type: string, id: string): Promise<Json> {
  return JSON.parse((await repo.read(type, id)).json!) as Json;
}

/** Writes with the version read as If-Match: two clerks changing one encounter at once cannot both win. */
export async function save(repo: Repository, resource: Json): Promise<Json> {
  const written = await repo.update(resource as Resource, { ifMatch: Number(resource.meta?.versionId) });
  return JSON.parse(written.version.json!) as Json;
}

export function classOf(encounter: Json): string | undefined {
  return encounter.class?.code;
}
