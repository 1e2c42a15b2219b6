// Cancelling and checking in (http://hl7.org/fhir/R4/appointment.html#statemachine): cancelling
// frees the place (the Appointment hook deletes its claim); patients cancel online only up to the
// hospital's deadline before the visit. Check-in (`arrived`) happens on the day, at the desk.
import type { Resource } from '../../fhir/index.ts';
import type { Actor, BookingContext } from './context.ts';
import { bookingError } from './errors.ts';
import { CANCELLATION_REASON_SYSTEM } from './slot-resource.ts';

type AppointmentResource = Resource & { status: string; start?: string; comment?: string };

/** cancelationReason codes (R4 ValueSet appointment-cancellation-reason): pat = patient, prov = provider. */
export type CancelBy = 'pat' | 'prov' | 'oth';

export async function cancel(ctx: BookingContext, actor: Actor, appointmentId: string, reason: string | undefined, by: CancelBy = actor.kind === 'patient' ? 'pat' : 'prov'): Promise<Resource> {
  return ctx.repo.transaction(async (repo) => {
    const current = JSON.parse((await repo.read('Appointment', appointmentId)).json!) as AppointmentResource;
    if (current.status === 'cancelled') return current;
    if (!['booked', 'pending', 'proposed', 'waitlist'].includes(current.status)) {
      throw bookingError('not-cancellable', `Appointment/${appointmentId} is ${current.status} and can no longer be cancelled`);
    }
    if (actor.kind === 'patient' && current.start) {
      const deadline = new Date(current.start).getTime() - ctx.settings().cancelDeadlineHours * 3_600_000;
      if (Date.now() > deadline) {
        throw bookingError('cancel-deadline', `Online cancellation closes ${ctx.settings().cancelDeadlineHours} hours before the appointment: please call the hospital`);
      }
    }
    const display = { pat: 'Patient', prov: 'Provider', oth: 'Other' }[by];
    const cancelled = {
      ...current,
      status: 'cancelled',
      cancelationReason: { coding: [{ system: CANCELLATION_REASON_SYSTEM, code: by, display }], ...(reason ? { text: reason } : {}) },
    };
    return JSON.parse((await repo.update(cancelled)).version.json!) as Resource;
  });
}

export async function checkIn(ctx: BookingContext, appointmentId: string): Promise<Resource> {
  return ctx.repo.transaction(async (repo) => {
    const current = JSON.parse((await repo.read('Appointment', appointmentId)).json!) as AppointmentResource;
    if (current.status === 'arrived') return current;
    if (current.status !== 'booked') throw bookingError('not-cancellable', `Appointment/${appointmentId} is ${current.status}: only a booked appointment can be checked in`);
    const today = ctx.calendar.dateOf(new Date());
    if (!current.start || ctx.calendar.dateOf(new Date(current.start)) !== today) {
      throw bookingError('not-today', `Appointment/${appointmentId} is not today: patients check in on the day of their visit`);
    }
    return JSON.parse((await repo.update({ ...current, status: 'arrived' })).version.json!) as Resource;
  });
}
