// A DICOM study as a FHIR R4 ImagingStudy (http://hl7.org/fhir/R4/imagingstudy.html): the study, its
// series and instances by UID, so FHIR clients find images where they find the rest of the record,
// with an Endpoint that says where to fetch them (DICOMweb WADO-RS).
import type { Resource } from '../fhir/index.ts';
import type { IndexedStudy } from './types.ts';

export interface Reference {
  reference: string;
  display?: string;
}

export interface ImagingStudyLinks {
  patient: Reference;
  endpoint: Reference;
  basedOn?: Reference[];
  /** The hospital's identifier system of accession numbers (ServiceRequest.identifier). */
  accessionSystem?: string;
  /** The current resource, whose id and other content (notes, reasons) are kept. */
  existing?: Resource;
}

/** DICOM Controlled Terminology (PS3.16), the code system of Modality (0008,0060) values. */
export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

/** `urn:oid:` form of a UID, as ImagingStudy.identifier and sopClass carry it (ImagingStudy notes, "DICOM UIDs"). */
export function oid(uid: string): string {
  return `urn:oid:${uid}`;
}

export function studyIdentifier(studyInstanceUid: string): { system: string; value: string } {
  return { system: 'urn:dicom:uid', value: oid(studyInstanceUid) };
}

export function toImagingStudy(study: IndexedStudy, links: ImagingStudyLinks): Resource {
  // Whatever else the current resource says (notes, reasons, procedure codes) is kept; its meta is the engine's.
  const { meta: _meta, ...existing } = (links.existing ?? {}) as Record<string, unknown>;
  const numberOfInstances = study.series.reduce((n, s) => n + s.instances.length, 0);
  const modalities = [...new Set(study.series.map((s) => s.modality).filter((m): m is string => Boolean(m)))];
  const resource: Record<string, unknown> = {
    ...existing,
    resourceType: 'ImagingStudy',
    identifier: [
      studyIdentifier(study.studyInstanceUid),
      ...(study.accessionNumber ? [{
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
        ...(links.accessionSystem ? { system: links.accessionSystem } : {}),
        value: study.accessionNumber,
      }] : []),
    ],
    status: 'available',
    ...(modalities.length ? { modality: modalities.map((code) => ({ system: DCM, code })) } : {}),
    subject: links.patient,
    ...(study.started ? { started: study.started } : {}),
    ...(links.basedOn?.length ? { basedOn: links.basedOn } : {}),
    endpoint: [links.endpoint],
    numberOfSeries: study.series.length,
    numberOfInstances,
    ...(study.description ? { description: study.description } : {}),
    series: study.series.map((s) => ({
      uid: s.seriesInstanceUid,
      ...(s.seriesNumber !== undefined && s.seriesNumber >= 0 ? { number: s.seriesNumber } : {}),
      // Modality is required in a series; OT ("Other", PS3.16 CID 29) when the file names none.
      modality: { system: DCM, code: s.modality ?? 'OT' },
      ...(s.description ? { description: s.description } : {}),
      numberOfInstances: s.instances.length,
      ...(s.started ? { started: s.started } : {}),
      instance: s.instances.map((i) => ({
        uid: i.sopInstanceUid,
        sopClass: { system: 'urn:ietf:rfc:3986', code: oid(i.sopClassUid) },
        ...(i.instanceNumber !== undefined && i.instanceNumber >= 0 ? { number: i.instanceNumber } : {}),
      })),
    })),
  };
  if (!study.description) delete resource.description;
  if (!study.started) delete resource.started;
  if (!links.basedOn?.length) delete resource.basedOn;
  return resource as Resource;
}
