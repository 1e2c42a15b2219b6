// Clinical departments (科室): each is an Organization of type `dept` that is `partOf` the
// hospital (http://hl7.org/fhir/R4/organization.html — "an organization can be a department"),
// and a HealthcareService that outpatient registration and booking will offer.
import { coding, concept, english, ref, refTo, type Resource } from './fhir.ts';
import { HOSPITAL_ID, HOSPITAL_NAME } from './organization.ts';
import { CLINICAL_SUBJECT_SYSTEM, SYSTEMS } from './systems.ts';

export type DepartmentKey =
  | 'im' | 'surg' | 'paed' | 'obgyn' | 'ophth' | 'stom' | 'derm' | 'rad' | 'ed';

export interface Department {
  key: DepartmentKey;
  zh: string;
  en: string;
  /** 《医疗机构诊疗科目名录》 subject code. */
  subject: string;
  /** SNOMED CT practice specialty (R4 ValueSet c80-practice-codes, preferred binding). */
  specialty: { code: string; display: string };
  /** HL7 service-category code (http://terminology.hl7.org/CodeSystem/service-category). */
  category: { code: string; display: string };
  /** Registration desk extension number. */
  extension: string;
  /** Emergency runs around the clock; radiology takes referrals, not registrations. */
  hours: 'clinic' | 'always';
}

export const DEPARTMENTS: readonly Department[] = [
  { key: 'im', zh: '内科', en: 'Internal Medicine', subject: '03',
    specialty: { code: '419192003', display: 'Internal medicine' },
    category: { code: '27', display: 'Specialist Medical' }, extension: '8103', hours: 'clinic' },
  { key: 'surg', zh: '外科', en: 'Surgery', subject: '04',
    specialty: { code: '394609007', display: 'General surgery' },
    category: { code: '31', display: 'Specialist Surgical' }, extension: '8104', hours: 'clinic' },
  { key: 'paed', zh: '儿科', en: 'Paediatrics', subject: '07',
    specialty: { code: '394537008', display: 'Pediatric specialty' },
    category: { code: '29', display: 'Specialist Paediatric' }, extension: '8107', hours: 'clinic' },
  { key: 'obgyn', zh: '妇产科', en: 'Obstetrics & Gynaecology', subject: '05',
    specialty: { code: '394585009', display: 'Obstetrics and gynecology' },
    category: { code: '28', display: 'Specialist Obstetrics & Gynecology' }, extension: '8105', hours: 'clinic' },
  { key: 'ophth', zh: '眼科', en: 'Ophthalmology', subject: '10',
    specialty: { code: '394594003', display: 'Ophthalmology' },
    category: { code: '27', display: 'Specialist Medical' }, extension: '8110', hours: 'clinic' },
  { key: 'stom', zh: '口腔科', en: 'Stomatology', subject: '12',
    specialty: { code: '394812008', display: 'Dental medicine specialties' },
    category: { code: '10', display: 'Dental' }, extension: '8112', hours: 'clinic' },
  { key: 'derm', zh: '皮肤科', en: 'Dermatology', subject: '13',
    specialty: { code: '394582007', display: 'Dermatology' },
    category: { code: '27', display: 'Specialist Medical' }, extension: '8113', hours: 'clinic' },
  { key: 'rad', zh: '放射科', en: 'Radiology', subject: '32',
    specialty: { code: '394914008', display: 'Radiology' },
    category: { code: '30', display: 'Specialist Radiology/Imaging' }, extension: '8132', hours: 'always' },
  { key: 'ed', zh: '急诊科', en: 'Emergency', subject: '20',
    specialty: { code: '773568002', display: 'Emergency medicine' },
    category: { code: '14', display: 'Emergency Department' }, extension: '8120', hours: 'always' },
];

export const departmentOrgId = (key: DepartmentKey): string => `demo-dept-${key}`;
export const healthcareServiceId = (key: DepartmentKey): string => `demo-hcs-${key}`;

export function department(key: DepartmentKey): Department {
  const found = DEPARTMENTS.find((d) => d.key === key);
  if (!found) throw new Error(`unknown department ${key}`);
  return found;
}

export function departmentRef(key: DepartmentKey) {
  return refTo('Organization', departmentOrgId(key), department(key).zh);
}

export function serviceRef(key: DepartmentKey) {
  return refTo('HealthcareService', healthcareServiceId(key), department(key).zh);
}

export const specialtyConcept = (d: Department) =>
  concept(coding(SYSTEMS.snomed, d.specialty.code, d.specialty.display), d.zh);

function departmentOrganization(d: Department): Resource & { id: string } {
  return {
    resourceType: 'Organization',
    id: departmentOrgId(d.key),
    language: 'zh-CN',
    active: true,
    type: [
      concept(coding(SYSTEMS.organizationType, 'dept', 'Hospital Department')),
      concept(coding(CLINICAL_SUBJECT_SYSTEM, d.subject, d.zh), d.zh),
    ],
    name: d.zh,
    _name: english(d.en),
    alias: [d.en],
    telecom: [{ system: 'phone', value: `0571-0000${d.extension}`, use: 'work' }],
    partOf: refTo('Organization', HOSPITAL_ID, HOSPITAL_NAME),
  };
}

function healthcareService(d: Department): Resource & { id: string } {
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
  const availableTime = d.hours === 'always'
    ? [{ daysOfWeek: [...weekdays, 'sat', 'sun'], allDay: true }]
    : [
        { daysOfWeek: weekdays, availableStartTime: '08:00:00', availableEndTime: '11:30:00' },
        { daysOfWeek: weekdays, availableStartTime: '13:30:00', availableEndTime: '17:00:00' },
        { daysOfWeek: ['sat'], availableStartTime: '08:00:00', availableEndTime: '11:30:00' },
      ];
  const name = d.key === 'rad' ? '放射检查' : d.key === 'ed' ? '急诊' : `${d.zh}门诊`;
  const nameEn = d.key === 'rad' ? 'Radiology imaging' : d.key === 'ed' ? 'Emergency care' : `${d.en} outpatient clinic`;
  return {
    resourceType: 'HealthcareService',
    id: healthcareServiceId(d.key),
    language: 'zh-CN',
    active: true,
    providedBy: ref({ resourceType: 'Organization', id: departmentOrgId(d.key) }, d.zh),
    category: [concept(coding(SYSTEMS.serviceCategory, d.category.code, d.category.display))],
    specialty: [specialtyConcept(d)],
    name,
    _name: english(nameEn),
    telecom: [{ system: 'phone', value: `0571-0000${d.extension}`, use: 'work' }],
    // Chinese outpatient clinics take walk-in registration (现场挂号) as well as bookings.
    appointmentRequired: false,
    availableTime,
  };
}

export function buildDepartments(): (Resource & { id: string })[] {
  return DEPARTMENTS.flatMap((d) => [departmentOrganization(d), healthcareService(d)]);
}
