// Shared state while one patient's records are written: stable ids, who treats them, which
// beds are taken, and the list the resources are collected in.
import type { Resource } from './fhir.ts';
import { refTo } from './fhir.ts';
import type { DepartmentKey } from './departments.ts';
import type { EncounterHandle } from './encounters.ts';
import type { DemoPatient } from './patients.ts';
import type { Prng } from './prng.ts';
import type { StaffMember } from './staff.ts';
import type { LocalClock } from './time.ts';
import { bedsOf, type Bed } from './wards.ts';

export type Built = Resource & { id: string };

/** State shared by all patients: visit-number counters and the bed board. */
export class RecordBook {
  readonly resources: Built[] = [];
  /** Beds held by in-progress inpatient encounters. */
  readonly occupiedBeds = new Set<string>();
  private outpatientNumber = 0;
  private inpatientNumber = 0;

  constructor(readonly clock: LocalClock, readonly staff: readonly StaffMember[]) {}

  nextOutpatientNumber(): string {
    return `MZ${String(++this.outpatientNumber).padStart(8, '0')}`;
  }

  nextInpatientNumber(): string {
    return `ZY${String(++this.inpatientNumber).padStart(8, '0')}`;
  }

  /** A free bed for a current admission: the first unoccupied one of the ward. */
  takeBed(dept: DepartmentKey): Bed {
    const bed = bedsOf(dept).find((b) => !this.occupiedBeds.has(b.id));
    if (!bed) throw new Error(`no free bed in ward ${dept}`);
    this.occupiedBeds.add(bed.id);
    return bed;
  }

  /** A bed for a past stay; who lay there before does not matter now. */
  pastBed(dept: DepartmentKey, prng: Prng): Bed {
    return prng.pick(bedsOf(dept));
  }
}

export interface Physiology { heightCm: number; weightKg: number }

/** Per-patient writer state. Ids are `demo-<kind>-<patient number>-<n>`, stable across runs. */
export class PatientContext {
  /** The patient's encounters, in the order they were written. */
  readonly encounters: EncounterHandle[] = [];
  private readonly counters = new Map<string, number>();
  private readonly chosen = new Map<string, StaffMember>();

  constructor(
    readonly book: RecordBook,
    readonly patient: DemoPatient,
    readonly prng: Prng,
    readonly body: Physiology,
  ) {}

  get clock(): LocalClock {
    return this.book.clock;
  }

  get patientRef() {
    return refTo('Patient', this.patient.id, this.patient.display);
  }

  nextId(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `demo-${kind}-${this.patient.id.slice('demo-pat-'.length)}-${String(n).padStart(2, '0')}`;
  }

  add(resource: Built): void {
    this.book.resources.push(resource);
  }

  /** A physician of the department, chosen once per patient and department so follow-ups see the same doctor. */
  doctor(dept: DepartmentKey): StaffMember {
    const key = `doctor:${dept}`;
    const remembered = this.chosen.get(key);
    if (remembered) return remembered;
    const doctors = this.book.staff.filter((s) => s.dept === dept && s.kind === 'physician');
    const picked = this.prng.pick(doctors);
    this.chosen.set(key, picked);
    return picked;
  }

  nurse(dept: DepartmentKey): StaffMember | undefined {
    return this.book.staff.find((s) => s.dept === dept && s.kind === 'nurse');
  }

  radiologist(): StaffMember {
    return this.prng.pick(this.book.staff.filter((s) => s.kind === 'radiologist'));
  }
}

export const practitionerRef = (member: StaffMember) =>
  refTo('Practitioner', member.practitionerId, member.name);
