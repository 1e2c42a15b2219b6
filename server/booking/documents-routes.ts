// An appointment as documents: its calendar file (.ics, RFC 5545) for the patient's phone calendar,
// and the registration slip (挂号单) the desk prints. Both read the Appointment as the caller through
// the engine, so compartments, roles and the audit trail apply as to any FHIR read.
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import { badRequest } from '@hapi/boom';
import { FhirError, type FhirEngine } from '../../fhir/index.ts';
import type { AuditWriter } from '../audit/writer.ts';
import type { NoticeAccounts } from '../mail/appointment-notice.ts';
import { calendarForAppointment } from '../mail/appointment-notice.ts';
import { readAsCaller } from '../plugins/fhir.ts';
import type { BookingService } from './service.ts';
import { slipHtml } from './slip.ts';
import { REGISTRATION_FEE_EXTENSION } from '../seed/systems.ts';

export interface DocumentRoutesOptions {
  engine: FhirEngine;
  audit: AuditWriter;
  booking: BookingService;
  accounts: NoticeAccounts;
  organizer: string;
  hospitalName: string;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export const appointmentDocumentRoutes: Plugin<DocumentRoutesOptions> = {
  name: 'open-his-appointment-documents',
  register(server, options) {
    const appointmentOf = (request: Request) => {
      const id = request.params.id;
      if (typeof id !== 'string' || !ID.test(id)) throw badRequest('not an appointment id');
      return readAsCaller(options.engine, options.audit, request, 'Appointment', id);
    };

    server.route({
      method: 'GET', path: '/booking/appointments/{id}/ics',
      async handler(request: Request, h: ResponseToolkit) {
        const appointment = await appointmentOf(request);
        const text = await calendarForAppointment(options.engine.repo, options.accounts, appointment,
          { organizer: options.organizer, timeZone: options.booking.calendar.timeZone });
        if (text === null) throw new FhirError('unprocessable', 'This appointment has no time or patient to put in a calendar');
        return h.response(text).type('text/calendar; charset=utf-8')
          .header('content-disposition', `attachment; filename="appointment-${appointment.id}.ics"`)
          .header('cache-control', 'no-store');
      },
    });

    server.route({
      method: 'GET', path: '/booking/appointments/{id}/slip',
      async handler(request: Request, h: ResponseToolkit) {
        const appointment = await appointmentOf(request);
        const roleRef = (appointment as { participant?: { actor?: { reference?: string } }[] }).participant
          ?.map((p) => /^PractitionerRole\/(.+)$/.exec(p.actor?.reference ?? '')?.[1]).find(Boolean);
        let fee: { value: number; currency: string } | undefined;
        if (roleRef) {
          const role = JSON.parse((await options.engine.repo.read('PractitionerRole', roleRef)).json!) as { extension?: { url: string; valueMoney?: { value: number; currency: string } }[] };
          fee = role.extension?.find((e) => e.url === REGISTRATION_FEE_EXTENSION)?.valueMoney;
        }
        const html = slipHtml({ appointment, hospital: options.hospitalName, calendar: options.booking.calendar, ...(fee ? { fee } : {}) });
        // A page with its own inline print styles and nothing else.
        return h.response(html).type('text/html; charset=utf-8').header('cache-control', 'no-store')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      },
    });
  },
};
