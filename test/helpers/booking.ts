// A small outpatient clinic for booking tests: one department, doctors with Schedules and weekly
// templates (every day, so tests do not depend on the weekday they run on), and patients with
// verified resident IDs — written through the engine and the booking service like real data.
import { randomUUID } from 'node:crypto';
import type { Resource } from '../../fhir/index.ts';
import { makeResidentId } from '../../server/identity/resident-id.ts';
import { RESIDENT_ID_SYSTEM } from '../../server/seed/systems.ts';
import { addDays } from '../../server/booking/calendar.ts';
import { createAccount, logIn } from './accounts.ts';
import { request, type TestServer } from './server.ts';

export interface Clinic {
  service: string;
  roles: string[];
  schedules: string[];
}

const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface ClinicOptions {
  doctors?: number;
  capacity?: number;
  slotMinutes?: number;
  /** Morning session only (08:00–12:00) unless afternoon is asked for too. */
  afternoon?: boolean;
  start?: string;
  end?: string;
}

/** Booking rules that make tests independent of the hour they run at: every day of the window is released. */
export async function openAllDays(server: TestServer, extra: Record<string, unknown> = {}): Promise<void> {
  await server.app.booking.updateSettings({ releaseTime: '00:00', ...extra });
}

export async function createClinic(server: TestServer, options: ClinicOptions = {}): Promise<Clinic> {
  const repo = server.app.engine.repo;
  const key = randomUUID().slice(0, 8);
  const service = `hcs-${key}`;
  await repo.update({ resourceType: 'HealthcareService', id: service, active: true, name: `内科 ${key}` } as Resource);
  const roles: string[] = [];
  const schedules: string[] = [];
  for (let i = 0; i < (options.doctors ?? 1); i++) {
    const prac = `prac-${key}-${i}`;
    await repo.update({ resourceType: 'Practitioner', id: prac, name: [{ text: `王医生${i}`, family: '王', given: [`医生${i}`] }] } as Resource);
    await repo.update({
      resourceType: 'PractitionerRole', id: `role-${key}-${i}`, active: true,
      practitioner: { reference: `Practitioner/${prac}`, display: `王医生${i}` },
      healthcareService: [{ reference: `HealthcareService/${service}` }],
    } as Resource);
    await repo.update({
      resourceType: 'Schedule', id: `sched-${key}-${i}`, active: true,
      actor: [{ reference: `PractitionerRole/role-${key}-${i}` }, { reference: `HealthcareService/${service}` }],
    } as Resource);
    roles.push(`role-${key}-${i}`);
    schedules.push(`sched-${key}-${i}`);
    const sessions = [{ days: everyDay, period: 'morning', start: options.start ?? '08:00', end: options.end ?? '12:00', slotMinutes: options.slotMinutes ?? 30, capacity: options.capacity ?? 1 }];
    if (options.afternoon) sessions.push({ days: everyDay, period: 'afternoon', start: '13:00', end: '17:00', slotMinutes: options.slotMinutes ?? 30, capacity: options.capacity ?? 1 });
    await server.app.booking.setTemplate(`sched-${key}-${i}`, { sessions });
  }
  return { service, roles, schedules };
}

let sequence = 0;

/** A Patient with a verified resident ID (or none, for real-name tests). */
export async function createPatient(server: TestServer, options: { residentId?: boolean } = {}): Promise<string> {
  const id = `pat-${randomUUID().slice(0, 12)}`;
  sequence = (sequence + 1) % 1000;
  const identifier = options.residentId === false ? {} : { identifier: [{ system: RESIDENT_ID_SYSTEM, value: makeResidentId('330106', '1985-06-15', sequence) }] };
  await server.app.engine.repo.update({ resourceType: 'Patient', id, ...identifier, name: [{ text: `测试${sequence}` }], gender: 'female', birthDate: '1985-06-15' } as Resource);
  return id;
}

/** A patient with a portal account, logged in. */
export async function patientWithLogin(server: TestServer, options: { residentId?: boolean } = {}): Promise<{ patient: string; token: string; login: string }> {
  const patient = await createPatient(server, options);
  const login = `${patient}@example.org`;
  await createAccount(server, { login, kind: 'patient', patientId: patient });
  return { patient, token: await logIn(server, login), login };
}

export async function staffWithLogin(server: TestServer, roles: ('registrar' | 'admin' | 'doctor' | 'nurse')[]): Promise<string> {
  const login = `staff-${randomUUID().slice(0, 8)}`;
  await createAccount(server, { login, roles });
  return logIn(server, login);
}

/** The free slots of a day, in time order. */
export async function freeSlots(server: TestServer, clinic: Clinic, date: string): Promise<{ slot: string; free: number; capacity: number; start: string }[]> {
  const res = await request(server, 'GET', `/booking/availability?service=${clinic.service}&from=${date}&to=${date}`, { token: null });
  const body = res.body as { days: { times: { slot: string; free: number; capacity: number; start: string }[] }[] };
  return body.days[0]!.times.filter((t) => t.free > 0);
}

export function parametersFor(values: Record<string, string>): Resource {
  return {
    resourceType: 'Parameters',
    parameter: Object.entries(values).map(([name, value]) => (name === 'reason' ? { name, valueString: value } : { name, valueReference: { reference: value } })),
  } as Resource;
}

export function tomorrow(server: TestServer): string {
  return addDays(server.app.booking.calendar.dateOf(new Date()), 1);
}

export { addDays };
