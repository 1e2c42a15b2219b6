// The radiology API the reading room uses (JSON; errors are OperationOutcomes): the worklist, a
// study's report (draft, sign, amend) and its measurements. Reads and writes are audited like FHIR
// interactions, since they are the same resources.
import type { Plugin, Request } from '@hapi/hapi';
import { fileURLToPath } from 'node:url';
import { FhirError, migrate, type Database, type FhirEngine } from '../../fhir/index.ts';
import { accessFor, type Caller } from '../auth/caller.ts';
import { callerOf, originOf } from '../plugins/auth.ts';
import type { AuditWriter } from '../audit/writer.ts';
import type { Signatures } from '../signing/signatures.ts';
import { worklist, type WorklistQuery } from './worklist.ts';
import { orderedStudies } from './ordered.ts';
import { amend, readReport, saveDraft, sign, studyContext, type Author } from './report.ts';
import { listMeasurements, saveMeasurement } from './measurements.ts';
import { radiologyStatusHook } from './status-hook.ts';

export const radiologyMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'radiology' };

export async function setUpRadiology(db: Database, engine: FhirEngine): Promise<void> {
  await migrate(db, radiologyMigrations);
  engine.addWriteHook(radiologyStatusHook);
}

export interface RadiologyRoutesOptions {
  engine: FhirEngine;
  db: Database;
  audit: AuditWriter;
  signatures: Signatures;
  timezone: string;
}

const uidPattern = /^[0-9.]{1,64}$/;

function studyUid(request: Request): string {
  const uid = (request.params as Record<string, string>).study;
  if (!uidPattern.test(uid)) throw new FhirError('invalid-request', 'The study is named by its Study Instance UID');
  return uid;
}

function mayRead(caller: Caller): void {
  if (caller.kind === 'anonymous') throw new FhirError('unauthorized', 'Log in first');
  if (caller.kind === 'patient' || !accessFor(caller).allows('ImagingStudy', 'read')) throw new FhirError('forbidden', 'Reading imaging needs a clinical role');
}

/** Reports are written and signed by radiologists only (a doctor's chart reads them). */
function radiologist(caller: Caller): Extract<Caller, { kind: 'staff' | 'patient' }> {
  if (caller.kind === 'anonymous') throw new FhirError('unauthorized', 'Log in first');
  if (caller.kind !== 'staff' || !caller.roles.includes('radiologist')) throw new FhirError('forbidden', 'Reports and measurements are written by radiologists');
  return caller;
}

export const radiologyRoutes: Plugin<RadiologyRoutesOptions> = {
  name: 'open-his-radiology',
  register(server, options) {
    const { engine, db, audit, signatures } = options;
    const repo = engine.repo;

    const authorOf = async (caller: Extract<Caller, { kind: 'staff' | 'patient' }>): Promise<Author> => {
      let display = caller.login;
      if (caller.fhirUser?.startsWith('Practitioner/')) {
        try {
          const p = JSON.parse((await repo.read('Practitioner', caller.fhirUser.slice(13))).json!) as { name?: { text?: string; family?: string; given?: string[] }[] };
          const n = p.name?.[0];
          display = n?.text ?? ([n?.family, ...(n?.given ?? [])].filter(Boolean).join('') || display);
        } catch { /* the login name stands in */ }
      }
      return { accountId: caller.accountId, login: caller.login, practitioner: caller.fhirUser?.startsWith('Practitioner/') ? caller.fhirUser : undefined, display };
    };
    const record = (request: Request, method: 'GET' | 'PUT' | 'POST', path: string, touched: { resourceType: string; id: string; json?: string }[]) => {
      audit.deferRecord({ request: { method, path, query: new URLSearchParams(), headers: {} }, status: 200, touched }, callerOf(request), originOf(request));
    };

    server.route({
      method: 'GET', path: '/radiology/worklist',
      async handler(request) {
        mayRead(callerOf(request));
        const query = request.query as WorklistQuery;
        const answer = await worklist(db, query, options.timezone);
        const ordered = !query.status || query.status === 'ordered' ? await orderedStudies(db, query) : [];
        record(request, 'GET', 'ImagingStudy', [
          ...answer.items.filter((i) => i.imagingStudyId).map((i) => ({ resourceType: 'ImagingStudy', id: i.imagingStudyId! })),
          ...ordered.map((o) => ({ resourceType: 'ServiceRequest', id: o.orderId })),
        ]);
        return { ...answer, ordered };
      },
    });
    server.route({
      method: 'GET', path: '/radiology/studies/{study}/report',
      async handler(request) {
        mayRead(callerOf(request));
        const ctx = await studyContext(db, studyUid(request));
        const answer = await readReport(repo, signatures, ctx);
        if (answer.report) record(request, 'GET', `DiagnosticReport/${answer.report.id}`, [{ resourceType: 'DiagnosticReport', id: answer.report.id, json: JSON.stringify(answer.report) }]);
        return answer;
      },
    });
    server.route({
      method: 'PUT', path: '/radiology/studies/{study}/report',
      async handler(request) {
        const author = await authorOf(radiologist(callerOf(request)));
        const report = await saveDraft(repo, await studyContext(db, studyUid(request)), request.payload, author);
        record(request, 'PUT', `DiagnosticReport/${report.id}`, [{ resourceType: 'DiagnosticReport', id: report.id, json: JSON.stringify(report) }]);
        return report;
      },
    });
    for (const action of ['sign', 'amend'] as const) {
      server.route({
        method: 'POST', path: `/radiology/studies/{study}/report/${action}`,
        async handler(request) {
          const author = await authorOf(radiologist(callerOf(request)));
          const ctx = await studyContext(db, studyUid(request));
          const report = action === 'sign' ? await sign(repo, signatures, ctx, request.payload, author) : await amend(repo, signatures, ctx, request.payload, author);
          record(request, 'POST', `DiagnosticReport/${report.id}`, [{ resourceType: 'DiagnosticReport', id: report.id, json: JSON.stringify(report) }]);
          return report;
        },
      });
    }
    server.route({
      method: 'GET', path: '/radiology/studies/{study}/measurements',
      async handler(request) {
        mayRead(callerOf(request));
        const ctx = await studyContext(db, studyUid(request));
        return listMeasurements(repo, ctx.imagingStudyId);
      },
    });
    server.route({
      method: 'POST', path: '/radiology/studies/{study}/measurements',
      async handler(request, h) {
        const author = await authorOf(radiologist(callerOf(request)));
        const ctx = await studyContext(db, studyUid(request));
        const saved = await saveMeasurement(repo, ctx.imagingStudyId, request.payload, author);
        record(request, 'POST', `Observation/${saved.id}`, [{ resourceType: 'Observation', id: saved.id! }]);
        return h.response(saved).code(201);
      },
    });
  },
};
