// Bed occupancy as a database guarantee (issue: "a bed can never hold two patients"). Inside every
// transaction that writes a Location or an Encounter (fhir/storage/write-hooks.ts), this hook keeps
// emr_bed (the beds: Location.physicalType `bd`, http://terminology.hl7.org/CodeSystem/location-physical-type)
// and emr_bed_occupancy (which in-progress Encounter lies in which bed) in step with the resources.
// The occupancy table's primary key makes a second patient in a bed fail the whole write, whether
// it came from $admit, a plain PUT of an Encounter or a transaction Bundle.
// A bed's housekeeping state is Location.operationalStatus (HL7 v2 table 0116, the R4 binding):
// O occupied while someone lies in it, K (contaminated: being cleaned) once they leave, then U again
// when housekeeping marks it clean (Location/$bed-status); C closed.
import type { Repository, Resource, WriteChange, WriteHook, WriteHookContext, Queryable } from '../../../fhir/index.ts';
import { emrError } from '../errors.ts';
import { activeBedIds, bedStatusCoding, idOf, isBed, ACTIVE_ENCOUNTER_STATUSES, type BedStatus, type Json } from './bed-resources.ts';

export type BedsChangedListener = (bedIds: string[]) => void;

async function readJson(repo: Repository, type: string, id: string): Promise<Json | undefined> {
  try {
    return JSON.parse((await repo.read(type, id)).json!) as Json;
  } catch {
    return undefined;
  }
}

/** Where a bed sits: its room and ward, following partOf (a bed may hang directly under a ward). */
async function placeOf(repo: Repository, bed: Json): Promise<{ room: string | null; ward: string | null }> {
  const parentId = idOf(bed.partOf?.reference, 'Location');
  const parent = parentId ? await readJson(repo, 'Location', parentId) : undefined;
  if (!parentId || !parent) return { room: null, ward: null };
  const parentType = (parent.physicalType?.coding as Json[] | undefined)?.[0]?.code;
  if (parentType === 'wa') return { room: null, ward: parentId };
  return { room: parentId, ward: idOf(parent.partOf?.reference, 'Location') ?? null };
}

/** The stored bed status: closed when the Location itself is not active (suspended, inactive). */
function statusOf(location: Json): BedStatus {
  if (location.status && location.status !== 'active') return 'C';
  const code = location.operationalStatus?.code;
  return code === 'O' || code === 'K' || code === 'C' || code === 'U' ? code : 'U';
}

async function occupantOf(tx: Queryable, bedId: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ encounter_id: string }>('SELECT encounter_id FROM emr_bed_occupancy WHERE bed_id = $1', [bedId]);
  return rows[0]?.encounter_id;
}

async function setBedStatus(repo: Repository, bedId: string, status: BedStatus): Promise<void> {
  const bed = await readJson(repo, 'Location', bedId);
  if (!bed || bed.operationalStatus?.code === status) return;
  await repo.update({ ...bed, operationalStatus: bedStatusCoding(status) } as unknown as Resource);
}

async function syncBed(change: WriteChange, repo: Repository, tx: Queryable): Promise<void> {
  const after = change.after ? JSON.parse(change.after) as Json : null;
  const before = change.before ? JSON.parse(change.before) as Json : null;
  if (!(after && isBed(after)) && !(before && isBed(before))) return;
  const occupant = await occupantOf(tx, change.id);
  if (!after || !isBed(after)) {
    if (occupant) throw emrError('bed-occupied', `Location/${change.id} has a patient in it: discharge or transfer them before removing the bed`);
    await tx.query('DELETE FROM emr_bed WHERE bed_id = $1', [change.id]);
    return;
  }
  const status = statusOf(after);
  if (occupant && status !== 'O') {
    throw emrError('bed-occupied', `Location/${change.id} has a patient in it: it can be freed, cleaned or closed only after they leave`, ['Location.operationalStatus']);
  }
  const { room, ward } = await placeOf(repo, after);
  const { rows } = await tx.query<{ inserted: boolean }>(
    `INSERT INTO emr_bed (bed_id, room_id, ward_id, status) VALUES ($1, $2, $3, $4)
     ON CONFLICT (bed_id) DO UPDATE SET room_id = EXCLUDED.room_id, ward_id = EXCLUDED.ward_id, status = EXCLUDED.status
     RETURNING (xmax = 0) AS inserted`, [change.id, room, ward, status]);
  // A bed written after the encounters that lie in it (an import in any order): take them in now.
  if (rows[0]?.inserted) {
    const lying = await repo.search('Encounter', new URLSearchParams({ location: `Location/${change.id}`, status: [...ACTIVE_ENCOUNTER_STATUSES].join(','), _count: '10' }));
    for (const version of lying.versions) {
      const encounter = JSON.parse(version.json!) as Json;
      if (activeBedIds(encounter).some((b) => b.id === change.id)) await occupy(tx, change.id, version.id, encounter);
    }
  }
}

