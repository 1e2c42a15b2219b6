// Appointment/$book: books a held or free place of a slot (Appointment booked; the Slot busy once
// full). A place taken by someone else first is a 409 with code slot-taken.
import { touched, type Operation } from '../../../fhir/index.ts';
import { book } from '../book.ts';
import type { BookingService } from '../service.ts';
import { actorOf } from './caller.ts';
import { appliesToAppointment, definition } from './definition.ts';
import { placeParameters, placeRequest } from './limits.ts';

export function bookOperation(service: BookingService): Operation {
  return {
    definition: definition('book', 'type', true, [...placeParameters, { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' }]),
    appliesTo: appliesToAppointment,
    async handle(req, ctx) {
      const { slotId, patientId } = placeRequest(service, req, ctx);
      const appointment = await book(service.ctx, actorOf(ctx), slotId, patientId);
      const json = JSON.stringify(appointment);
      touched(ctx, [{ resourceType: 'Appointment', id: appointment.id!, versionId: 1, json }]);
      service.notice('confirmation', appointment);
      return {
        status: 201,
        headers: { location: `${ctx.baseUrl}/Appointment/${appointment.id}/_history/1`, etag: 'W/"1"' },
        json,
      };
    },
  };
}
