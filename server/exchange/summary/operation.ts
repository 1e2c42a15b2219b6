// Patient/[id]/$summary — the IPS operation (http://hl7.org/fhir/uv/ips/OperationDefinition-summary.html):
// the patient summary document of server/exchange/summary/document.ts. Who may ask is the policy's
// `summary` rule (doctors, nurses, patients); a patient only for herself or those she is a proxy
// for. The author is the calling doctor's Practitioner, or the hospital when a patient downloads it.
import { FhirError, touched, type Operation } from '../../../fhir/index.ts';
import { callerPractitionerId } from '../../emr/clinician.ts';
import { buildSummary } from './document.ts';

export const summaryOperation: Operation = {
  definition: {
    resourceType: 'OperationDefinition', id: 'summary', url: 'http://hl7.org/fhir/uv/ips/OperationDefinition/summary',
    name: 'IpsSummary', status: 'active', kind: 'operation', code: 'summary', system: false, type: false, instance: true,
    resource: ['Patient'], affectsState: false,
    parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' }],
  },
  appliesTo: (resourceType) => resourceType === 'Patient',
  async handle(_req, ctx, target) {
    const patientId = target.id!;
    if (ctx.access?.patients && !ctx.access.patients.includes(patientId)) {
      throw new FhirError('forbidden', `Not permitted: the summary of another patient (${ctx.access.describe})`);
    }
    const bundle = await buildSummary({ repo: ctx.repo, baseUrl: ctx.baseUrl, patientId, authorPractitionerId: callerPractitionerId(ctx) });
    // The audit record lists what the summary disclosed (the patient first: it names whose record it is).
    touched(ctx, (bundle.entry as { resource: { resourceType: string; id: string } }[]).slice(1).map((e) => ({ resourceType: e.resource.resourceType, id: e.resource.id })));
    return { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: bundle };
  },
};
