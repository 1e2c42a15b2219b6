// Inpatient wards (病区), rooms (病房) and beds (床位) as a Location hierarchy linked by
// `partOf`: building ← ward ← room ← bed, with `physicalType` from
// http://terminology.hl7.org/CodeSystem/location-physical-type (bu, wa, ro, bd) and the bed's
// housekeeping state in `operationalStatus`, a Coding from HL7 v2 table 0116 Bed Status
// (http://terminology.hl7.org/CodeSystem/v2-0116; R4 binding on Location.operationalStatus).
import { coding, concept, english, refTo, type Resource } from './fhir.ts';
import { department, departmentOrgId, type DepartmentKey } from './departments.ts';
import { HOSPITAL_ID, HOSPITAL_NAME } from './organization.ts';
import type { Prng } from './prng.ts';
import { SYSTEMS } from './systems.ts';

export interface WardPlan { dept: DepartmentKey; floor: number; roomBeds: readonly number[] }

/** Three wards × four rooms × three or four beds. */
export const WARDS: readonly WardPlan[] = [
  { dept: 'im', floor: 5, roomBeds: [4, 3, 4, 3] },
  { dept: 'surg', floor: 6, roomBeds: [4, 4, 3, 3] },
  { dept: 'paed', floor: 7, roomBeds: [3, 3, 4, 4] },
];

export const BUILDING_ID = 'demo-loc-building-1';
export const wardId = (dept: DepartmentKey): string => `demo-ward-${dept}`;
const roomId = (dept: DepartmentKey, room: number): string => `demo-room-${dept}-${String(room).padStart(2, '0')}`;
const bedId = (dept: DepartmentKey, room: number, bed: number): string => `${roomId(dept, room).replace('room', 'bed')}-${bed}`;

export interface Bed { id: string; dept: DepartmentKey; label: string; roomId: string }

/** Every bed of a ward, in room and bed order. */
export function bedsOf(dept: DepartmentKey): Bed[] {
  const plan = WARDS.find((w) => w.dept === dept);
  if (!plan) return [];
  return plan.roomBeds.flatMap((count, r) => Array.from({ length: count }, (_, b) => ({
    id: bedId(dept, r + 1, b + 1),
    dept,
    label: `${plan.floor}${String(r + 1).padStart(2, '0')}-${b + 1}床`,
    roomId: roomId(dept, r + 1),
  })));
}

const physical = (code: 'bu' | 'wa' | 'ro' | 'bd', display: string) =>
  concept(coding(SYSTEMS.locationPhysicalType, code, display));

const bedStatus = {
  O: 'Occupied', U: 'Unoccupied', K: 'Contaminated', C: 'Closed',
} as const;
export type BedStatus = keyof typeof bedStatus;

type LocationResource = Resource & { id: string };

/**
 * All locations. `occupied` holds the ids of beds that an in-progress inpatient Encounter
 * uses, so the bed board agrees with the encounters; of the rest, one bed per ward is closed
 * for repair and a few are being cleaned after a discharge.
 */
export function buildLocations(occupied: ReadonlySet<string>, prng: Prng): LocationResource[] {
  const building: LocationResource = {
    resourceType: 'Location',
    id: BUILDING_ID,
    language: 'zh-CN',
    status: 'active',
    name: '住院楼',
    _name: english('Inpatient Building'),
    mode: 'instance',
    physicalType: physical('bu', 'Building'),
    managingOrganization: refTo('Organization', HOSPITAL_ID, HOSPITAL_NAME),
  };
  const locations: LocationResource[] = [building];
  for (const plan of WARDS) {
    const dept = department(plan.dept);
    const managingOrganization = refTo('Organization', departmentOrgId(plan.dept), dept.zh);
    locations.push({
      resourceType: 'Location',
      id: wardId(plan.dept),
      language: 'zh-CN',
      status: 'active',
      name: `${dept.zh}病区`,
      _name: english(`${dept.en} Ward`),
      description: `${plan.floor}楼`,
      mode: 'instance',
      type: [concept(coding(SYSTEMS.v3RoleCode, 'HU', 'Hospital unit'))],
      physicalType: physical('wa', 'Ward'),
      managingOrganization,
      partOf: refTo('Location', BUILDING_ID, '住院楼'),
    });
    const beds = bedsOf(plan.dept);
    const closedBed = beds.filter((b) => !occupied.has(b.id)).at(-1)?.id;
    plan.roomBeds.forEach((_, r) => {
      const number = `${plan.floor}${String(r + 1).padStart(2, '0')}`;
      const id = roomId(plan.dept, r + 1);
      locations.push({
        resourceType: 'Location',
        id,
        language: 'zh-CN',
        status: 'active',
        name: `${number}病房`,
        _name: english(`Room ${number}`),
        mode: 'instance',
        physicalType: physical('ro', 'Room'),
        managingOrganization,
        partOf: refTo('Location', wardId(plan.dept), `${dept.zh}病区`),
      });
      for (const bed of beds.filter((b) => b.roomId === id)) {
        const status: BedStatus = occupied.has(bed.id) ? 'O'
          : bed.id === closedBed ? 'C'
            : prng.chance(0.2) ? 'K' : 'U';
        locations.push({
          resourceType: 'Location',
          id: bed.id,
          language: 'zh-CN',
          status: status === 'C' ? 'suspended' : 'active',
          operationalStatus: coding(SYSTEMS.v2BedStatus, status, bedStatus[status]),
          name: bed.label,
          _name: english(`Bed ${bed.label.replace('床', '')}`),
          mode: 'instance',
          physicalType: physical('bd', 'Bed'),
          managingOrganization,
          partOf: refTo('Location', id, `${number}病房`),
        });
      }
    });
  }
  return locations;
}
