// Bulk Data export over HTTP (FHIR Bulk Data Access IG v2, http://hl7.org/fhir/uv/bulkdata/export.html):
// kick-off at /fhir/$export, /fhir/Patient/$export and /fhir/Group/[id]/$export with
// `Prefer: respond-async` → 202 + Content-Location; the status URL answers 202 + X-Progress while the
// job runs, then the manifest; DELETE cancels; the files need the same caller's token.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import { FhirError, operationOutcome, type FhirEngine } from '../../fhir/index.ts';
import { patientCompartmentTypes } from '../../fhir/access.ts';
import { typesWithData } from '../../fhir/bulk/export-rows.ts';
import type { TypeFilter } from '../../fhir/bulk/type-filter.ts';
import { accessFor, type Caller } from '../auth/caller.ts';
import { callerOf, originOf } from '../plugins/auth.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { exportAuditEvent } from './audit.ts';
import { exportParameters } from './parameters.ts';
import type { ExportJobs, ExportScopeData } from './jobs.ts';
import type { ExportRunner } from './runner.ts';

export interface BulkRoutesOptions {
  engine: FhirEngine;
  jobs: ExportJobs;
  runner: ExportRunner;
  audit: AuditWriter;
  publicUrl?: string;
  /** Parses one `_typeFilter` query, refusing what is not a search this server runs. */
  parseFilter(text: string): TypeFilter;
}

function ownerOf(caller: Caller): string {
  if (caller.kind === 'client') return `client:${caller.clientId}`;
  if (caller.kind === 'anonymous') throw new FhirError('unauthorized', 'Log in first: this needs an access token');
  return `account:${caller.accountId}`;
}

export function fhirBase(request: Request, publicUrl?: string): string {
  return publicUrl ? `${publicUrl}/fhir` : `${request.server.info.protocol}://${request.info.host}/fhir`;
}

/** Patients of a Group's members (Group.member.entity, http://hl7.org/fhir/R4/group.html). */
function groupPatients(group: { member?: { entity?: { reference?: string }; inactive?: boolean }[] }): string[] {
  return (group.member ?? []).filter((m) => m.inactive !== true)
    .map((m) => /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(m.entity?.reference ?? '')?.[1])
    .filter((id): id is string => id !== undefined);
}

