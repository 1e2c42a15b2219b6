// Identifier and code system URIs used by the demo data, and meant to be reused by later
// features (registration, booking, EMR, real-name verification) so that every part of Open HIS
// writes the same `system` for the same kind of identifier or code.
//
// Where a national or international URI exists it is used; where none does, the URI is a
// local one under OPEN_HIS_BASE, which a deploying hospital replaces with its own domain
// (FHIR R4 Identifier.system: "the namespace for the identifier value";
// http://hl7.org/fhir/R4/datatypes.html#Identifier).

/** Base for URIs that belong to this deployment rather than to a standards body. */
export const OPEN_HIS_BASE = 'https://open-his.example.org/fhir';

// ---- Identifier systems ----------------------------------------------------------------

/**
 * 公民身份号码 (resident identity card number, GB 11643-1999).
 * OID 2.16.156.10011.1.3 is the one China's national EMR shared-document standard
 * (WS/T 500-2016 电子病历共享文档规范) and the hospital information platform interaction
 * specifications assign to "患者身份证号标识"; Chinese HIS/CDA integrations use it as the
 * `root` of the patient's ID-card `<id>`. (The 1.2.156.112606.* arc seen in some vendor
 * messages belongs to one vendor's private namespace, not to the ID card.)
 * The ID number is unique nationwide, so a national namespace is correct.
 */
export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';

/**
 * 医疗保险卡号 (medical-insurance / social-security card number). WS/T 500 family OID
 * 2.16.156.10011.1.15 "医保卡号", as used with 2.16.156.10011.1.3 above.
 */
export const MEDICAL_INSURANCE_CARD_SYSTEM = 'urn:oid:2.16.156.10011.1.15';

/**
 * Passport numbers are unique only within the issuing state, so the system names the state:
 * HL7 Terminology's NamingSystems passportNumNS-XXX register http://hl7.org/fhir/sid/passport-XXX
 * (OID 2.16.840.1.113883.4.330.<ISO 3166 numeric>) with XXX the ISO 3166-1 alpha-3 code, the
 * same code ICAO 9303 prints as the issuing state in the machine-readable zone.
 */
export function passportSystem(issuingStateAlpha3: string): string {
  if (!/^[A-Z]{3}$/.test(issuingStateAlpha3)) throw new Error('the issuing state is an ISO 3166-1 alpha-3 code, e.g. CHN');
  return `http://hl7.org/fhir/sid/passport-${issuingStateAlpha3}`;
}

/**
 * 港澳居民来往内地通行证 (回乡证, Mainland Travel Permit for Hong Kong and Macao Residents),
 * issued by the National Immigration Administration. No national or HL7 OID/URI is published
 * for it, so the system is local; the H/M prefix of the number already tells the two regions apart.
 */
export const HK_MACAO_TRAVEL_PERMIT_SYSTEM = `${OPEN_HIS_BASE}/sid/hk-macao-travel-permit`;

/**
 * 台湾居民来往大陆通行证 (台胞证, Mainland Travel Permit for Taiwan Residents), issued by the
 * National Immigration Administration. No national or HL7 OID/URI is published for it: local system.
 */
export const TAIWAN_TRAVEL_PERMIT_SYSTEM = `${OPEN_HIS_BASE}/sid/taiwan-travel-permit`;

/**
 * 病案号 — the hospital's own medical record number. WS/T 500 names the concept
 * (2.16.156.10011.1.13) but that OID is shared by every hospital, so values are only unique
 * within one hospital: the system is the hospital's own namespace.
 */
export const MRN_SYSTEM = `${OPEN_HIS_BASE}/sid/mrn`;
/** 门(急)诊号 — outpatient/emergency visit number (WS/T 500 concept 2.16.156.10011.1.11). */
export const OUTPATIENT_NUMBER_SYSTEM = `${OPEN_HIS_BASE}/sid/outpatient-number`;
/** 检查号 (accession number of an imaging order): ServiceRequest.identifier, DICOM AccessionNumber (0008,0050). */
export const ACCESSION_NUMBER_SYSTEM = `${OPEN_HIS_BASE}/sid/accession-number`;
/** A DICOM Patient ID (0010,0020) from a modality that named no issuer: kept until the patient is reconciled. */
export const DICOM_PATIENT_ID_SYSTEM = `${OPEN_HIS_BASE}/sid/dicom-patient-id`;
/** 住院号 — inpatient admission number (WS/T 500 concept 2.16.156.10011.1.12). */
export const INPATIENT_NUMBER_SYSTEM = `${OPEN_HIS_BASE}/sid/inpatient-number`;
/** 医师/护士执业证书编码 — practising certificate number issued by the health commission. */
export const PRACTISING_CERTIFICATE_SYSTEM = `${OPEN_HIS_BASE}/sid/practising-certificate`;
/** 工号 — staff number inside the hospital. */
export const STAFF_NUMBER_SYSTEM = `${OPEN_HIS_BASE}/sid/staff-number`;
/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): the legal identifier of every
 * Chinese organisation, also its tax number. No HL7 URI exists; this is a local one.
 */
