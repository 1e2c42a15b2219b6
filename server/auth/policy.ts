// Who may do what: the one policy table of the hospital's roles. Each row grants a role some
// interactions on some resource types; anything no row grants is denied (deny by default). The
// role × type × interaction test matrix is generated from these rows.
import type { Interaction } from '../../fhir/index.ts';

export const staffRoles = ['admin', 'registrar', 'doctor', 'nurse', 'radiologist'] as const;
export type StaffRole = typeof staffRoles[number];
/** `patient`: a portal account; `anonymous`: no credentials (the public booking page). */
export type Role = StaffRole | 'patient' | 'anonymous';
export const roles: readonly Role[] = [...staffRoles, 'patient', 'anonymous'];

const reading: Interaction[] = ['read', 'vread', 'search', 'history'];
const writing: Interaction[] = ['create', 'update', 'patch'];
const everything: Interaction[] = [...reading, ...writing, 'delete'];

/** What the public booking page lists: departments, doctors, their schedules and free slots. */
export const bookingDirectory = ['HealthcareService', 'PractitionerRole', 'Practitioner', 'Schedule', 'Slot', 'Organization', 'Location'];
/** The hospital's own structure, kept by administrators. */
export const directory = [...bookingDirectory, 'Endpoint', 'Device'];
/** Shared reference data every member of staff reads. */
export const reference = ['Medication', 'Substance', 'Questionnaire', 'ValueSet', 'CodeSystem', 'ConceptMap', 'StructureDefinition',
  'SearchParameter', 'OperationDefinition', 'CapabilityStatement', 'ActivityDefinition', 'PlanDefinition'];
/** The patient record: what doctors and nurses read. */
export const clinicalRecord = ['Patient', 'RelatedPerson', 'Person', 'Encounter', 'EpisodeOfCare', 'Condition', 'Observation',
  'AllergyIntolerance', 'Procedure', 'MedicationRequest', 'MedicationAdministration', 'MedicationStatement', 'MedicationDispense',
  'Immunization', 'DiagnosticReport', 'ServiceRequest', 'ImagingStudy', 'Media', 'DocumentReference', 'Composition', 'CarePlan',
  'CareTeam', 'Goal', 'ClinicalImpression', 'FamilyMemberHistory', 'Specimen', 'Appointment', 'AppointmentResponse', 'Coverage',
  'Communication', 'Flag', 'NutritionOrder', 'Task', 'QuestionnaireResponse', 'DeviceRequest', 'Provenance', 'Consent', 'List',
  'RiskAssessment', 'DetectedIssue', 'Account', 'ChargeItem', 'Claim', 'ExplanationOfBenefit', 'Group'];

export interface PolicyRow {
  role: Role;
  types: readonly string[];
  interactions: readonly Interaction[];
  /** Why this row exists, in the hospital's words. */
  why: string;
}

export const policy: readonly PolicyRow[] = [
  { role: 'anonymous', types: bookingDirectory, interactions: ['read', 'search'], why: 'The public booking page lists departments, doctors and free slots' },

  { role: 'patient', types: bookingDirectory, interactions: ['read', 'search'], why: 'Patients book like the public does' },
  { role: 'patient', types: clinicalRecord, interactions: ['read', 'vread', 'search', 'history'], why: 'Patients read their own record (bounded to their compartment and their proxies\')' },
  { role: 'patient', types: ['AuditEvent'], interactions: ['read', 'search'], why: 'Patients see who opened their record (bounded to their compartment)' },
  { role: 'patient', types: reference, interactions: ['read', 'search'], why: 'Medications and questionnaires their record refers to' },

  { role: 'admin', types: directory, interactions: everything, why: 'Administrators keep departments, staff, wards, beds and schedules' },
  { role: 'admin', types: ['SearchParameter'], interactions: everything, why: 'Administrators define custom search parameters' },
  { role: 'admin', types: reference, interactions: reading, why: 'Reference data' },
  { role: 'admin', types: ['AuditEvent'], interactions: ['read', 'vread', 'search'], why: 'Administrators review the audit log (never change it)' },

  { role: 'registrar', types: ['Patient', 'RelatedPerson', 'Coverage', 'Appointment', 'Account'], interactions: [...reading, ...writing], why: 'The registration desk (挂号) registers patients, insurance and appointments' },
  { role: 'registrar', types: ['Encounter'], interactions: [...reading, 'create', 'update'], why: 'Registration opens the outpatient visit' },
  { role: 'registrar', types: ['Slot', 'Schedule'], interactions: [...reading, 'update'], why: 'Registrars book and release slots' },
  { role: 'registrar', types: directory, interactions: reading, why: 'Departments and doctors to register with' },

  { role: 'doctor', types: clinicalRecord, interactions: reading, why: 'Doctors read the whole record' },
  { role: 'doctor', types: ['Encounter', 'Condition', 'Observation', 'AllergyIntolerance', 'Procedure', 'MedicationRequest',
    'MedicationStatement', 'Immunization', 'DiagnosticReport', 'ServiceRequest', 'DocumentReference', 'Composition', 'CarePlan',
    'CareTeam', 'Goal', 'ClinicalImpression', 'FamilyMemberHistory', 'Specimen', 'Communication', 'Flag', 'NutritionOrder', 'Task',
    'QuestionnaireResponse', 'DeviceRequest', 'Provenance', 'Consent', 'List', 'RiskAssessment', 'DetectedIssue'],
  interactions: writing, why: 'Doctors chart, order and prescribe (corrections by new versions, never deletes)' },
  { role: 'doctor', types: [...directory, ...reference], interactions: reading, why: 'Colleagues, wards and reference data' },

  { role: 'nurse', types: clinicalRecord, interactions: reading, why: 'Nurses read the record of the patients they care for' },
  { role: 'nurse', types: ['Observation', 'MedicationAdministration', 'Encounter', 'Task', 'Communication', 'Flag', 'Procedure',
    'CarePlan', 'QuestionnaireResponse', 'Specimen', 'Provenance', 'Composition'], interactions: writing, why: 'Vital signs, administrations, bed transfers, nursing notes and tasks' },
  { role: 'nurse', types: ['Location'], interactions: [...reading, 'update', 'patch'], why: 'Nurses mark beds occupied, free or cleaning' },
  { role: 'nurse', types: [...directory, ...reference], interactions: reading, why: 'Colleagues, wards and reference data' },

  { role: 'radiologist', types: ['Patient', 'Encounter', 'Condition', 'AllergyIntolerance', 'Observation', 'DiagnosticReport',
    'ServiceRequest', 'ImagingStudy', 'Media', 'DocumentReference', 'Procedure', 'MedicationRequest'], interactions: reading,
  why: 'The clinical context of the studies they read' },
  { role: 'radiologist', types: ['ImagingStudy', 'DiagnosticReport', 'Media', 'Observation', 'Provenance'], interactions: writing, why: 'Radiologists report on studies' },
  { role: 'radiologist', types: ['ServiceRequest', 'Task'], interactions: ['update', 'patch'], why: 'Radiologists accept and complete imaging orders' },
  { role: 'radiologist', types: [...directory, ...reference], interactions: reading, why: 'Colleagues, modalities and reference data' },

  ...staffRoles.map((role): PolicyRow => ({
    role, types: ['Subscription'], interactions: everything,
    why: 'Staff and their systems subscribe to changes of what they may read (the criteria is checked against their reads)',
  })),
];