export const bulkRoutes: Plugin<BulkRoutesOptions> = {
  name: 'open-his-bulk',
  register(server, options) {
    const { engine, jobs, runner, audit } = options;

    const kickOff = async (request: Request, h: ResponseToolkit, level: ExportScopeData['level']) => {
      const caller = callerOf(request);
      const owner = ownerOf(caller);
      const access = accessFor(caller);
      const prefer = String(request.headers.prefer ?? '');
      if (!/respond-async/.test(prefer)) {
        throw new FhirError('invalid-request', 'A Bulk Data export runs asynchronously: send the header Prefer: respond-async');
      }
      const query = new URLSearchParams(request.url.search);
      const params = exportParameters({
        query, body: request.method === 'post' ? parseBody(request.payload) : undefined, lenient: /handling=lenient/.test(prefer),
        resourceTypes: engine.registry.resourceTypes, checkFilter: options.parseFilter,
      });
      const readable = (t: string) => access.allows(t, 'search') && access.allows(t, 'read');
      let patients: string[] | undefined;
      let groupId: string | undefined;
      if (level === 'system' && caller.kind !== 'client') {
        throw new FhirError('forbidden', 'A system-level export is for system clients (SMART backend services); export a Group or your own record instead');
      }
      if (level === 'patient') {
        if (access.patients !== undefined) patients = [...access.patients];
        else if (caller.kind !== 'client') throw new FhirError('forbidden', 'An export of every patient is for system clients; export a Group instead');
      }
      if (level === 'group') {
        if (access.patients !== undefined || !readable('Group')) throw new FhirError('forbidden', `Exporting a Group needs the right to read Groups (${access.describe})`);
        groupId = request.params.id as string;
        const group = JSON.parse((await engine.repo.read('Group', groupId)).json!) as Parameters<typeof groupPatients>[0];
        patients = groupPatients(group);
      }
      const compartment = patientCompartmentTypes();
      const inScope = (t: string) => level === 'system' || (compartment.has(t) && t !== 'AuditEvent');
      if (params.types) {
        const refused = params.types.filter((t) => !readable(t));
        if (refused.length > 0) throw new FhirError('forbidden', `You may not read ${refused.join(', ')} (${access.describe})`, { expression: ['_type'] });
        const outside = params.types.filter((t) => !inScope(t));
        if (outside.length > 0) throw new FhirError('invalid-request', `${outside.join(', ')} is not part of a patient's record`, { expression: ['_type'] });
      }
      const types = (params.types ?? (await typesWithData(engine.db)).filter((t) => readable(t) && inScope(t)));
      // A filter narrows its type's file; a filter for a type the export does not hold is a mistake to report.
      const exportable = (t: string) => (params.types ? params.types.includes(t) : readable(t) && inScope(t));
      const stray = Object.keys(params.typeFilters ?? {}).filter((t) => !exportable(t));
      if (stray.length > 0) {
        throw new FhirError('invalid-request', `_typeFilter names ${stray.join(', ')}, which this export does not include`, { expression: ['_typeFilter'] });
      }
      const typeFilters = Object.fromEntries(Object.entries(params.typeFilters ?? {}).filter(([t]) => types.includes(t)));
      const base = fhirBase(request, options.publicUrl);
      const requestUrl = `${base}${request.path.slice('/fhir'.length)}${request.url.search}`;
      const job = await jobs.create(owner, requestUrl, { level, types, ...(params.since ? { since: params.since } : {}),
        ...(Object.keys(typeFilters).length > 0 ? { typeFilters } : {}), ...(patients ? { patients } : {}), ...(groupId ? { groupId } : {}) });
      audit.defer(exportAuditEvent({ caller, origin: originOf(request), status: 202, what: 'kick-off', query: requestUrl, patients }));
      runner.nudge();
      const location = `${base}/$export-status/${job.id}`;
      if (params.ignored.length === 0) return h.response().code(202).header('content-location', location);
      // Lenient handling: the parameters left out are named in the kick-off answer.
      return h.response(operationOutcome([{ severity: 'warning', code: 'not-supported', diagnostics: `Ignored: ${params.ignored.join(', ')}` }]))
        .code(202).type('application/fhir+json').header('content-location', location);
    };

    const ownJob = async (request: Request) => {
      const caller = callerOf(request);
      const job = await jobs.get(String(request.params.id));
      // Someone else's job does not exist for this caller (no hint that the id is real).
      if (!job || job.owner !== ownerOf(caller) || job.status === 'cancelled') throw new FhirError('not-found', 'No such export job');
      return job;
    };

    for (const [path, level] of [['/fhir/$export', 'system'], ['/fhir/Patient/$export', 'patient'], ['/fhir/Group/{id}/$export', 'group']] as const) {
      server.route({ method: 'GET', path, handler: (request, h) => kickOff(request, h, level) });
      server.route({ method: 'POST', path, options: { payload: { parse: false, maxBytes: 1024 * 1024 } }, handler: (request, h) => kickOff(request, h, level) });
    }

    server.route({
      method: 'GET', path: '/fhir/$export-status/{id}',
      async handler(request, h) {
        const job = await ownJob(request);
        if (job.status === 'accepted' || job.status === 'in-progress') {
          return h.response().code(202).header('x-progress', job.progress ?? 'queued').header('retry-after', '2');
        }
        if (job.status === 'failed') {
          return h.response(operationOutcome([{ severity: 'error', code: 'exception', diagnostics: job.error ?? 'The export failed' }])).code(500).type('application/fhir+json');
        }
        return h.response({
          transactionTime: job.transactionTime,
          request: job.requestUrl,
          requiresAccessToken: true,
          output: (job.output ?? []).map(({ type, url, count }) => ({ type, url, count })),
          error: [],
        }).type('application/json');
      },
    });

    server.route({
      method: 'DELETE', path: '/fhir/$export-status/{id}',
      async handler(request, h) {
        const job = await ownJob(request);
        await jobs.cancel(job.id);
        await runner.removeFiles(job.id);
        audit.defer(exportAuditEvent({ caller: callerOf(request), origin: originOf(request), status: 202, what: 'cancel', query: job.requestUrl }));
        return h.response().code(202);
      },
    });

    server.route({
      method: 'GET', path: '/fhir/$export-file/{id}/{file}',
      async handler(request, h) {
        const job = await ownJob(request);
        const entry = (job.output ?? []).find((o) => o.file === request.params.file);
        if (job.status !== 'completed' || !entry) throw new FhirError('not-found', 'No such export file');
        const path = join(runner.jobDir(job.id), entry.file);
        const size = (await stat(path)).size;
        audit.defer(exportAuditEvent({ caller: callerOf(request), origin: originOf(request), status: 200, what: 'download', query: job.requestUrl, file: entry.file, patients: job.scope.patients }));
        return h.response(createReadStream(path)).type('application/fhir+ndjson').header('content-length', String(size));
      },
    });
  },
};

function parseBody(payload: unknown): unknown {
  const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : typeof payload === 'string' ? payload : '';
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new FhirError('malformed-json', 'The kick-off body is not JSON');
  }
}
