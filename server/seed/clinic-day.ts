// Demo only (SEED_DEMO): today's clinic of the demo doctor, so that a newcomer signing in as
// `doctor` finds a living clinic list whatever the weekday — some patients seen, one in the room,
// some waiting, one who did not come, some still to come. Written as the workflow writes them
// (Appointment with queue number, the Encounter check-in opens, its status history), with times
// spread around the moment of seeding. Runs at each start and adds a day only when the doctor has
// no appointment today.
import type { FhirEngine, Resource } from '../../fhir/index.ts';
import { Calendar } from '../booking/calendar.ts';
import { QUEUE_NUMBER_EXTENSION } from '../booking/slot-resource.ts';
import { outpatientNumber } from '../emr/numbers.ts';
import { ATTENDER, encounterClass } from '../emr/stay.ts';
import { demoChildIndex, demoPatientIndex } from './accounts.ts';
import { department, departmentOrgId, healthcareServiceId } from './departments.ts';
import { PATIENT_PLANS, patientId } from './patients.ts';
import { staffRoster } from './staff.ts';
import { OUTPATIENT_NUMBER_SYSTEM } from './systems.ts';

type Plan = 'done' | 'no-show' | 'in-consultation' | 'waiting' | 'booked';
/** Minutes from now of each place, and how far its visit has got. */
const DAY: readonly [number, Plan][] = [
  [-150, 'done'], [-120, 'done'], [-105, 'no-show'], [-90, 'done'], [-60, 'done'], [-40, 'in-consultation'],
  [-25, 'waiting'], [-10, 'waiting'], [20, 'booked'], [40, 'booked'], [70, 'booked'],
];

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

export async function seedDemoClinicDay(engine: FhirEngine, options: { timezone: string; now?: Date }): Promise<number> {
  const now = options.now ?? new Date();
  const calendar = new Calendar(options.timezone);
  const doctor = staffRoster().find((m) => m.kind === 'physician')!;
  const practitioner = `Practitioner/${doctor.practitionerId}`;
  // Only next to the demo hospital.
  if (!await engine.repo.read('Practitioner', doctor.practitionerId).then(() => true, () => false)) return 0;
  const [dayStart, dayEnd] = calendar.dayBounds(calendar.dateOf(now));
  const today = await engine.repo.search('Appointment', new URLSearchParams([
    ['actor', `PractitionerRole/${doctor.roleId}`], ['date', `ge${dayStart.toISOString()}`], ['date', `lt${dayEnd.toISOString()}`], ['_summary', 'count'],
  ]));
  if ((today.total ?? 0) > 0) return 0;
  const dept = department(doctor.dept);
  const patients = PATIENT_PLANS.map((p, i) => ({ id: patientId(i), adult: p.age >= 16 }))
    .filter((p, i) => p.adult && i !== demoPatientIndex && i !== demoChildIndex);
  // Times stay inside today: a server started just after midnight still gets one day.
  const base = Math.min(Math.max(now.getTime(), dayStart.getTime() + 160 * 60_000), dayEnd.getTime() - 80 * 60_000);
  await engine.repo.transaction(async (repo, sql) => {
    for (const [i, [offset, plan]] of DAY.entries()) {
      const patient = patients[(i * 7) % patients.length]!;
      const start = at(base, offset);
      const appointmentStatus = plan === 'done' ? 'fulfilled' : plan === 'no-show' ? 'noshow' : plan === 'booked' ? 'booked' : 'arrived';
      const appointment = await repo.create({
        resourceType: 'Appointment',
        extension: [{ url: QUEUE_NUMBER_EXTENSION, valuePositiveInt: i + 1 }],
        status: 'booked',
        serviceType: [{ text: dept.zh }],
        start, end: at(base, offset + 15),
        created: at(base, offset - 60 * 24 * (1 + (i % 4))),
        participant: [
          { actor: { reference: `Patient/${patient.id}` }, required: 'required', status: 'accepted' },
          { actor: { reference: `PractitionerRole/${doctor.roleId}`, display: doctor.name }, required: 'required', status: 'accepted' },
          { actor: { reference: `HealthcareService/${healthcareServiceId(doctor.dept)}`, display: dept.zh }, required: 'information-only', status: 'accepted' },
        ],
      } as Resource);
      if (plan === 'booked' || plan === 'no-show') {
        if (plan === 'no-show') await repo.update({ ...JSON.parse(appointment.version.json!), status: 'noshow' } as Resource);
        continue;
      }
      const arrived = at(base, offset - 8 - (i % 3) * 6);
      const called = at(base, offset);
      const finished = at(base, offset + 12);
      const history = plan === 'waiting' ? [{ status: 'arrived', period: { start: arrived } }]
        : plan === 'in-consultation' ? [{ status: 'arrived', period: { start: arrived, end: called } }, { status: 'in-progress', period: { start: called } }]
          : [{ status: 'arrived', period: { start: arrived, end: called } }, { status: 'in-progress', period: { start: called, end: finished } }, { status: 'finished', period: { start: finished } }];
      // The Encounter first: the check-in hook then finds it and opens no second one.
      await repo.create({
        resourceType: 'Encounter',
        extension: [{ url: QUEUE_NUMBER_EXTENSION, valuePositiveInt: i + 1 }],
        identifier: [{ use: 'official', system: OUTPATIENT_NUMBER_SYSTEM, value: await outpatientNumber(sql, now, options.timezone) }],
        status: history.at(-1)!.status,
        statusHistory: history,
        class: encounterClass('AMB'),
        serviceType: { text: dept.zh },
        subject: { reference: `Patient/${patient.id}` },
        participant: [{ type: [ATTENDER], individual: { reference: practitioner, display: doctor.name } }],
        appointment: [{ reference: `Appointment/${appointment.version.id}` }],
        period: { start: arrived, ...(plan === 'done' ? { end: finished } : {}) },
        serviceProvider: { reference: `Organization/${departmentOrgId(doctor.dept)}`, display: dept.zh },
      } as Resource);
      await repo.update({ ...JSON.parse(appointment.version.json!), status: appointmentStatus } as Resource);
    }
  });
  return DAY.length;
}
