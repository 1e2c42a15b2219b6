// The EMR's JSON reads beside FHIR (errors are OperationOutcomes): a note's signed versions, an
// encounter's MAR, the operations dashboard and the charting catalogue. Reads of clinical resources
// are audited like the FHIR reads they stand for.
import type { Plugin, Request } from '@hapi/hapi';
import { FhirError, type Database, type FhirEngine, type Interaction, type TouchedResource } from '../../fhir/index.ts';
import { accessFor, type Caller } from '../auth/caller.ts';
import { callerOf, originOf } from '../plugins/auth.ts';
import type { AuditWriter } from '../audit/writer.ts';
import type { Signatures } from '../signing/signatures.ts';
import { addDays, daysBetween, isDate, type Calendar } from '../booking/calendar.ts';
import { noteVersions } from './notes/versions.ts';
import { medicationAdministrationRecord } from './mar.ts';
import { dashboard } from './dashboard.ts';
import { catalogue } from './catalogue.ts';

export interface EmrRecordRoutesOptions {
  engine: FhirEngine;
  db: Database;
  audit: AuditWriter;
  signatures: Signatures;
  calendar: Calendar;
  /** The clock (tests fix it); the MAR's due and overdue doses are judged against it. */
  now?: () => Date;
}

const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;
/** The dashboard covers at most a year. */
const maxDashboardDays = 366;

type Staff = Extract<Caller, { accountId: string }>;

function staff(caller: Caller): Staff {
  if (caller.kind === 'anonymous') throw new FhirError('unauthorized', 'Log in first');
  if (caller.kind !== 'staff') throw new FhirError('forbidden', 'The EMR is for the hospital\'s staff');
  return caller;
}

/** A member of staff whose role may do all of `needs` (the policy table's rows). */
function staffAllowed(caller: Caller, needs: [string, Interaction][]): Staff {
  const member = staff(caller);
  const access = accessFor(member);
  for (const [type, interaction] of needs) {
    if (!access.allows(type, interaction)) throw new FhirError('forbidden', `Not permitted: ${interaction} ${type} (${access.describe})`);
  }
  return member;
}

function idParam(request: Request, name: string): string {
  const id = (request.params as Record<string, string>)[name];
  if (!idPattern.test(id)) throw new FhirError('not-found', `No such ${name}`);
  return id;
}

function dateParam(query: Record<string, unknown>, name: string, otherwise: string): string {
  const value = query[name] ?? otherwise;
  if (!isDate(value)) throw new FhirError('invalid-request', `${name} is a date YYYY-MM-DD`, { expression: [name] });
  return value;
}

export const emrRecordRoutes: Plugin<EmrRecordRoutesOptions> = {
  name: 'open-his-emr-record',
  register(server, options) {
    const { engine, db, audit, signatures } = options;
    const repo = engine.repo;
    const { calendar } = options;
    const now = options.now ?? (() => new Date());
    const record = (request: Request, path: string, touched: TouchedResource[]) => {
      audit.deferRecord({ request: { method: 'GET', path, query: new URLSearchParams(), headers: {} }, status: 200, touched }, callerOf(request), originOf(request));
    };

    server.route({
      method: 'GET', path: '/emr/catalogue',
      handler(request) {
        staff(callerOf(request));
        return catalogue;
      },
    });

    server.route({
      method: 'GET', path: '/emr/notes/{id}/versions',
      async handler(request) {
        staffAllowed(callerOf(request), [['Composition', 'history'], ['Provenance', 'search']]);
        const id = idParam(request, 'id');
        const { versions, note, provenances } = await noteVersions(repo, signatures, id);
        record(request, `Composition/${id}/_history`, [
          { resourceType: 'Composition', id, json: note },
          ...provenances.map((p) => ({ resourceType: 'Provenance', id: p.id as string, json: JSON.stringify(p) })),
        ]);
        return { versions };
      },
    });

    server.route({
      method: 'GET', path: '/emr/encounters/{id}/mar',
      async handler(request) {
        staffAllowed(callerOf(request), [['Encounter', 'read'], ['MedicationRequest', 'search'], ['MedicationAdministration', 'search']]);
        const id = idParam(request, 'id');
        const at = now();
        const date = dateParam(request.query, 'date', calendar.dateOf(at));
        const { mar, read } = await medicationAdministrationRecord(repo, calendar, id, date, at);
        record(request, `Encounter/${id}/$mar`, read);
        return mar;
      },
    });

    server.route({
      method: 'GET', path: '/emr/dashboard',
      async handler(request) {
        const caller = staff(callerOf(request));
        if (!caller.roles.some((r) => r === 'admin' || r === 'doctor')) throw new FhirError('forbidden', 'The operations dashboard is for administrators and doctors');
        const to = dateParam(request.query, 'to', calendar.dateOf(now()));
        const from = dateParam(request.query, 'from', addDays(to, -29));
        const span = daysBetween(from, to);
        if (span < 0 || span >= maxDashboardDays) throw new FhirError('invalid-request', `from is on or before to, at most ${maxDashboardDays} days apart`, { expression: ['from'] });
        return dashboard(db, calendar, from, to);
      },
    });
  },
};
