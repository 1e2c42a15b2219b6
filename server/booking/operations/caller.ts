// Who a booking operation acts for. The server hands the engine its Caller as RestContext.host.
// Patients act for themselves or the family members they are a proxy for; staff (the registration
// desk) for any patient they name.
import { FhirError, type RestContext } from '../../../fhir/index.ts';
import type { Caller } from '../../auth/caller.ts';
import type { Actor } from '../context.ts';
import { bookingError } from '../errors.ts';
import { referenceId } from './params.ts';

export interface BookingHost {
  caller: Caller;
  /** Client address, for rate limits. */
  address: string;
}

export function hostOf(ctx: RestContext): BookingHost | undefined {
  const host = ctx.host as BookingHost | undefined;
  return host && typeof host === 'object' && 'caller' in host ? host : undefined;
}

export function actorOf(ctx: RestContext): Actor {
  return hostOf(ctx)?.caller.kind === 'patient' ? { kind: 'patient' } : { kind: 'staff' };
}

export function patientFor(ctx: RestContext, param: string | undefined): string {
  const caller = hostOf(ctx)?.caller;
  if (caller?.kind === 'patient' || ctx.access?.patients !== undefined) {
    const mine = ctx.access?.patients ?? [];
    const wanted = referenceId(param, 'Patient', 'patient', false) ?? mine[0];
    if (!wanted) throw new FhirError('forbidden', 'This account is not linked to a patient yet: complete the real-name check first');
    if (!mine.includes(wanted)) throw bookingError('not-your-patient', 'You can book only for yourself and the family members you are a proxy for');
    return wanted;
  }
  return referenceId(param, 'Patient', 'patient')!;
}
