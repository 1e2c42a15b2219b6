// Instance operations on a booked Appointment: $cancel, $reschedule (patients, the desk) and
// $check-in (the desk, nurses, doctors). Patients may act only on appointments in their compartments.
import { FhirError, touched, type FhirResponse, type Operation, type RestContext, type Resource } from '../../../fhir/index.ts';
import { reschedule } from '../book.ts';
import { cancel, checkIn } from '../cancel.ts';
import type { BookingService } from '../service.ts';
import { actorOf } from './caller.ts';
import { appliesToAppointment, definition } from './definition.ts';
import { takeRate } from './limits.ts';
import { parameters, referenceId } from './params.ts';
import { appointmentPatient } from '../slot-resource.ts';

/** The Appointment as it stands, if the caller may see it (404 / 410 first, for what does not exist). */
async function visibleAppointment(ctx: RestContext, id: string): Promise<Resource & { status: string }> {
  const current = JSON.parse((await ctx.repo.read('Appointment', id)).json!) as Resource & { status: string };
  if (ctx.access) {
    const seen = await ctx.repo.visible(ctx.access, [{ resourceType: 'Appointment', id }]);
    if (!seen.has(`Appointment/${id}`)) throw new FhirError('not-found', `Appointment/${id} is not known`);
  }
  return current;
}

function answer(ctx: RestContext, appointment: Resource): FhirResponse {
  const json = JSON.stringify(appointment);
  const version = (appointment.meta as { versionId?: string } | undefined)?.versionId;
  touched(ctx, [{ resourceType: 'Appointment', id: appointment.id!, ...(version ? { versionId: Number(version) } : {}), json }]);
  const headers: Record<string, string> = version ? { etag: `W/"${version}"` } : {};
  return { status: 200, headers, json };
}

export function cancelOperation(service: BookingService): Operation {
  return {
    definition: definition('cancel', 'instance', true, [
      { name: 'reason', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
    ]),
    appliesTo: appliesToAppointment,
    async handle(req, ctx, target) {
      const reason = parameters(req).get('reason');
      if (reason !== undefined && reason.length > 500) throw new FhirError('invalid-request', 'reason is at most 500 characters');
      const before = await visibleAppointment(ctx, target.id!);
      const after = await cancel(service.ctx, actorOf(ctx), target.id!, reason);
      if (before.status !== 'cancelled') service.notice('cancellation', after);
      return answer(ctx, after);
    },
  };
}

export function rescheduleOperation(service: BookingService): Operation {
  return {
    definition: definition('reschedule', 'instance', true, [
      { name: 'slot', use: 'in', min: 1, max: '1', type: 'Reference' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
    ]),
    appliesTo: appliesToAppointment,
    async handle(req, ctx, target) {
      const slotId = referenceId(parameters(req).get('slot'), 'Slot', 'slot')!;
      const current = await visibleAppointment(ctx, target.id!);
      takeRate(service, ctx, appointmentPatient(current) ?? target.id!);
      const moved = await reschedule(service.ctx, actorOf(ctx), target.id!, slotId);
      service.notice('rescheduled', moved);
      return answer(ctx, moved);
    },
  };
}

export function checkInOperation(service: BookingService): Operation {
  return {
    definition: definition('check-in', 'instance', true, [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' }]),
    appliesTo: appliesToAppointment,
    async handle(_req, ctx, target) {
      await visibleAppointment(ctx, target.id!);
      return answer(ctx, await checkIn(service.ctx, target.id!));
    },
  };
}
