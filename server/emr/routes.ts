// The EMR's read routes that are views over several resources (JSON; errors are OperationOutcomes):
// a doctor's clinic list of the day and the bed board. Reads of patient data are audited like the
// FHIR reads they stand for.
import type { Plugin, Request } from '@hapi/hapi';
import { FhirError, type Database, type FhirEngine } from '../../fhir/index.ts';
import { accessFor, type Caller } from '../auth/caller.ts';
import { callerOf, originOf } from '../plugins/auth.ts';
import type { AuditWriter } from '../audit/writer.ts';
import type { Calendar } from '../booking/calendar.ts';
import { clinicList } from './visits/clinic-list.ts';
import { bedBoard } from './beds/board.ts';

export interface EmrRoutesOptions {
  engine: FhirEngine;
  db: Database;
  audit: AuditWriter;
  calendar: Calendar;
}

function mayRead(caller: Caller, types: string[]): void {
  if (caller.kind === 'anonymous') throw new FhirError('unauthorized', 'Log in first');
  const access = accessFor(caller);
  if (caller.kind === 'patient' || !types.every((t) => access.allows(t, 'read'))) throw new FhirError('forbidden', 'This view is for clinical staff');
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export const emrRoutes: Plugin<EmrRoutesOptions> = {
  name: 'open-his-emr',
  register(server, options) {
    const { engine, db, audit, calendar } = options;
    const record = (request: Request, path: string, touched: { resourceType: string; id: string }[]) => {
      audit.deferRecord({ request: { method: 'GET', path, query: new URLSearchParams(), headers: {} }, status: 200, touched }, callerOf(request), originOf(request));
    };

    server.route({
      method: 'GET', path: '/emr/clinic-list',
      async handler(request) {
        const caller = callerOf(request);
        mayRead(caller, ['Appointment', 'Encounter', 'Patient']);
        const query = request.query as { date?: string; practitioner?: string };
        const own = caller.kind === 'staff' && caller.fhirUser?.startsWith('Practitioner/') ? caller.fhirUser.slice(13) : undefined;
        const practitioner = query.practitioner?.replace(/^Practitioner\//, '') ?? own;
        if (!practitioner || !ID.test(practitioner)) throw new FhirError('invalid-request', 'Name the doctor: practitioner=<Practitioner id>');
        const answer = await clinicList(engine.repo, calendar, practitioner, query.date ?? calendar.dateOf(new Date()));
        record(request, 'Appointment', [
          ...answer.items.map((i) => ({ resourceType: 'Appointment', id: i.appointmentId })),
          ...answer.items.filter((i) => i.patient.id).map((i) => ({ resourceType: 'Patient', id: i.patient.id })),
        ]);
        return answer;
      },
    });

    server.route({
      method: 'GET', path: '/emr/bed-board',
      async handler(request) {
        mayRead(callerOf(request), ['Location', 'Encounter', 'Patient']);
        const ward = (request.query as { ward?: string }).ward;
        if (ward !== undefined && !ID.test(ward)) throw new FhirError('invalid-request', 'ward is a Location id');
        const { encounters, patients, ...board } = await bedBoard(db, engine.repo, new Date(), ward ? [ward] : undefined);
        record(request, 'Encounter', [
          ...encounters.map((id) => ({ resourceType: 'Encounter', id })),
          ...patients.map((id) => ({ resourceType: 'Patient', id })),
        ]);
        return board;
      },
    });
  },
};
