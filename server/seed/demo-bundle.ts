// The demo hospital that `npm start` loads into an empty database (server/seed/load.ts): a
// FHIR R4 transaction Bundle whose entries are all `PUT Type/<fixed id>`, so loading it twice
// leaves one copy (http://hl7.org/fhir/R4/http.html#transaction — PUT is an update-or-create
// at a client-chosen id). The content is a pure function of `now` and `timezone`: no I/O, no
// Math.random; every random choice comes from the seeded PRNG in prng.ts.
import { buildDepartments } from './departments.ts';
import { entry, type Bundle } from './fhir.ts';
import { buildHospital } from './organization.ts';
import { buildPatients } from './patients.ts';
import { createPrng } from './prng.ts';
import { buildRecords } from './records.ts';
import { buildStaff, staffRoster } from './staff.ts';
import { buildSchedules } from './schedules.ts';
import { localClock } from './time.ts';
import { buildLocations } from './wards.ts';

export type { Bundle, BundleEntry } from './fhir.ts';

export interface DemoBundleOptions {
  /** The moment the demo is seeded; every date in it is relative to this. */
  now: Date;
  /** IANA time zone of the hospital, e.g. 'Asia/Shanghai'. */
  timezone: string;
}

/**
 * Entry order: things referred to before the things referring to them, so that a server that
 * resolves references entry by entry also succeeds. (Encounter.diagnosis and
 * Condition.encounter point at each other, which only whole-transaction resolution handles;
 * FHIR requires that of a transaction anyway.)
 */
const TYPE_ORDER = [
  'Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Schedule', 'Patient',
  'Encounter', 'Condition', 'AllergyIntolerance', 'Observation', 'DiagnosticReport', 'MedicationRequest',
];

export function buildDemoBundle(options: DemoBundleOptions): Bundle {
  const clock = localClock(options.now, options.timezone);
  const roster = staffRoster();
  const patients = buildPatients(clock);
  const records = buildRecords(patients, roster, clock);
  const resources = [
    buildHospital(),
    ...buildDepartments(),
    ...buildLocations(records.occupiedBeds, createPrng('wards')),
    ...buildStaff(roster),
    ...buildSchedules(roster),
    ...patients.map((p) => p.resource),
    ...records.resources,
  ];
  const rank = (type: string): number => {
    const i = TYPE_ORDER.indexOf(type);
    return i === -1 ? TYPE_ORDER.length : i;
  };
  // Array.prototype.sort is stable (ES2019), so creation order survives within a type.
  resources.sort((a, b) => rank(a.resourceType) - rank(b.resourceType));
  return { resourceType: 'Bundle', type: 'transaction', entry: resources.map(entry) };
}