/** Puts an encounter in a bed; the primary key refuses a second one, the patient index a second bed. */
async function occupy(tx: Queryable, bedId: string, encounterId: string, encounter: Json): Promise<void> {
  const patientId = idOf(encounter.subject?.reference, 'Patient') ?? null;
  const since = activeBedIds(encounter).find((b) => b.id === bedId)?.since ?? null;
  const { rows } = await tx.query<{ bed_id: string }>(
    `INSERT INTO emr_bed_occupancy (bed_id, encounter_id, patient_id, since) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING bed_id`, [bedId, encounterId, patientId, since]);
  if (rows.length > 0) return;
  const occupant = await occupantOf(tx, bedId);
  if (occupant === encounterId) return;
  if (occupant) throw emrError('bed-occupied', `Location/${bedId} already holds another patient`, ['Encounter.location']);
  throw emrError('already-admitted', 'The patient already lies in another bed: transfer them instead', ['Encounter.location']);
}

async function syncOccupancy(change: WriteChange, repo: Repository, tx: Queryable): Promise<void> {
  const after = change.after ? JSON.parse(change.after) as Json : null;
  const before = change.before ? JSON.parse(change.before) as Json : null;
  const wanted = after && ACTIVE_ENCOUNTER_STATUSES.has(after.status) ? activeBedIds(after).map((b) => b.id) : [];
  const mentioned = [...new Set([...wanted, ...(before ? activeBedIds(before).map((b) => b.id) : [])])];
  // Occupancy only ever comes from a version's active locations: none before or after, nothing to do
  // (the common case of an import's thousands of finished encounters costs no query).
  if (mentioned.length === 0) return;
  const held = (await tx.query<{ bed_id: string }>('SELECT bed_id FROM emr_bed_occupancy WHERE encounter_id = $1', [change.id])).rows.map((r) => r.bed_id);
  const { rows: known } = await tx.query<{ bed_id: string; status: string | null }>(
    'SELECT bed_id, status FROM emr_bed WHERE bed_id = ANY($1::text[])', [wanted]);
  const beds = new Map(known.map((r) => [r.bed_id, r.status]));
  const target = wanted.filter((id) => beds.has(id));
  if (target.length > 1) throw emrError('bed-unavailable', 'A patient lies in one bed at a time: complete the old location when moving them', ['Encounter.location']);
  for (const bedId of held.filter((id) => !target.includes(id))) {
    await tx.query('DELETE FROM emr_bed_occupancy WHERE bed_id = $1 AND encounter_id = $2', [bedId, change.id]);
    // The patient left: housekeeping cleans the bed before the next one (v2-0116 K).
    await setBedStatus(repo, bedId, 'K');
  }
  for (const bedId of target.filter((id) => !held.includes(id))) {
    const status = beds.get(bedId);
    if (status === 'C') throw emrError('bed-unavailable', `Location/${bedId} is closed`, ['Encounter.location']);
    if (status === 'K') throw emrError('bed-unavailable', `Location/${bedId} is being cleaned: mark it clean first`, ['Encounter.location']);
    await occupy(tx, bedId, change.id, after!);
    await setBedStatus(repo, bedId, 'O');
  }
}

export function bedOccupancyHook(onChanged: BedsChangedListener): WriteHook {
  return {
    types: ['Location', 'Encounter'],
    async beforeCommit(changes: readonly WriteChange[], { repo, tx }: WriteHookContext) {
      // Beds first: a Bundle that creates a bed and admits someone into it is processed in that order.
      for (const change of changes) if (change.resourceType === 'Location') await syncBed(change, repo, tx);
      for (const change of changes) if (change.resourceType === 'Encounter') await syncOccupancy(change, repo, tx);
    },
    // Told after the commit (a transaction that failed tells nothing): the beds it may have changed.
    afterCommit(changes: readonly WriteChange[]) {
      const beds = new Set<string>();
      for (const change of changes) {
        for (const json of [change.before, change.after]) {
          if (!json) continue;
          const resource = JSON.parse(json) as Json;
          if (change.resourceType === 'Location' && isBed(resource)) beds.add(change.id);
          if (change.resourceType === 'Encounter') for (const b of activeBedIds(resource)) beds.add(b.id);
        }
      }
      if (beds.size > 0) onChanged([...beds]);
    },
  };
}
