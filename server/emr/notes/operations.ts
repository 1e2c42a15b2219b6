// Composition/{id}/$sign and Composition/{id}/$amend (http://hl7.org/fhir/R4/operations.html):
// POST with a Parameters body; the answer is the note as now stored. Who may invoke them is the
// policy table's (server/auth/policy.ts, codes sign and amend); who may sign which note is sign.ts's.
import { FhirError, touched, type FhirResponse, type Operation, type RestContext } from '../../../fhir/index.ts';
import { hostOf } from '../../booking/operations/caller.ts';
import { callerPractitionerId, nameOf } from '../clinician.ts';
import { emrOperationDefinition } from '../operation-definition.ts';
import type { Signatures } from '../../signing/signatures.ts';
import { amendNote, signNote, type Amendment, type Clinician } from './sign.ts';

interface Json { [key: string]: any }

const definition = (code: 'sign' | 'amend', parameter: Parameters<typeof emrOperationDefinition>[3]) =>
  emrOperationDefinition('Composition', code, 'instance', parameter);

const appliesTo = (type: string): boolean => type === 'Composition';

/** The calling clinician: a staff account standing for a Practitioner (the server passes its Caller as ctx.host). */
async function clinicianOf(ctx: RestContext): Promise<Clinician> {
  const caller = hostOf(ctx)?.caller;
  const practitionerId = callerPractitionerId(ctx);
  if (caller?.kind !== 'staff' || !practitionerId) {
    throw new FhirError('forbidden', 'Notes are signed by a clinician with their own account, linked to a Practitioner');
  }
  const practitioner = JSON.parse((await ctx.repo.read('Practitioner', practitionerId)).json!) as Json;
  return { accountId: caller.accountId, practitioner: `Practitioner/${practitionerId}`, display: nameOf(practitioner) ?? caller.login };
}

function answer(ctx: RestContext, note: Json): FhirResponse {
  const json = JSON.stringify(note);
  touched(ctx, [{ resourceType: 'Composition', id: note.id, versionId: Number(note.meta.versionId), json }]);
  return { status: 200, headers: { etag: `W/"${note.meta.versionId}"`, 'content-location': `${ctx.baseUrl}/Composition/${note.id}/_history/${note.meta.versionId}` }, json };
}

/** The Parameters of $amend: `resource` (the corrected Composition) and `reason` (string), both required. */
function amendment(body: unknown): Amendment {
  const params = body as { resourceType?: string; parameter?: Json[] } | null;
  if (!params || typeof params !== 'object' || params.resourceType !== 'Parameters' || !Array.isArray(params.parameter ?? [])) {
    throw new FhirError('invalid-request', 'The body of $amend is a Parameters resource', { expression: ['Parameters'] });
  }
  const named = (name: string) => (params.parameter ?? []).find((p) => p && typeof p === 'object' && p.name === name);
  const resource = named('resource')?.resource as Json | undefined;
  if (!resource || typeof resource !== 'object' || resource.resourceType !== 'Composition') {
    throw new FhirError('invalid-request', 'Parameter resource is the corrected Composition', { expression: ["Parameters.parameter.where(name='resource')"] });
  }
  const reason = named('reason')?.valueString;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 2000) {
    throw new FhirError('invalid-request', 'Parameter reason (why the note is amended, at most 2,000 characters) is required', { expression: ["Parameters.parameter.where(name='reason')"] });
  }
  return { resource, reason: reason.trim() };
}

export function noteOperations(signatures: Signatures): Operation[] {
  return [
    {
      definition: definition('sign', []),
      appliesTo,
      async handle(_req, ctx, target) {
        return answer(ctx, await signNote(ctx.repo, signatures, target.id!, await clinicianOf(ctx)));
      },
    },
    {
      definition: definition('amend', [
        { name: 'resource', use: 'in', min: 1, max: '1', type: 'Composition' },
        { name: 'reason', use: 'in', min: 1, max: '1', type: 'string' },
      ]),
      appliesTo,
      async handle(req, ctx, target) {
        const input = amendment(req.body);
        return answer(ctx, await amendNote(ctx.repo, signatures, target.id!, input, await clinicianOf(ctx)));
      },
    },
  ];
}