export const USCC_SYSTEM = `${OPEN_HIS_BASE}/sid/uscc`;

// ---- Local code systems ----------------------------------------------------------------

/**
 * 专业技术职称 — professional titles: physicians 主任医师 / 副主任医师 / 主治医师 / 住院医师,
 * nurses 主任护师 / 副主任护师 / 主管护师 / 护师 / 护士 (the health-profession title series
 * of the Ministry of Human Resources and Social Security). Codes are listed in PROFESSIONAL_TITLES.
 */
export const PROFESSIONAL_TITLE_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/professional-title`;

/**
 * 诊疗科目 — the subjects a medical institution is licensed to practise, with the codes of the
 * national 《医疗机构诊疗科目名录》 (卫医发〔1994〕27号), e.g. 03 内科, 04 外科, 32 医学影像科.
 */
export const CLINICAL_SUBJECT_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/clinical-subject`;

/** Registration fee (挂号费) of a practitioner role: an extension holding valueMoney in CNY. */
export const REGISTRATION_FEE_EXTENSION = `${OPEN_HIS_BASE}/StructureDefinition/registration-fee`;

/** Hospital grade (医院等级, e.g. 三级甲等) under the national hospital accreditation scheme. */
export const HOSPITAL_GRADE_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/hospital-grade`;

// ---- International systems used alongside ---------------------------------------------

export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  atc: 'http://www.whocc.no/atc',
  bcp47: 'urn:ietf:bcp:47',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  v2BedStatus: 'http://terminology.hl7.org/CodeSystem/v2-0116',
  // THO's unversioned canonical; the R4 package still names it v2-0360|2.7 (same codes).
  v2Degree: 'http://terminology.hl7.org/CodeSystem/v2-0360',
  v2Relationship: 'http://terminology.hl7.org/CodeSystem/v2-0131',
  v2DiagnosticService: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3MaritalStatus: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  v3ActPriority: 'http://terminology.hl7.org/CodeSystem/v3-ActPriority',
  v3ParticipationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  v3Interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3TimingAbbreviation: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  serviceCategory: 'http://terminology.hl7.org/CodeSystem/service-category',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  admitSource: 'http://terminology.hl7.org/CodeSystem/admit-source',
  dischargeDisposition: 'http://terminology.hl7.org/CodeSystem/discharge-disposition',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  medicationRequestCategory: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
  translationExtension: 'http://hl7.org/fhir/StructureDefinition/translation',
  nameRepresentationExtension: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation',
} as const;

/** Codes of PROFESSIONAL_TITLE_SYSTEM, with the registration fee (CNY) of each physician grade. */
export const PROFESSIONAL_TITLES = {
  'chief-physician': { zh: '主任医师', en: 'Chief Physician', fee: 50 },
  'associate-chief-physician': { zh: '副主任医师', en: 'Associate Chief Physician', fee: 35 },
  'attending-physician': { zh: '主治医师', en: 'Attending Physician', fee: 25 },
  'resident-physician': { zh: '住院医师', en: 'Resident Physician', fee: 15 },
  'chief-nurse': { zh: '主任护师', en: 'Chief Nurse', fee: 0 },
  'associate-chief-nurse': { zh: '副主任护师', en: 'Associate Chief Nurse', fee: 0 },
  'nurse-in-charge': { zh: '主管护师', en: 'Nurse-in-charge', fee: 0 },
  'senior-nurse': { zh: '护师', en: 'Senior Nurse', fee: 0 },
  'nurse': { zh: '护士', en: 'Nurse', fee: 0 },
} as const;

export type ProfessionalTitle = keyof typeof PROFESSIONAL_TITLES;
