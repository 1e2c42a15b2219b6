// Practitioners (医生, 护士) and one PractitionerRole each, tying the person to a department
// Organization and its HealthcareService, with the professional title as a coded role and,
// for physicians who see outpatients, the registration fee (挂号费) their clinic charges.
import { coding, concept, english, refTo, type Resource } from './fhir.ts';
import {
  department, departmentRef, serviceRef, specialtyConcept, type DepartmentKey,
} from './departments.ts';
import { humanNames, makeName, fullName, type ChineseName, type Gender } from './names.ts';
import { createPrng } from './prng.ts';
import {
  PRACTISING_CERTIFICATE_SYSTEM, PROFESSIONAL_TITLES, PROFESSIONAL_TITLE_SYSTEM,
  REGISTRATION_FEE_EXTENSION, STAFF_NUMBER_SYSTEM, SYSTEMS, type ProfessionalTitle,
} from './systems.ts';
import { WARDS, wardId } from './wards.ts';

export type StaffKind = 'physician' | 'radiologist' | 'nurse';

interface StaffPlan { dept: DepartmentKey; kind: StaffKind; title: ProfessionalTitle; clinicDays?: readonly string[] }

const PLAN: readonly StaffPlan[] = [
  { dept: 'im', kind: 'physician', title: 'chief-physician', clinicDays: ['mon', 'thu'] },
  { dept: 'im', kind: 'physician', title: 'associate-chief-physician', clinicDays: ['tue', 'fri'] },
  { dept: 'im', kind: 'physician', title: 'attending-physician', clinicDays: ['mon', 'wed', 'sat'] },
  { dept: 'im', kind: 'physician', title: 'resident-physician', clinicDays: ['tue', 'thu'] },
  { dept: 'surg', kind: 'physician', title: 'chief-physician', clinicDays: ['wed'] },
  { dept: 'surg', kind: 'physician', title: 'attending-physician', clinicDays: ['mon', 'thu', 'sat'] },
  { dept: 'paed', kind: 'physician', title: 'associate-chief-physician', clinicDays: ['mon', 'wed', 'fri'] },
  { dept: 'paed', kind: 'physician', title: 'attending-physician', clinicDays: ['tue', 'thu', 'sat'] },
  { dept: 'obgyn', kind: 'physician', title: 'associate-chief-physician', clinicDays: ['tue', 'fri'] },
  { dept: 'obgyn', kind: 'physician', title: 'attending-physician', clinicDays: ['mon', 'wed', 'thu'] },
  { dept: 'ophth', kind: 'physician', title: 'attending-physician', clinicDays: ['mon', 'tue', 'thu'] },
  { dept: 'stom', kind: 'physician', title: 'attending-physician', clinicDays: ['mon', 'wed', 'fri'] },
  { dept: 'derm', kind: 'physician', title: 'associate-chief-physician', clinicDays: ['tue', 'thu', 'sat'] },
  { dept: 'rad', kind: 'radiologist', title: 'associate-chief-physician' },
  { dept: 'rad', kind: 'radiologist', title: 'attending-physician' },
  { dept: 'ed', kind: 'physician', title: 'attending-physician' },
  { dept: 'ed', kind: 'physician', title: 'resident-physician' },
  { dept: 'im', kind: 'nurse', title: 'nurse-in-charge' },
  { dept: 'surg', kind: 'nurse', title: 'senior-nurse' },
  { dept: 'paed', kind: 'nurse', title: 'nurse' },
  { dept: 'ed', kind: 'nurse', title: 'associate-chief-nurse' },
];

export interface StaffMember {
  practitionerId: string;
  roleId: string;
  /** Full Chinese name, for Reference.display. */
  name: string;
  nameParts: ChineseName;
  gender: Gender;
  dept: DepartmentKey;
  kind: StaffKind;
  title: ProfessionalTitle;
  clinicDays?: readonly string[];
}

type Built = Resource & { id: string };

const staffId = (n: number): string => String(n).padStart(2, '0');

