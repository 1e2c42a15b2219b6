// Prescriptions (处方 / 医嘱) as MedicationRequest and allergies as AllergyIntolerance.
// Drugs are coded with WHO ATC (http://www.whocc.no/atc) and named by their Chinese generic
// name and strength in `text`; a drug dictionary code (e.g. the NHSA 医保药品分类与代码) can
// be added as a further coding once the hospital's formulary is loaded.
import { coding, concept, type Reference } from './fhir.ts';
import {
  ALLERGENS, DRUGS, FREQUENCIES, REACTIONS, ROUTES, type DrugKey,
} from './clinical-codes.ts';
import { afterStart, type EncounterHandle } from './encounters.ts';
import type { AllergyKey } from './patients.ts';
import { practitionerRef, type PatientContext } from './record-context.ts';
import { SYSTEMS } from './systems.ts';

/** GTS abbreviations that are in the R4 timing-abbreviation value set. */
const TIMING_CODES = new Set(['QD', 'BID', 'TID', 'QID']);

export interface PrescribeOptions {
  status?: 'active' | 'completed' | 'stopped';
  reason?: Reference;
  /** For as-needed drugs: the SNOMED CT finding that triggers a dose. */
  asNeededFor?: { code: string; display: string; zh: string };
}

export function prescribe(ctx: PatientContext, enc: EncounterHandle, key: DrugKey, options: PrescribeOptions = {}): void {
  const drug = DRUGS[key];
  const route = ROUTES[drug.route];
  const frequency = FREQUENCIES[drug.frequency];
  const dose = 'dose' in drug ? drug.dose : undefined;
  const timing: Record<string, unknown> = {};
  if (frequency.repeat) timing.repeat = { ...frequency.repeat };
  if (TIMING_CODES.has(drug.frequency)) timing.code = concept(coding(SYSTEMS.v3TimingAbbreviation, drug.frequency));
  const doseText = dose ? `每次${dose.value}${dose.unit}` : '适量';
  const dosage: Record<string, unknown> = {
    sequence: 1,
    text: `${doseText}，${frequency.zh}，${route.zh}`,
    route: concept(coding(SYSTEMS.snomed, route.code, route.display), route.zh),
  };
  if (Object.keys(timing).length > 0) dosage.timing = timing;
  if (drug.frequency === 'PRN') {
    const trigger = options.asNeededFor;
    if (trigger) dosage.asNeededCodeableConcept = concept(coding(SYSTEMS.snomed, trigger.code, trigger.display), trigger.zh);
    else dosage.asNeededBoolean = true;
  }
  if (dose) dosage.doseAndRate = [{ doseQuantity: { value: dose.value, unit: dose.unit, system: SYSTEMS.ucum, code: dose.code } }];
  const inpatient = enc.kind === 'IMP';
  const status = options.status ?? (inpatient && enc.current ? 'active' : 'completed');
  const resource: Record<string, unknown> & { resourceType: string; id: string } = {
    resourceType: 'MedicationRequest',
    id: ctx.nextId('medreq'),
    status,
    intent: 'order',
    category: [concept(coding(SYSTEMS.medicationRequestCategory, inpatient ? 'inpatient' : 'outpatient', inpatient ? 'Inpatient' : 'Outpatient'))],
    medicationCodeableConcept: concept(coding(SYSTEMS.atc, drug.atc, drug.en), `${drug.zh} ${drug.strength}`),
    subject: ctx.patientRef,
    encounter: enc.ref,
    authoredOn: afterStart(ctx, enc, 15),
    requester: practitionerRef(enc.doctor),
    dosageInstruction: [dosage],
  };
  const reason = options.reason ?? enc.diagnoses[0];
  if (reason) resource.reasonReference = [reason];
  if (!inpatient) {
    resource.dispenseRequest = { expectedSupplyDuration: { value: drug.days, unit: '天', system: SYSTEMS.ucum, code: 'd' } };
  }
  ctx.add(resource);
}

export function recordAllergy(ctx: PatientContext, key: AllergyKey, enc: EncounterHandle): void {
  const allergen = ALLERGENS[key];
  const reaction = REACTIONS[allergen.reaction];
  ctx.add({
    resourceType: 'AllergyIntolerance',
    id: ctx.nextId('allergy'),
    clinicalStatus: concept(coding(SYSTEMS.allergyClinical, 'active', 'Active')),
    verificationStatus: concept(coding(SYSTEMS.allergyVerification, 'confirmed', 'Confirmed')),
    type: 'allergy',
    category: [allergen.category],
    criticality: allergen.criticality,
    code: concept(coding(SYSTEMS.snomed, allergen.code, allergen.display), allergen.zh),
    patient: ctx.patientRef,
    encounter: enc.ref,
    recordedDate: afterStart(ctx, enc, 5),
    recorder: practitionerRef(enc.doctor),
    reaction: [{
      manifestation: [concept(coding(SYSTEMS.snomed, reaction.code, reaction.display), reaction.zh)],
      severity: reaction.severity,
    }],
  });
}
