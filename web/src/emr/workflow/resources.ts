// The FHIR R4 resources the workflow pages write, built from what the forms hold. Pure functions:
// every code system and profile choice is made here, once.
import type { Drug, Frequency, Named, Reference, Resource } from './api.ts';

export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  atc: 'http://www.whocc.no/atc',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  medicationRequestCategory: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
  timingAbbreviation: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation',
  marNotGiven: 'https://open-his.example.org/fhir/CodeSystem/mar-not-given',
  scheduledTime: 'https://open-his.example.org/fhir/StructureDefinition/scheduled-time',
  accession: 'https://open-his.example.org/fhir/sid/accession-number',
  documentType: 'https://open-his.example.org/fhir/CodeSystem/document-type',
  sickLeaveDays: 'https://open-his.example.org/fhir/StructureDefinition/sick-leave-days',
  translation: 'http://hl7.org/fhir/StructureDefinition/translation',
} as const;

/** Who writes, about whom, in which encounter, when. */
export interface Context { patient: string; encounter: string; practitioner?: string; now: string }

const patientRef = (c: Context): Reference => ({ reference: `Patient/${c.patient}` });
const encounterRef = (c: Context): Reference => ({ reference: `Encounter/${c.encounter}` });
const practitionerRef = (c: Context): Reference[] => (c.practitioner ? [{ reference: `Practitioner/${c.practitioner}` }] : []);

/** A coding whose display is Chinese with its English translation (R4 translation extension), as the demo data writes them. */
function bilingual(system: string, item: Named) {
  return {
    system, code: item.code, display: item.zh,
    _display: { extension: [{ url: SYSTEMS.translation, extension: [{ url: 'lang', valueCode: 'en' }, { url: 'content', valueString: item.en }] }] },
  };
}

// ---- vital signs (http://hl7.org/fhir/R4/observation-vitalsigns.html) ----

export type VitalKey = 'temperature' | 'pulse' | 'respiration' | 'systolic' | 'diastolic' | 'spo2' | 'pain' | 'weight';
export type VitalsInput = Partial<Record<VitalKey, string>>;