/** The roster, without resources: records use it to pick who saw a patient. */
export function staffRoster(): StaffMember[] {
  const prng = createPrng('staff');
  const taken = new Set<string>(['张伟']);
  return PLAN.map((plan, i): StaffMember => {
    const gender: Gender = i === 0 ? 'male'
      : plan.kind === 'nurse' ? (prng.chance(0.9) ? 'female' : 'male') : prng.pick(['male', 'female'] as const);
    // The first physician is 张伟, the name the project's docs use as their example.
    const nameParts = i === 0
      ? { family: '张', given: '伟', familyPinyin: 'Zhang', givenPinyin: 'Wei' }
      : makeName(prng, gender, taken);
    const member: StaffMember = {
      practitionerId: `demo-prac-${staffId(i + 1)}`,
      roleId: `demo-role-${staffId(i + 1)}`,
      name: fullName(nameParts),
      nameParts,
      gender,
      dept: plan.dept,
      kind: plan.kind,
      title: plan.title,
    };
    if (plan.clinicDays) member.clinicDays = plan.clinicDays;
    return member;
  });
}

function practitioner(member: StaffMember, index: number): Built {
  const isNurse = member.kind === 'nurse';
  const degree = isNurse
    ? coding(SYSTEMS.v2Degree, 'RN', 'Registered Nurse')
    : coding(SYSTEMS.v2Degree, 'MD', 'Doctor of Medicine');
  return {
    resourceType: 'Practitioner',
    id: member.practitionerId,
    language: 'zh-CN',
    identifier: [
      { use: 'official', system: STAFF_NUMBER_SYSTEM, value: `E${String(1001 + index).padStart(5, '0')}` },
    ],
    active: true,
    name: humanNames(member.nameParts),
    telecom: [{ system: 'phone', value: `0571-0000${department(member.dept).extension}`, use: 'work' }],
    gender: member.gender,
    qualification: [
      {
        // 医师执业证书 / 护士执业证书: the licence to practise, numbered by the issuing
        // health commission; the v2-0360 coding gives a system-independent meaning.
        identifier: [{ system: PRACTISING_CERTIFICATE_SYSTEM, value: `1103301${String(10000000 + index * 7919)}` }],
        code: concept(degree, isNurse ? '护士执业证书 Nurse Practising Certificate' : '医师执业证书 Physician Practising Certificate'),
      },
    ],
    communication: [concept(coding(SYSTEMS.bcp47, 'zh-CN', 'Chinese (China)'), '中文')],
  };
}

function role(member: StaffMember): Built {
  const d = department(member.dept);
  const title = PROFESSIONAL_TITLES[member.title];
  const roleCode = member.kind === 'nurse'
    ? coding(SYSTEMS.practitionerRole, 'nurse', 'Nurse')
    : coding(SYSTEMS.practitionerRole, 'doctor', 'Doctor');
  const chargesRegistration = member.kind === 'physician' && title.fee > 0;
  const resource: Built = {
    resourceType: 'PractitionerRole',
    id: member.roleId,
    language: 'zh-CN',
    active: true,
    practitioner: refTo('Practitioner', member.practitionerId, member.name),
    organization: departmentRef(member.dept),
    code: [
      concept(roleCode, member.kind === 'nurse' ? '护士' : member.kind === 'radiologist' ? '放射科医师' : '医师'),
      { coding: [coding(PROFESSIONAL_TITLE_SYSTEM, member.title, title.zh)], text: title.zh, _text: english(title.en) },
    ],
    specialty: [specialtyConcept(d)],
    healthcareService: [serviceRef(member.dept)],
    telecom: [{ system: 'phone', value: `0571-0000${d.extension}`, use: 'work' }],
  };
  // Ward nurses work on their ward; the emergency nurse has no ward Location.
  if (member.kind === 'nurse' && WARDS.some((w) => w.dept === member.dept)) {
    resource.location = [refTo('Location', wardId(member.dept), `${d.zh}病区`)];
  }
  if (chargesRegistration) {
    resource.extension = [{ url: REGISTRATION_FEE_EXTENSION, valueMoney: { value: title.fee, currency: 'CNY' } }];
  }
  if (member.clinicDays) {
    // 出诊时间: the half-day clinic sessions this doctor takes at the department's clinic.
    resource.availableTime = [{ daysOfWeek: [...member.clinicDays], availableStartTime: '08:00:00', availableEndTime: '11:30:00' }];
  }
  return resource;
}

export function buildStaff(roster = staffRoster()): Built[] {
  return roster.flatMap((member, i) => [practitioner(member, i), role(member)]);
}
