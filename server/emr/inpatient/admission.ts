// The inpatient stay (住院): admission into a bed, transfers between beds, discharge
// (http://hl7.org/fhir/R4/encounter.html: class IMP, hospitalization, location with periods).
// The bed guarantees themselves (one patient per bed, no admission into a closed bed) are the
// occupancy hook's (beds/occupancy-hook.ts): these operations check first only to say it clearly.
import { FhirError, type Queryable, type Repository, type Resource } from '../../../fhir/index.ts';
import { INPATIENT_NUMBER_SYSTEM, SYSTEMS } from '../../seed/systems.ts';
import { activeBedIds, idOf, isBed } from '../beds/bed-resources.ts';
import { emrError } from '../errors.ts';
import { inpatientNumber } from '../numbers.ts';
import type { PractitionerRef } from '../clinician.ts';
import { ADMITTER, ATTENDER, DISCHARGER, classOf, encounterClass, readJson, save, withStatus, type Json } from '../stay.ts';

export const ADMITTED_FROM_EXTENSION = 'https://open-his.example.org/fhir/StructureDefinition/admitted-from';

const ADMIT_SOURCES: Record<string, string> = {
  'hosp-trans': 'Transferred from other hospital', emd: 'From accident/emergency department', outp: 'From outpatient department',
  born: 'Born in hospital', gp: 'General Practitioner referral', mp: 'Medical Practitioner/physician referral',
  nursing: 'From nursing home', psych: 'From psychiatric hospital', rehab: 'From rehabilitation facility', other: 'Other',
};
const DISPOSITIONS: Record<string, string> = {
  home: 'Home', alt_home: 'Alternative home', 'other-hcf': 'Other healthcare facility', hosp: 'Hospice', long: 'Long-term care',
  aadvice: 'Left against advice', exp: 'Expired', psy: 'Psychiatric hospital', rehab: 'Rehabilitation', snf: 'Skilled nursing facility', oth: 'Other',
};

export interface AdmitInput {
  patientId: string;
  bedId: string;
  attending: PractitionerRef;
  admitter?: PractitionerRef;
  diagnosisId?: string;
  fromEncounterId?: string;
  admitSource?: string;
}

interface BedPlace { bed: Json; wardId: string | null }

/** The bed, checked to be a bed that is free now. */
async function freeBed(tx: Repository, sql: Queryable, bedId: string): Promise<BedPlace> {
  let bed: Json;
  try {
    bed = await readJson(tx, 'Location', bedId);
  } catch {
    throw emrError('bed-unavailable', `Location/${bedId} is not known`, ['Parameters.parameter.where(name=\'bed\')']);
  }
  if (!isBed(bed)) throw emrError('bed-unavailable', `Location/${bedId} is not a bed`, ['Parameters.parameter.where(name=\'bed\')']);
  const { rows } = await sql.query<{ ward_id: string | null; occupied: boolean }>(
    `SELECT b.ward_id, EXISTS (SELECT 1 FROM emr_bed_occupancy o WHERE o.bed_id = b.bed_id) AS occupied FROM emr_bed b WHERE b.bed_id = $1`, [bedId]);
  if (rows[0]?.occupied) throw emrError('bed-occupied', `${bed.name ?? bedId} already holds a patient`);
  const status = bed.operationalStatus?.code;
  if (bed.status !== 'active' || status === 'C') throw emrError('bed-unavailable', `${bed.name ?? bedId} is closed`);
  if (status === 'K') throw emrError('bed-unavailable', `${bed.name ?? bedId} is being cleaned: mark it clean first`);
  return { bed, wardId: rows[0]?.ward_id ?? null };
}

function bedEntry(bed: Json, start: string): Json {
  return { location: { reference: `Location/${bed.id}`, ...(bed.name ? { display: bed.name } : {}) }, status: 'active', period: { start } };
}

async function currentStay(tx: Repository, patientId: string): Promise<Json | undefined> {
  const found = await tx.search('Encounter', new URLSearchParams({ patient: `Patient/${patientId}`, class: 'IMP', status: 'in-progress,onleave', _count: '1' }));
  return found.versions[0] ? JSON.parse(found.versions[0].json!) as Json : undefined;
}