/** LOINC code and UCUM unit of each profile (bodytemp, heartrate, resprate, oxygensat, bodyweight; pain is the 0–10 NRS). */
const VITALS: Record<Exclude<VitalKey, 'systolic' | 'diastolic'>, { codes: { code: string; display: string }[]; unit: string; ucum: string; min: number; max: number }> = {
  temperature: { codes: [{ code: '8310-5', display: 'Body temperature' }], unit: '°C', ucum: 'Cel', min: 25, max: 45 },
  pulse: { codes: [{ code: '8867-4', display: 'Heart rate' }], unit: '/min', ucum: '/min', min: 0, max: 300 },
  respiration: { codes: [{ code: '9279-1', display: 'Respiratory rate' }], unit: '/min', ucum: '/min', min: 0, max: 100 },
  // The oxygensat profile fixes 2708-6 and allows the pulse-oximetry code beside it.
  spo2: { codes: [{ code: '2708-6', display: 'Oxygen saturation in Arterial blood' }, { code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' }], unit: '%', ucum: '%', min: 0, max: 100 },
  pain: { codes: [{ code: '72514-3', display: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported' }], unit: '{score}', ucum: '{score}', min: 0, max: 10 },
  weight: { codes: [{ code: '29463-7', display: 'Body weight' }], unit: 'kg', ucum: 'kg', min: 0, max: 500 },
};

const number = (text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

/** The vitals that are out of range or not numbers (the form shows them; nothing is written). */
export function invalidVitals(input: VitalsInput): VitalKey[] {
  const bad: VitalKey[] = [];
  for (const key of Object.keys(input) as VitalKey[]) {
    const text = input[key];
    if (!text?.trim()) continue;
    const value = number(text);
    const range = key === 'systolic' || key === 'diastolic' ? { min: 0, max: 300 } : VITALS[key];
    if (value === undefined || value < range.min || value > range.max) bad.push(key);
  }
  const sys = input.systolic?.trim(), dia = input.diastolic?.trim();
  if (Boolean(sys) !== Boolean(dia)) bad.push(sys ? 'diastolic' : 'systolic');
  return bad;
}

const quantity = (value: number, unit: string, code: string) => ({ value, unit, system: SYSTEMS.ucum, code });

/** One Observation per filled measurement; blood pressure is the 85354-9 panel with its two components. */
export function vitalsObservations(input: VitalsInput, c: Context): Resource[] {
  const base = (codes: { code: string; display: string }[], text: string) => ({
    resourceType: 'Observation', status: 'final',
    category: [{ coding: [{ system: SYSTEMS.observationCategory, code: 'vital-signs', display: 'Vital Signs' }] }],
    code: { coding: codes.map((x) => ({ system: SYSTEMS.loinc, ...x })), text },
    subject: patientRef(c), encounter: encounterRef(c), effectiveDateTime: c.now, performer: practitionerRef(c),
  });
  const out: Resource[] = [];
  for (const key of ['temperature', 'pulse', 'respiration', 'spo2', 'pain', 'weight'] as const) {
    const value = number(input[key]);
    if (value === undefined) continue;
    const v = VITALS[key];
    out.push({ ...base(v.codes, v.codes[0]!.display), valueQuantity: quantity(value, v.unit, v.ucum) });
  }
  const systolic = number(input.systolic), diastolic = number(input.diastolic);
  if (systolic !== undefined && diastolic !== undefined) {
    out.push({
      ...base([{ code: '85354-9', display: 'Blood pressure panel with all children optional' }], 'Blood pressure'),
      component: [
        { code: { coding: [{ system: SYSTEMS.loinc, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: quantity(systolic, 'mmHg', 'mm[Hg]') },
        { code: { coding: [{ system: SYSTEMS.loinc, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: quantity(diastolic, 'mmHg', 'mm[Hg]') },
      ],
    });
  }
  return out;
}

// ---- diagnosis ----

export function encounterDiagnosis(diagnosis: Named, c: Context): Resource {
  return {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'active', display: 'Active' }] },
    verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'confirmed', display: 'Confirmed' }] },
    category: [{ coding: [{ system: SYSTEMS.conditionCategory, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
    code: { coding: [bilingual(SYSTEMS.icd10, diagnosis)], text: diagnosis.zh },
    subject: patientRef(c), encounter: encounterRef(c), recordedDate: c.now,
    ...(c.practitioner ? { recorder: { reference: `Practitioner/${c.practitioner}` } } : {}),
  };
}

// ---- prescriptions ----

export interface PrescriptionInput {
  drug: Drug; doseValue: number; route: Named; frequency: Frequency; days: number; quantity: number; quantityUnit?: string;
  category: 'outpatient' | 'inpatient' | 'discharge'; note?: string;
}

const TIMING_CODES = new Set(['QD', 'BID', 'TID', 'QID']);

export function dosageText(p: Pick<PrescriptionInput, 'drug' | 'doseValue' | 'route' | 'frequency' | 'days'>, lang: 'zh' | 'en'): string {
  const unit = p.drug.dose?.unit ?? '';
  return lang === 'zh'
    ? `每次${p.doseValue}${unit}，${p.frequency.zh}，${p.route.zh}，共${p.days}天`
    : `${p.doseValue} ${unit} ${p.frequency.en}, ${p.route.en}, ${p.days} days`;
}

/** MedicationRequest: dosageInstruction (timing, route, doseAndRate) and dispenseRequest (quantity, expectedSupplyDuration). */
export function medicationRequest(p: PrescriptionInput, c: Context): Resource {
  const timing: Record<string, unknown> = {};
  if (p.frequency.repeat) timing.repeat = { ...p.frequency.repeat };
  if (TIMING_CODES.has(p.frequency.code)) timing.code = { coding: [{ system: SYSTEMS.timingAbbreviation, code: p.frequency.code }], text: p.frequency.zh };
  else timing.code = { text: p.frequency.zh };
  const category = { outpatient: 'Outpatient', inpatient: 'Inpatient', discharge: 'Discharge' }[p.category];
  return {
    resourceType: 'MedicationRequest', status: 'active', intent: 'order',
    category: [{ coding: [{ system: SYSTEMS.medicationRequestCategory, code: p.category, display: category }] }],
    medicationCodeableConcept: { coding: [{ system: SYSTEMS.atc, code: p.drug.atc, display: p.drug.en }], text: `${p.drug.zh} ${p.drug.strength}` },
    subject: patientRef(c), encounter: encounterRef(c), authoredOn: c.now,
    ...(c.practitioner ? { requester: { reference: `Practitioner/${c.practitioner}` } } : {}),
    dosageInstruction: [{
      text: dosageText(p, 'zh'),
      timing,
      ...(p.frequency.code === 'PRN' ? { asNeededBoolean: true } : {}),
      route: { coding: [{ system: SYSTEMS.snomed, code: p.route.code, display: p.route.en }], text: p.route.zh },
      ...(p.drug.dose ? { doseAndRate: [{ doseQuantity: quantity(p.doseValue, p.drug.dose.unit, p.drug.dose.code) }] } : {}),
    }],
    dispenseRequest: {
      quantity: { value: p.quantity, ...(p.quantityUnit ? { unit: p.quantityUnit } : {}) },
      expectedSupplyDuration: { value: p.days, unit: 'd', system: SYSTEMS.ucum, code: 'd' },
    },
    ...(p.note ? { note: [{ text: p.note }] } : {}),
  };
}

// ---- orders ----

export const ORDER_CATEGORIES = {
  lab: { code: '108252007', display: 'Laboratory procedure' },
  imaging: { code: '363679005', display: 'Imaging' },
} as const;

export function serviceRequest(kind: keyof typeof ORDER_CATEGORIES, item: Named, c: Context): Resource {
  return {
    resourceType: 'ServiceRequest', status: 'active', intent: 'order', priority: 'routine',
    category: [{ coding: [{ system: SYSTEMS.snomed, ...ORDER_CATEGORIES[kind] }] }],
    code: { coding: [{ system: SYSTEMS.loinc, code: item.code, display: item.en }], text: item.zh },
    subject: patientRef(c), encounter: encounterRef(c), authoredOn: c.now,
    ...(c.practitioner ? { requester: { reference: `Practitioner/${c.practitioner}` } } : {}),
  };
}

export const accessionOf = (request: Resource): string | undefined =>
  (request.identifier as { system?: string; value?: string }[] | undefined)?.find((i) => i.system === SYSTEMS.accession)?.value;

// ---- medication administration (the MAR) ----

export function administration(input: {
  request: Resource & { id: string }; scheduled: string; outcome: 'given' | 'held' | 'refused'; reason?: string;
}, c: Context): Resource {
  const req = input.request as Resource & { medicationCodeableConcept?: unknown; dosageInstruction?: { text?: string; route?: unknown; doseAndRate?: { doseQuantity?: unknown }[] }[] };
  const instruction = req.dosageInstruction?.[0];
  const dose = instruction?.doseAndRate?.[0]?.doseQuantity;
  const given = input.outcome === 'given';
  return {
    resourceType: 'MedicationAdministration',
    extension: [{ url: SYSTEMS.scheduledTime, valueDateTime: input.scheduled }],
    status: given ? 'completed' : 'not-done',
    ...(given ? {} : { statusReason: [{ coding: [{ system: SYSTEMS.marNotGiven, code: input.outcome }], text: input.outcome }] }),
    ...(input.reason?.trim() ? { note: [{ text: input.reason.trim() }] } : {}),
    medicationCodeableConcept: req.medicationCodeableConcept,
    subject: patientRef(c), context: encounterRef(c),
    request: { reference: `MedicationRequest/${input.request.id}` },
    effectiveDateTime: c.now,
    performer: practitionerRef(c).map((actor) => ({ actor })),
    dosage: { ...(instruction?.text ? { text: instruction.text } : {}), ...(instruction?.route ? { route: instruction.route } : {}), ...(dose ? { dose } : {}) },
  };
}
