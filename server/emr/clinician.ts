// Who is acting in a clinical operation: the Practitioner behind the caller's account (the server
// hands its Caller to the engine as RestContext.host), or one named by a parameter.
import type { Repository, RestContext } from '../../fhir/index.ts';
import { hostOf } from '../booking/operations/caller.ts';
import { referenceId } from '../booking/operations/params.ts';
import { emrError } from './errors.ts';

export interface PractitionerRef { reference: string; display?: string }

interface Json { [key: string]: any }

export function nameOf(resource: Json | undefined): string | undefined {
  const n = (resource?.name as Json[] | undefined)?.[0];
  if (!n) return undefined;
  return n.text ?? ([n.family, ...(n.given ?? [])].filter(Boolean).join('') || undefined);
}

/** The caller's own Practitioner id, if the account stands for one. */
export function callerPractitionerId(ctx: RestContext): string | undefined {
  const caller = hostOf(ctx)?.caller;
  const fhirUser = caller && caller.kind === 'staff' ? caller.fhirUser : undefined;
  return fhirUser?.startsWith('Practitioner/') ? fhirUser.slice('Practitioner/'.length) : undefined;
}

/** A Practitioner reference with its name: the one named by `param`, else the caller's. */
export async function practitionerFor(ctx: RestContext, repo: Repository, param: string | undefined, name: string): Promise<PractitionerRef> {
  const id = referenceId(param, 'Practitioner', name, false) ?? callerPractitionerId(ctx);
  if (!id) throw emrError('no-practitioner', `Name the practitioner (parameter ${name}): this account does not stand for one`);
  const practitioner = JSON.parse((await repo.read('Practitioner', id)).json!) as Json;
  const display = nameOf(practitioner);
  return { reference: `Practitioner/${id}`, ...(display ? { display } : {}) };
}
