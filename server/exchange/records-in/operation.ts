// Patient/[id]/$fetch-external: a clinician brings the patient's record in from a partner hospital
// (the patient's consent recorded first). Answers what was created, updated, left alone, in conflict,
// and which demographics differ.
import { FhirError, type Operation } from '../../../fhir/index.ts';
import { callerPractitionerId } from '../../emr/clinician.ts';
import type { PartnerRegistry } from '../partners/registry.ts';
import { remoteClient, remoteFailure } from '../partners/remote-client.ts';
import { retrieveExternalRecord } from './retrieve.ts';

type Json = Record<string, any>;

export function fetchExternalOperation(registry: PartnerRegistry): Operation {
  return {
    definition: {
      resourceType: 'OperationDefinition', id: 'Patient-fetch-external', url: 'https://open-his.example.org/fhir/OperationDefinition/Patient-fetch-external',
      name: 'FetchExternal', status: 'active', kind: 'operation', code: 'fetch-external', system: false, type: false, instance: true,
      resource: ['Patient'], affectsState: true,
      parameter: [
        { name: 'partner', use: 'in', min: 1, max: '1', type: 'string' },
        { name: 'return', use: 'out', min: 1, max: '1', type: 'Parameters' },
      ],
    },
    appliesTo: (resourceType) => resourceType === 'Patient',
    async handle(req, ctx, target) {
      if (req.method !== 'POST') throw new FhirError('method-not-allowed', '$fetch-external changes data: POST it');
      const partnerId = ((req.body as Json | undefined)?.parameter as Json[] | undefined)?.find((p) => p.name === 'partner')?.valueString as string | undefined;
      if (!partnerId) throw new FhirError('invalid-request', 'Name the partner (parameter partner)', { expression: ['partner'] });
      const partner = await registry.usable(partnerId);
      const client = await remoteClient(registry, partner.id);
      const practitioner = callerPractitionerId(ctx);
      let result;
      try {
        result = await retrieveExternalRecord({
          repo: ctx.repo, client, partner, patientId: target.id!,
          ...(practitioner ? { fetchedBy: `Practitioner/${practitioner}` } : {}),
        });
      } catch (err) {
        if (err instanceof FhirError) throw err;
        throw remoteFailure(registry, partner, err);
      }
      const list = (name: string, values: string[]) => values.map((v) => ({ name, valueString: v }));
      return {
        status: 200, headers: {},
        body: {
          resourceType: 'Parameters',
          parameter: [
            ...list('created', result.created), ...list('updated', result.updated),
            { name: 'unchanged', valueInteger: result.unchanged },
            ...result.conflicts.map((c) => ({ name: 'conflict', part: [{ name: 'local', valueString: c.local }, { name: 'source', valueUri: c.source }] })),
            ...result.discrepancies.map((d) => ({ name: 'discrepancy', part: [{ name: 'element', valueString: d.element }, { name: 'local', valueString: JSON.stringify(d.local) }, { name: 'remote', valueString: JSON.stringify(d.remote) }] })),
            ...(result.provenance ? [{ name: 'provenance', valueReference: { reference: `Provenance/${result.provenance}` } }] : []),
          ],
        },
      };
    },
  };
}
