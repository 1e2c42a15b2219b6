// Demo log-ins (SEED_DEMO): one account per staff role and a demo patient with a child linked as a
// proxy, all with the password DEMO_PASSWORD. Demo only: a real hospital creates its accounts through
// the admin API. Staff accounts stand for Practitioners of the demo roster; the administrator and the
// registration clerk, who are not on the clinical roster, get Practitioner records of their own.
import type { FhirEngine, Resource } from '../../fhir/index.ts';
import type { AccountStore } from '../auth/accounts.ts';
import { hashPassword } from '../auth/password.ts';
import type { StaffRole } from '../auth/policy.ts';
import { staffRoster } from './staff.ts';
import { patientId, PATIENT_PLANS } from './patients.ts';
import { RESIDENT_ID_SYSTEM } from './systems.ts';
import { HOSPITAL_ID, HOSPITAL_NAME } from './organization.ts';

export const demoPatientLogin = 'patient@example.org';

/** The demo patient (a 45-year-old woman) and the child she books for (a 4-year-old girl). */
export const demoPatientIndex = PATIENT_PLANS.findIndex((p) => p.gender === 'female' && p.age >= 30 && p.age < 60);
export const demoChildIndex = PATIENT_PLANS.findIndex((p) => p.age < 6);

function officePractitioner(id: string, family: string, given: string, role: string): Resource {
  return {
    resourceType: 'Practitioner', id, active: true, language: 'zh-CN',
    name: [{ use: 'official', text: `${family}${given}`, family, given: [given] }],
    qualification: [{ code: { text: role }, issuer: { reference: `Organization/${HOSPITAL_ID}`, display: HOSPITAL_NAME } }],
  };
}

/** Creates the demo accounts unless some account exists already; returns how many were created. */
export async function seedDemoAccounts(engine: FhirEngine, accounts: AccountStore, password: string): Promise<number> {
  if (!await accounts.isEmpty()) return 0;
  // Only next to the demo hospital: a database holding other data gets no demo log-ins.
  if (!await engine.repo.read('Patient', patientId(demoPatientIndex)).then(() => true, () => false)) return 0;
  const hash = await hashPassword(password);
  const roster = staffRoster();
  const first = (kind: string) => roster.find((m) => m.kind === kind)!;
  await engine.repo.update(officePractitioner('demo-prac-admin', '陈', '静', '信息科管理员 System administrator'));
  await engine.repo.update(officePractitioner('demo-prac-registrar', '刘', '洋', '挂号收费员 Registration clerk'));
  const staff: { username: StaffRole; practitionerId: string; practitionerRoleId?: string; displayName: string }[] = [
    { username: 'admin', practitionerId: 'demo-prac-admin', displayName: '陈静 (admin)' },
    { username: 'registrar', practitionerId: 'demo-prac-registrar', displayName: '刘洋 (registrar)' },
    { username: 'doctor', practitionerId: first('physician').practitionerId, practitionerRoleId: first('physician').roleId, displayName: first('physician').name },
    { username: 'nurse', practitionerId: first('nurse').practitionerId, practitionerRoleId: first('nurse').roleId, displayName: first('nurse').name },
    { username: 'radiologist', practitionerId: first('radiologist').practitionerId, practitionerRoleId: first('radiologist').roleId, displayName: first('radiologist').name },
  ];
  for (const s of staff) {
    await accounts.create({ kind: 'staff', username: s.username, passwordHash: hash, roles: [s.username], displayName: s.displayName,
      practitionerId: s.practitionerId, practitionerRoleId: s.practitionerRoleId });
  }
  const patient = await engine.repo.read('Patient', patientId(demoPatientIndex));
  const resource = JSON.parse(patient.json!) as { identifier?: { system?: string; value?: string }[]; name?: { text?: string }[] };
  const residentId = resource.identifier?.find((i) => i.system === RESIDENT_ID_SYSTEM)?.value;
  const account = await accounts.create({
    kind: 'patient', email: demoPatientLogin, passwordHash: hash, roles: ['patient'], displayName: resource.name?.[0]?.text,
    patientId: patient.id, documentType: 'resident-id', documentNumber: residentId,
  });
  await accounts.addProxy(account.id, patientId(demoChildIndex), 'child');
  return staff.length + 1;
}
