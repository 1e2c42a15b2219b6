// Each outpatient doctor's Schedule (出诊安排, http://hl7.org/fhir/R4/schedule.html): the doctor's
// PractitionerRole and the department's HealthcareService as actors. The weekly templates that
// fill the schedules with slots are booking configuration (server/booking/template.ts); the demo
// ones follow the clinic days of the roster.
import { refTo, type Resource } from './fhir.ts';
import { department, healthcareServiceId } from './departments.ts';
import type { StaffMember } from './staff.ts';
import { SYSTEMS } from './systems.ts';

export const scheduleId = (member: StaffMember): string => member.roleId.replace('demo-role-', 'demo-sched-');

/** Physicians with clinic days see outpatients; radiologists and emergency doctors take no bookings. */
export function clinicDoctors(roster: readonly StaffMember[]): StaffMember[] {
  return roster.filter((m) => m.kind === 'physician' && m.clinicDays && m.clinicDays.length > 0);
}

export function buildSchedules(roster: readonly StaffMember[]): (Resource & { id: string })[] {
  return clinicDoctors(roster).map((m) => {
    const d = department(m.dept);
    return {
      resourceType: 'Schedule',
      id: scheduleId(m),
      language: 'zh-CN',
      active: true,
      serviceCategory: [{ coding: [{ system: SYSTEMS.serviceCategory, code: d.category.code, display: d.category.display }] }],
      specialty: [{ coding: [{ system: SYSTEMS.snomed, code: d.specialty.code, display: d.specialty.display }], text: d.zh }],
      actor: [refTo('PractitionerRole', m.roleId, m.name), refTo('HealthcareService', healthcareServiceId(m.dept), d.zh)],
      comment: `${m.name} ${d.zh}门诊`,
    };
  });
}

/**
 * The demo weekly template of a doctor: mornings 08:00–11:30 on clinic days in 15-minute slots of
 * 2 places; senior doctors (chief / associate chief) also an afternoon 13:30–16:30 on the first one.
 */
export function demoTemplate(member: StaffMember) {
  const days = [...(member.clinicDays ?? [])];
  const sessions: { days: string[]; period: 'morning' | 'afternoon'; start: string; end: string; slotMinutes: number; capacity: number }[] = [
    { days, period: 'morning', start: '08:00', end: '11:30', slotMinutes: 15, capacity: 2 },
  ];
  if (member.title === 'chief-physician' || member.title === 'associate-chief-physician') {
    sessions.push({ days: days.slice(0, 1), period: 'afternoon', start: '13:30', end: '16:30', slotMinutes: 30, capacity: 3 });
  }
  return { sessions };
}