export async function admit(repo: Repository, input: AdmitInput, now: Date, timezone: string): Promise<Json> {
  const start = now.toISOString();
  return repo.transaction(async (tx, sql) => {
    const patient = await readJson(tx, 'Patient', input.patientId);
    if (await currentStay(tx, input.patientId)) throw emrError('already-admitted', `Patient/${input.patientId} is in hospital already: transfer them instead`);
    const { bed, wardId } = await freeBed(tx, sql, input.bedId);
    const ward = wardId ? await readJson(tx, 'Location', wardId).catch(() => undefined) : undefined;
    if (input.diagnosisId) await readJson(tx, 'Condition', input.diagnosisId);
    if (input.fromEncounterId) await readJson(tx, 'Encounter', input.fromEncounterId);
    const source = checkAdmitSource(input.admitSource) ?? (input.fromEncounterId ? 'outp' : 'other');
    const name = (patient.name as Json[] | undefined)?.[0];
    const display = name?.text ?? ([name?.family, ...(name?.given ?? [])].filter(Boolean).join('') || undefined);
    const created = await tx.create({
      resourceType: 'Encounter',
      ...(input.fromEncounterId ? { extension: [{ url: ADMITTED_FROM_EXTENSION, valueReference: { reference: `Encounter/${input.fromEncounterId}` } }] } : {}),
      identifier: [{ use: 'official', system: INPATIENT_NUMBER_SYSTEM, value: await inpatientNumber(sql, now, timezone) }],
      status: 'in-progress',
      statusHistory: [{ status: 'in-progress', period: { start } }],
      class: encounterClass('IMP'),
      subject: { reference: `Patient/${input.patientId}`, ...(display ? { display } : {}) },
      participant: [
        { type: [ATTENDER], individual: input.attending, period: { start } },
        ...(input.admitter && input.admitter.reference !== input.attending.reference ? [{ type: [ADMITTER], individual: input.admitter }] : []),
      ],
      period: { start },
      ...(input.diagnosisId ? {
        diagnosis: [{
          condition: { reference: `Condition/${input.diagnosisId}` },
          use: { coding: [{ system: SYSTEMS.diagnosisRole, code: 'AD', display: 'Admission diagnosis' }] },
          rank: 1,
        }],
      } : {}),
      hospitalization: { admitSource: { coding: [{ system: SYSTEMS.admitSource, code: source, display: ADMIT_SOURCES[source] }] } },
      location: [bedEntry(bed, start)],
      ...(ward?.managingOrganization ? { serviceProvider: ward.managingOrganization } : {}),
    } as Resource);
    return JSON.parse(created.version.json!) as Json;
  });
}

export function checkAdmitSource(code: string | undefined): string | undefined {
  if (code !== undefined && !(code in ADMIT_SOURCES)) {
    throw new FhirError('invalid-request', `admitSource ${code} is not a code of http://terminology.hl7.org/CodeSystem/admit-source`, { expression: ['Parameters.parameter.where(name=\'admitSource\')'] });
  }
  return code;
}

async function currentInpatient(tx: Repository, encounterId: string, action: string): Promise<Json> {
  const encounter = await readJson(tx, 'Encounter', encounterId);
  if (classOf(encounter) !== 'IMP' || !['in-progress', 'onleave'].includes(encounter.status)) {
    throw emrError('not-admitted', `Encounter/${encounterId} is not a current inpatient stay (${classOf(encounter) ?? 'no class'}, ${encounter.status}): it cannot be ${action}`);
  }
  return encounter;
}

/** Locations left at `end`: the active ones become completed with their period closed. */
function leaveLocations(encounter: Json, end: string): Json[] {
  return ((encounter.location as Json[] | undefined) ?? []).map((entry) => {
    const current = entry.status === 'active' || (entry.status === undefined && !entry.period?.end);
    return current ? { ...entry, status: 'completed', period: { ...entry.period, end } } : entry;
  });
}

export async function transfer(repo: Repository, encounterId: string, bedId: string, now: Date): Promise<Json> {
  const at = now.toISOString();
  return repo.transaction(async (tx, sql) => {
    const encounter = await currentInpatient(tx, encounterId, 'transferred');
    if (activeBedIds(encounter).some((b) => b.id === bedId)) throw emrError('bed-occupied', 'The patient already lies in this bed');
    const { bed } = await freeBed(tx, sql, bedId);
    return save(tx, { ...encounter, location: [...leaveLocations(encounter, at), bedEntry(bed, at)] });
  });
}

export async function discharge(repo: Repository, encounterId: string, input: { disposition?: string; summaryId?: string; discharger?: PractitionerRef }, now: Date): Promise<Json> {
  const at = now.toISOString();
  const disposition = input.disposition ?? 'home';
  if (!(disposition in DISPOSITIONS)) {
    throw new FhirError('invalid-request', `disposition ${disposition} is not a code of http://terminology.hl7.org/CodeSystem/discharge-disposition`, { expression: ['Parameters.parameter.where(name=\'disposition\')'] });
  }
  return repo.transaction(async (tx) => {
    const encounter = await currentInpatient(tx, encounterId, 'discharged');
    if (input.summaryId) {
      const summary = await readJson(tx, 'Composition', input.summaryId);
      if (idOf(summary.encounter?.reference, 'Encounter') !== encounterId) throw emrError('wrong-visit-state', `Composition/${input.summaryId} is not about this stay`);
    }
    const participants = ((encounter.participant as Json[] | undefined) ?? []).map((p) => (p.period && !p.period.end ? { ...p, period: { ...p.period, end: at } } : p));
    return save(tx, {
      ...withStatus(encounter, 'finished', at),
      period: { ...encounter.period, end: at },
      participant: input.discharger ? [...participants, { type: [DISCHARGER], individual: input.discharger }] : participants,
      hospitalization: {
        ...encounter.hospitalization,
        dischargeDisposition: { coding: [{ system: SYSTEMS.dischargeDisposition, code: disposition, display: DISPOSITIONS[disposition] }] },
      },
      location: leaveLocations(encounter, at),
    });
  });
}
