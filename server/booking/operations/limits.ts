// Rate limits of $hold and $book (anti-scalper, 号贩子): per account, per patient and per client
// address, so that neither many accounts behind one address nor one account for many patients
// gets around them.
import type { FhirRequest, RestContext } from '../../../fhir/index.ts';
import type { BookingService } from '../service.ts';
import { bookingError } from '../errors.ts';
import { hostOf, patientFor } from './caller.ts';
import { parameters, referenceId } from './params.ts';

export function takeRate(service: BookingService, ctx: RestContext, patientId: string): void {
  const host = hostOf(ctx);
  const limiters = service.limiters();
  const keys: [keyof typeof limiters, string | undefined][] = [
    ['address', host?.address],
    ['account', host && host.caller.kind !== 'anonymous' ? (host.caller.kind === 'client' ? host.caller.clientId : host.caller.accountId) : undefined],
    ['patient', patientId],
  ];
  for (const [which, key] of keys) {
    if (!key) continue;
    const taken = limiters[which].take(key);
    if (!taken.allowed) {
      throw bookingError('rate-limited', `Too many booking requests: try again in ${taken.retryAfterSeconds} s`, undefined, taken.retryAfterSeconds);
    }
  }
}

/** The input of $hold and $book: which slot, for which patient — counted against the rate limits. */
export function placeRequest(service: BookingService, req: FhirRequest, ctx: RestContext): { slotId: string; patientId: string } {
  const p = parameters(req);
  const slotId = referenceId(p.get('slot'), 'Slot', 'slot')!;
  const patientId = patientFor(ctx, p.get('patient'));
  takeRate(service, ctx, patientId);
  return { slotId, patientId };
}

/** $hold and $book take the same parameters. */
export const placeParameters = [
  { name: 'slot', use: 'in' as const, min: 1, max: '1', type: 'Reference' },
  { name: 'patient', use: 'in' as const, min: 0, max: '1', type: 'Reference' },
];
