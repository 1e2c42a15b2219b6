// Housekeeping's part of the bed board: a bed cleaned after a discharge (K → U), closed for repair
// (C, Location.status suspended) or reopened. Occupied beds change only by admission, transfer and
// discharge: the occupancy hook refuses the rest.
import { FhirError, type Repository } from '../../../fhir/index.ts';
import { emrError } from '../errors.ts';
import { bedStatusCoding, isBed, type BedStatus, type Json } from './bed-resources.ts';
import { readJson, save } from '../stay.ts';

const wanted: Record<string, BedStatus> = { free: 'U', cleaning: 'K', closed: 'C' };

export function bedStatusParameter(value: string | undefined): BedStatus {
  const status = value === undefined ? undefined : wanted[value];
  if (!status) throw new FhirError('invalid-request', 'status is free, cleaning or closed', { expression: ['Parameters.parameter.where(name=\'status\')'] });
  return status;
}

export async function setBedStatus(repo: Repository, bedId: string, status: BedStatus): Promise<Json> {
  return repo.transaction(async (tx) => {
    const bed = await readJson(tx, 'Location', bedId);
    if (!isBed(bed)) throw emrError('bed-unavailable', `Location/${bedId} is not a bed`);
    if (bed.operationalStatus?.code === 'O') throw emrError('bed-occupied', `${bed.name ?? bedId} has a patient in it: discharge or transfer them first`);
    return save(tx, { ...bed, status: status === 'C' ? 'suspended' : 'active', operationalStatus: bedStatusCoding(status) });
  });
}
