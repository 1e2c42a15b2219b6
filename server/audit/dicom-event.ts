// AuditEvents for DICOMweb: the DICOM audit message types of PS3.15 Annex A.5 carried as FHIR
// AuditEvent (http://hl7.org/fhir/R4/auditevent.html): instances stored or retrieved (110104 DICOM
// Instances Transferred) and queries (110112 Query), naming the study and the patient's DICOM ID.
import type { Resource } from '../../fhir/index.ts';
import type { Caller } from '../auth/caller.ts';
import { agentOf, type RequestOrigin } from './event.ts';

const dcm = 'http://dicom.nema.org/resources/ontology/DCM';
const source = { site: 'Open HIS', observer: { display: 'Open HIS server' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] };

export interface DicomAuditInput {
  kind: 'store' | 'retrieve' | 'query';
  caller: Caller;
  origin: RequestOrigin;
  status: number;
  studies: string[];
  /** DICOM Patient IDs of the studies (PS3.15 A.5.2 Participant Object: patient). */
  patientIds?: string[];
  /** For queries: the query string (no values are logged elsewhere). */
  query?: string;
  description?: string;
}

export function dicomAuditEvent(input: DicomAuditInput, now = new Date()): Resource {
  const transferred = input.kind !== 'query';
  return {
    resourceType: 'AuditEvent',
    type: transferred
      ? { system: dcm, code: '110104', display: 'DICOM Instances Transferred' }
      : { system: dcm, code: '110112', display: 'Query' },
    subtype: [{ system: 'http://open-his.org/fhir/CodeSystem/dicomweb', code: input.kind === 'store' ? 'stow-rs' : input.kind === 'retrieve' ? 'wado' : 'qido-rs' }],
    action: input.kind === 'store' ? 'C' : input.kind === 'retrieve' ? 'R' : 'E',
    recorded: now.toISOString(),
    outcome: input.status < 400 ? '0' : input.status < 500 ? '4' : '8',
    agent: [agentOf(input.caller, input.origin)],
    source,
    entity: [
      ...(input.patientIds ?? []).slice(0, 100).map((id) => ({
        what: { identifier: { value: id } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      })),
      ...input.studies.slice(0, 100).map((uid) => ({
        what: { identifier: { system: 'urn:dicom:uid', value: `urn:oid:${uid}` } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' },
      })),
      ...(input.query !== undefined ? [{
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' },
        query: Buffer.from(input.query.slice(0, 2000)).toString('base64'),
      }] : []),
      ...(input.description ? [{ description: input.description.slice(0, 500) }] : []),
    ],
  };
}
