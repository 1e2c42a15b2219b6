// Imaging orders (ServiceRequest, category SNOMED CT 363679005 Imaging) get their accession number
// (检查号) from the server when created without one — the number the modality worklist, the DICOM
// header (0008,0050) and the report all share, as an identifier of type ACSN (HL7 v2 table 0203) —
// and are listed for the radiology worklist until their study arrives.
import { randomInt } from 'node:crypto';
import type { Repository, Resource, WriteChange, WriteHook, WriteHookContext } from '../../../fhir/index.ts';
import { ACCESSION_NUMBER_SYSTEM } from '../../seed/systems.ts';
import { idOf } from '../beds/bed-resources.ts';
import { nameOf } from '../clinician.ts';
import { emrError } from '../errors.ts';
import type { Json } from '../stay.ts';

export const IMAGING_CATEGORY = { system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' };
const ACCESSION_TYPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN', display: 'Accession ID' }] };

export function isImagingOrder(request: Json): boolean {
  return ((request.category as Json[] | undefined) ?? []).some((c) => (c.coding as Json[] | undefined)?.some((x) => x.system === IMAGING_CATEGORY.system && x.code === IMAGING_CATEGORY.code));
}

export function accessionOf(request: Json): string | undefined {
  return (request.identifier as Json[] | undefined)?.find((i) => i.system === ACCESSION_NUMBER_SYSTEM)?.value;
}

/**
 * A new accession number: the day (YYMMDD) and 8 random digits, 15 characters, inside the 16 a DICOM
 * SH value holds. Random rather than a sequence so that it is assigned before the transaction opens;
 * the unique index of emr_imaging_order catches the one-in-10^8 clash.
 */
function newAccessionNumber(now: Date): string {
  const d = now.toISOString();
  return `A${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/** The DICOM modality an order asks for: a DCM coding, else the first word of a LOINC radiology name (CT, MR, XR, US, NM…). */
function modalityOf(request: Json): string | undefined {
  const codings = (request.code?.coding as Json[] | undefined) ?? [];
  const dcm = codings.find((c) => c.system === 'http://dicom.nema.org/resources/ontology/DCM')?.code;
  if (dcm) return dcm;
  const word = codings.find((c) => c.system === 'http://loinc.org')?.display?.split(/\s/)[0];
  const byWord: Record<string, string> = { CT: 'CT', MR: 'MR', XR: 'DX', US: 'US', NM: 'NM', PT: 'PT', MG: 'MG', RF: 'RF' };
  return word ? byWord[word] : undefined;
}

async function patientName(repo: Repository, request: Json): Promise<string | undefined> {
  if (request.subject?.display) return request.subject.display;
  const id = idOf(request.subject?.reference, 'Patient');
  if (!id) return undefined;
  try {
    return nameOf(JSON.parse((await repo.read('Patient', id)).json!) as Json);
  } catch {
    return undefined;
  }
}

export function imagingOrderHook(now: () => Date = () => new Date()): WriteHook {
  return {
    types: ['ServiceRequest'],
    prepare(resource: Resource): Resource {
      const request = resource as Json;
      if (!isImagingOrder(request) || accessionOf(request)) return resource;
      return { ...resource, identifier: [...((request.identifier as Json[] | undefined) ?? []), { use: 'usual', type: ACCESSION_TYPE, system: ACCESSION_NUMBER_SYSTEM, value: newAccessionNumber(now()) }] };
    },
    async beforeCommit(changes: readonly WriteChange[], { repo, tx }: WriteHookContext) {
      for (const change of changes) {
        const request = change.after ? JSON.parse(change.after) as Json : undefined;
        if (!request || !isImagingOrder(request)) {
          // Only a former imaging order has a row to remove: other orders (thousands in an import) cost nothing.
          if (change.before && isImagingOrder(JSON.parse(change.before) as Json)) {
            await tx.query('DELETE FROM emr_imaging_order WHERE service_request_id = $1', [change.id]);
          }
          continue;
        }
        const accession = accessionOf(request);
        if (!accession) continue;
        const taken = await tx.query<{ service_request_id: string }>(
          'SELECT service_request_id FROM emr_imaging_order WHERE accession_number = $1 AND service_request_id <> $2', [accession, change.id]);
        if (taken.rows.length > 0) throw emrError('accession-taken', `Accession number ${accession} belongs to another order`, ['ServiceRequest.identifier']);
        await tx.query(
          `INSERT INTO emr_imaging_order (service_request_id, accession_number, patient_id, patient_name, status, code_text, modality, authored, requester)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (service_request_id) DO UPDATE SET accession_number = EXCLUDED.accession_number, patient_id = EXCLUDED.patient_id,
             patient_name = EXCLUDED.patient_name, status = EXCLUDED.status, code_text = EXCLUDED.code_text, modality = EXCLUDED.modality,
             authored = EXCLUDED.authored, requester = EXCLUDED.requester`,
          [change.id, accession, idOf(request.subject?.reference, 'Patient') ?? null, await patientName(repo, request) ?? null, request.status,
            request.code?.text ?? request.code?.coding?.[0]?.display ?? null, modalityOf(request) ?? null, request.authoredOn ?? null, request.requester?.display ?? null]);
      }
    },
  };
}
