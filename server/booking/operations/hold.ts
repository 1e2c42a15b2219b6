// Appointment/$hold: keeps one place of a slot for the calling patient for a few minutes
// (the slot shows busy-tentative when holds fill it); the server lapses holds by itself.
import type { Operation } from '../../../fhir/index.ts';
import { hold } from '../book.ts';
import type { BookingService } from '../service.ts';
import { actorOf } from './caller.ts';
import { appliesToAppointment, definition } from './definition.ts';
import { placeParameters, placeRequest } from './limits.ts';

export function holdOperation(service: BookingService): Operation {
  return {
    definition: definition('hold', 'type', true, [...placeParameters, { name: 'return', use: 'out', min: 1, max: '1', type: 'Parameters' }]),
    appliesTo: appliesToAppointment,
    async handle(req, ctx) {
      const { slotId, patientId } = placeRequest(service, req, ctx);
      const held = await hold(service.ctx, actorOf(ctx), slotId, patientId);
      return {
        status: 200, headers: {},
        body: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'slot', valueReference: { reference: `Slot/${slotId}` } },
            { name: 'patient', valueReference: { reference: `Patient/${patientId}` } },
            { name: 'expires', valueInstant: held.expires.toISOString() },
          ],
        },
      };
    },
  };
}