/** Operations by code: who may invoke them, beyond reading what they return (checked per type as usual). */
export const operationPolicy: Readonly<Record<string, { roles: readonly Role[]; why: string }>> = {
  everything: { roles: ['doctor', 'nurse', 'radiologist', 'patient'], why: 'Patient/$everything: the whole record (bounded for patients)' },
  validate: { roles: ['admin', 'registrar', 'doctor', 'nurse', 'radiologist'], why: 'Checking a resource before saving it' },
  reindex: { roles: ['admin'], why: 'Rebuilding the search index after a new SearchParameter' },
  find: { roles: ['anonymous', 'patient', 'admin', 'registrar', 'doctor', 'nurse'], why: 'Appointment/$find: free slots, public like the booking page' },
  hold: { roles: ['patient', 'registrar', 'admin'], why: 'Appointment/$hold: keep a place for a few minutes while booking' },
  book: { roles: ['patient', 'registrar', 'admin', 'doctor'], why: 'Appointment/$book: patients online (rules apply), the desk for walk-ins, doctors for a follow-up visit' },
  cancel: { roles: ['patient', 'registrar', 'admin'], why: 'Appointment/$cancel: patients before the deadline, the desk any time' },
  reschedule: { roles: ['patient', 'registrar', 'admin'], why: 'Appointment/$reschedule: move to another slot in one step' },
  'check-in': { roles: ['registrar', 'nurse', 'doctor', 'admin'], why: 'Appointment/$check-in: the patient has arrived (报到); opens the outpatient Encounter' },
  'call-next': { roles: ['doctor'], why: 'Encounter/$call-next: the doctor calls the next patient of the queue (叫号)' },
  'start-visit': { roles: ['doctor'], why: 'Encounter/$start-visit: the doctor sees an arrived patient' },
  'finish-visit': { roles: ['doctor'], why: 'Encounter/$finish-visit: the visit ends and its Appointment is fulfilled' },
  admit: { roles: ['doctor', 'nurse'], why: 'Encounter/$admit: admission to a ward bed (入院)' },
  transfer: { roles: ['doctor', 'nurse'], why: 'Encounter/$transfer: moving an inpatient to another bed (转床)' },
  discharge: { roles: ['doctor', 'nurse'], why: 'Encounter/$discharge: discharge (出院); the bed goes to cleaning' },
  'bed-status': { roles: ['nurse', 'admin'], why: 'Location/$bed-status: a bed cleaned, closed or reopened' },
  sign: { roles: ['doctor', 'nurse'], why: 'Composition/$sign: the author signs a note, which locks it' },
  summary: { roles: ['doctor', 'nurse', 'patient'], why: 'Patient/$summary: the patient summary document (IPS), patients for themselves and those they are a proxy for' },
  'fetch-external': { roles: ['doctor'], why: 'Patient/$fetch-external: a doctor brings the record in from a partner hospital, with the patient\'s consent' },
  refer: { roles: ['doctor'], why: 'Patient/$refer: a doctor sends the patient summary to a partner organisation (转诊)' },
  amend: { roles: ['doctor', 'nurse'], why: 'Composition/$amend: a signed note is corrected by a new, signed version' },
};

const grants = new Map<Role, Map<string, Set<Interaction>>>();
for (const row of policy) {
  let byType = grants.get(row.role);
  if (!byType) grants.set(row.role, byType = new Map());
  for (const type of row.types) {
    let set = byType.get(type);
    if (!set) byType.set(type, set = new Set());
    for (const i of row.interactions) set.add(i);
  }
}

/** Whether any of `roles` may perform `interaction` on `resourceType` by the policy table. */
export function roleAllows(roleList: readonly Role[], resourceType: string, interaction: Interaction, operation?: string): boolean {
  if (interaction === 'operation') {
    const rule = operation ? operationPolicy[operation] : undefined;
    return rule !== undefined && roleList.some((r) => rule.roles.includes(r));
  }
  return roleList.some((r) => grants.get(r)?.get(resourceType)?.has(interaction) ?? false);
}
