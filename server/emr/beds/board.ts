// The bed board (床位一览): every ward's rooms and beds with their state, who lies where, since when
// and under whom, and the occupancy per ward. Beds and occupants come from the tables the occupancy
// hook keeps; names and details from the Location, Encounter and Patient resources themselves.
import type { Database, Repository } from '../../../fhir/index.ts';
import { nameOf } from '../clinician.ts';
import { idOf, type Json } from './bed-resources.ts';

export type BoardBedStatus = 'free' | 'occupied' | 'cleaning' | 'closed';

export interface BoardBed {
  id: string;
  name?: string;
  status: BoardBedStatus;
  occupant?: {
    encounterId: string;
    patient: { id: string; name?: string; gender?: string; birthDate?: string };
    since?: string;
    lengthOfStayDays?: number;
    attending?: string;
  };
}
export interface BoardWard {
  id: string; name?: string; nameEn?: string;
  occupied: number; total: number; free: number; cleaning: number; closed: number;
  rooms: { id: string; name?: string; beds: BoardBed[] }[];
}

const statusName: Record<string, BoardBedStatus> = { U: 'free', O: 'occupied', K: 'cleaning', C: 'closed' };

async function byIds(repo: Repository, type: string, ids: string[]): Promise<Map<string, Json>> {
  const out = new Map<string, Json>();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    if (chunk.length === 0) continue;
    const found = await repo.search(type, new URLSearchParams({ _id: chunk.join(','), _count: String(chunk.length) }));
    for (const v of found.versions) out.set(v.id, JSON.parse(v.json!) as Json);
  }
  return out;
}

const englishName = (location: Json | undefined): string | undefined =>
  (location?._name?.extension as Json[] | undefined)?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/translation'
    && (e.extension as Json[] | undefined)?.some((x) => x.url === 'lang' && x.valueCode === 'en'))
    ?.extension?.find((x: Json) => x.url === 'content')?.valueString;

export async function bedBoard(db: Database, repo: Repository, now = new Date(), wardIds?: string[]): Promise<{ at: string; wards: BoardWard[]; encounters: string[]; patients: string[] }> {
  const { rows } = await db.query<{ bed_id: string; room_id: string | null; ward_id: string | null; status: string | null; encounter_id: string | null; patient_id: string | null; since: string | null }>(
    `SELECT b.bed_id, b.room_id, b.ward_id, b.status, o.encounter_id, o.patient_id, o.since
     FROM emr_bed b LEFT JOIN emr_bed_occupancy o ON o.bed_id = b.bed_id
     ${wardIds ? 'WHERE b.ward_id = ANY($1::text[])' : ''}`, wardIds ? [wardIds] : []);
  const locations = await byIds(repo, 'Location', [...new Set(rows.flatMap((r) => [r.bed_id, r.room_id, r.ward_id]).filter((x): x is string => !!x))]);
  const encounters = await byIds(repo, 'Encounter', rows.map((r) => r.encounter_id).filter((x): x is string => !!x));
  const patients = await byIds(repo, 'Patient', rows.map((r) => r.patient_id).filter((x): x is string => !!x));
  const wards = new Map<string, BoardWard>();
  for (const r of rows) {
    const wardId = r.ward_id ?? '';
    let ward = wards.get(wardId);
    if (!ward) {
      const w = locations.get(wardId);
      wards.set(wardId, ward = { id: wardId, name: w?.name, nameEn: englishName(w), occupied: 0, total: 0, free: 0, cleaning: 0, closed: 0, rooms: [] });
    }
    const roomId = r.room_id ?? wardId;
    let room = ward.rooms.find((x) => x.id === roomId);
    if (!room) ward.rooms.push(room = { id: roomId, name: locations.get(roomId)?.name, beds: [] });
    const bed = locations.get(r.bed_id);
    const status: BoardBedStatus = r.encounter_id ? 'occupied' : statusName[r.status ?? 'U'] ?? 'free';
    const item: BoardBed = { id: r.bed_id, name: bed?.name, status };
    if (r.encounter_id) {
      const encounter = encounters.get(r.encounter_id);
      const patient = r.patient_id ? patients.get(r.patient_id) : undefined;
      const since = r.since ?? encounter?.period?.start;
      const admitted = encounter?.period?.start ?? since;
      const attending = ((encounter?.participant as Json[] | undefined) ?? [])
        .find((p) => (p.type as Json[] | undefined)?.some((t) => (t.coding as Json[] | undefined)?.some((c) => c.code === 'ATND')) && !p.period?.end)?.individual;
      item.occupant = {
        encounterId: r.encounter_id,
        patient: { id: r.patient_id ?? '', name: nameOf(patient), gender: patient?.gender, birthDate: patient?.birthDate },
        ...(since ? { since } : {}),
        ...(admitted ? { lengthOfStayDays: Math.max(0, Math.floor((now.getTime() - new Date(admitted).getTime()) / 86_400_000)) } : {}),
        ...(attending ? { attending: attending.display ?? idOf(attending.reference, 'Practitioner') } : {}),
      };
    }
    room.beds.push(item);
    ward.total++;
    ward[status === 'occupied' ? 'occupied' : status === 'free' ? 'free' : status === 'cleaning' ? 'cleaning' : 'closed']++;
  }
  const sortByName = <T extends { id: string; name?: string }>(list: T[]) => list.sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id, 'zh-CN', { numeric: true }));
  const list = sortByName([...wards.values()]);
  for (const ward of list) {
    sortByName(ward.rooms);
    for (const room of ward.rooms) sortByName(room.beds);
  }
  return { at: now.toISOString(), wards: list, encounters: [...encounters.keys()], patients: [...patients.keys()] };
}
