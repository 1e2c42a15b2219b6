// AuditEvents of Bulk Data exports: data leaving the system is a DICOM "Export" (110106, PS3.15 A.5.3.6)
// carried as FHIR AuditEvent — at the kick-off (what was asked, for which patients) and at each file
// download (which file of which job).
import type { Resource } from '../../fhir/index.ts';
import type { Caller } from '../auth/caller.ts';
import { agentOf, type RequestOrigin } from '../audit/event.ts';

const source = { site: 'Open HIS', observer: { display: 'Open HIS server' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] };

export function exportAuditEvent(input: {
  caller: Caller; origin: RequestOrigin; status: number; what: 'kick-off' | 'download' | 'cancel';
  query: string; patients?: readonly string[]; file?: string;
}, now = new Date()): Resource {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'operation', display: 'operation' }],
    action: input.what === 'cancel' ? 'D' : 'R',
    recorded: now.toISOString(),
    outcome: input.status < 400 ? '0' : input.status < 500 ? '4' : '8',
    outcomeDesc: `bulk export ${input.what}${input.file ? ` ${input.file}` : ''}`,
    agent: [agentOf(input.caller, input.origin)],
    source,
    entity: [
      ...(input.patients ?? []).slice(0, 1000).map((id) => ({
        what: { reference: `Patient/${id}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      })),
      {
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' },
        query: Buffer.from(input.query).toString('base64'),
      },
    ],
  } as Resource;
}
