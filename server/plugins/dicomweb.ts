// DICOMweb under /dicomweb (PS3.18): STOW-RS, QIDO-RS, WADO-RS and WADO-URI, wired to the framework-free
// handlers of imaging/dicomweb. Staff and system clients only: who may read or store follows the
// policy for ImagingStudy. Every store, retrieve and query is audited; nothing of the data is logged.
import type { Plugin, Request, ResponseToolkit, ResponseObject } from '@hapi/hapi';
import Boom from '@hapi/boom';
import type { DicomStore } from '../../imaging/ingest.ts';
import type { StudyIndex } from '../../imaging/storage/study-index.ts';
import { stow } from '../../imaging/dicomweb/stow.ts';
import { parseQido, type QidoLevel } from '../../imaging/dicomweb/qido-parse.ts';
import { runQido } from '../../imaging/dicomweb/qido.ts';
import { retrieveBulk, retrieveFrames, retrieveInstances, retrieveMetadata, wadoUri, type WadoAnswer } from '../../imaging/dicomweb/wado.ts';
import { DicomWebError } from '../../imaging/dicomweb/errors.ts';
import { DicomError } from '../../imaging/errors.ts';
import { accessFor } from '../auth/caller.ts';
import { callerOf, originOf } from './auth.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { dicomAuditEvent, type DicomAuditInput } from '../audit/dicom-event.ts';

export interface DicomWebPluginOptions {
  store: DicomStore;
  index: StudyIndex;
  audit: AuditWriter;
  maxUploadBytes: number;
  publicUrl?: string;
}

type Need = 'search' | 'read' | 'create';

function allowed(request: Request, need: Need): void {
  const caller = callerOf(request);
  // Patients see their images through their record, not through the raw DICOMweb API.
  if (caller.kind === 'patient' || !accessFor(caller).allows('ImagingStudy', need)) {
    throw Boom.forbidden(need === 'create' ? 'Storing images needs the radiologist role (or a system client with write access)' : 'Reading images needs a clinical role');
  }
}

/** Path parameters; hapi types them as unknown. */
function pathOf(request: Request): Record<string, string> {
  return request.params as Record<string, string>;
}

function baseUrlOf(request: Request, publicUrl: string | undefined): string {
  if (publicUrl) return `${publicUrl}/dicomweb`;
  const host = request.headers.host ?? `${request.info.host}`;
  return `${request.server.info.protocol}://${host}/dicomweb`;
}

function refusal(err: unknown): never {
  if (err instanceof DicomWebError) throw new Boom.Boom(err.message, { statusCode: err.status });
  if (err instanceof DicomError) throw Boom.badRequest(err.message);
  throw err;
}

function answer(h: ResponseToolkit, a: WadoAnswer): ResponseObject {
  return h.response(a.body).code(a.status).type(a.contentType);
}

export const dicomwebPlugin: Plugin<DicomWebPluginOptions> = {
  name: 'open-his-dicomweb',
  register(server, options) {
    const { store, index, audit } = options;
    /** Frame and metadata reads of one study by one caller are audited once a minute, not once per frame. */
    const recent = new Map<string, number>();
    const record = (request: Request, input: Omit<DicomAuditInput, 'caller' | 'origin'>, coalesce = false) => {
      const caller = callerOf(request);
      if (coalesce) {
        const key = `${caller.kind === 'anonymous' ? '' : caller.kind === 'client' ? caller.clientId : caller.accountId}|${input.kind}|${input.studies.join(',')}`;
        const now = Date.now();
        if ((recent.get(key) ?? 0) > now - 60_000) return;
        if (recent.size > 10_000) recent.clear();
        recent.set(key, now);
      }
      audit.defer(dicomAuditEvent({ ...input, caller, origin: originOf(request) }));
    };
    const patientIdsOf = async (studies: string[]) => {
      if (studies.length === 0) return [];
      const { rows } = await index.db.query<{ patient_id: string }>(
        'SELECT DISTINCT patient_id FROM dicom_study WHERE study_uid = ANY($1::text[]) AND patient_id IS NOT NULL', [studies]);
      return rows.map((r) => r.patient_id);
    };

    const stowHandler = async (request: Request, h: ResponseToolkit) => {
      allowed(request, 'create');
      try {
        const result = await stow(store, {
          contentType: request.headers['content-type'] as string | undefined, body: request.payload as Buffer,
          studyUid: pathOf(request).study, baseUrl: baseUrlOf(request, options.publicUrl),
        });
        const studies = [...new Set(result.outcomes.flatMap((o) => (o.status !== 'failed' ? [o.studyInstanceUid] : [])))];
        const patientIds = [...new Set(result.outcomes.flatMap((o) => (o.status !== 'failed' && o.patientId ? [o.patientId] : [])))];
        record(request, { kind: 'store', status: result.status, studies, patientIds,
          description: `${result.outcomes.filter((o) => o.status !== 'failed').length} stored, ${result.outcomes.filter((o) => o.status === 'failed').length} failed` });
        return h.response(JSON.stringify(result.body)).code(result.status).type('application/dicom+json');
      } catch (err) {
        return refusal(err);
      }
    };
    const payload = { output: 'data' as const, parse: false, maxBytes: options.maxUploadBytes, timeout: false as const };
    server.route({ method: 'POST', path: '/dicomweb/studies', options: { payload, handler: stowHandler } });
    server.route({ method: 'POST', path: '/dicomweb/studies/{study}', options: { payload, handler: stowHandler } });

    const qido = (level: QidoLevel) => async (request: Request, h: ResponseToolkit) => {
      allowed(request, 'search');
      try {
        const query = parseQido(level, request.query as Record<string, string | string[]>, { studyUid: pathOf(request).study, seriesUid: pathOf(request).series });
        const result = await runQido(index.db, query, baseUrlOf(request, options.publicUrl));
        const studies = [...new Set(result.results.map((r) => String((r['0020000D'] as { Value?: string[] } | undefined)?.Value?.[0] ?? '')).filter(Boolean))];
        record(request, { kind: 'query', status: 200, studies, patientIds: await patientIdsOf(studies), query: request.url.search.slice(1) });
        const response = h.response(JSON.stringify(result.results)).code(200).type('application/dicom+json');
        // PS3.18 §8.3.4.4: tell the client when the limit cut the answer short.
        if (result.total > query.offset + result.results.length) response.header('warning', '299 open-his: "There are additional results that can be requested"');
        return response;
      } catch (err) {
        return refusal(err);
      }
    };
    server.route({ method: 'GET', path: '/dicomweb/studies', handler: qido('study') });
    server.route({ method: 'GET', path: '/dicomweb/series', handler: qido('series') });
    server.route({ method: 'GET', path: '/dicomweb/instances', handler: qido('instance') });
    server.route({ method: 'GET', path: '/dicomweb/studies/{study}/series', handler: qido('series') });
    server.route({ method: 'GET', path: '/dicomweb/studies/{study}/instances', handler: qido('instance') });
    server.route({ method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances', handler: qido('instance') });

    const retrieve = (kind: 'instances' | 'metadata') => async (request: Request, h: ResponseToolkit) => {
      allowed(request, 'read');
      const target = { studyUid: pathOf(request).study, seriesUid: pathOf(request).series, sopInstanceUid: pathOf(request).instance };
      try {
        const result = kind === 'instances'
          ? await retrieveInstances(index, store.blobs, target, request.headers.accept as string | undefined)
          : await retrieveMetadata(index, target, baseUrlOf(request, options.publicUrl));
        record(request, { kind: 'retrieve', status: 200, studies: [target.studyUid], patientIds: await patientIdsOf([target.studyUid]) }, kind === 'metadata');
        return answer(h, result);
      } catch (err) {
        return refusal(err);
      }
    };
    for (const path of ['/dicomweb/studies/{study}', '/dicomweb/studies/{study}/series/{series}', '/dicomweb/studies/{study}/series/{series}/instances/{instance}']) {
      server.route({ method: 'GET', path, handler: retrieve('instances') });
      server.route({ method: 'GET', path: `${path}/metadata`, handler: retrieve('metadata') });
    }
    server.route({
      method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}',
      async handler(request, h) {
        allowed(request, 'read');
        const target = { studyUid: pathOf(request).study, seriesUid: pathOf(request).series, sopInstanceUid: pathOf(request).instance };
        try {
          const result = await retrieveFrames(index, store.blobs, target, pathOf(request).frames, request.headers.accept as string | undefined);
          record(request, { kind: 'retrieve', status: 200, studies: [target.studyUid], patientIds: await patientIdsOf([target.studyUid]) }, true);
          return answer(h, result);
        } catch (err) {
          return refusal(err);
        }
      },
    });
    server.route({
      method: 'GET', path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/bulk/{tag}',
      async handler(request, h) {
        allowed(request, 'read');
        const target = { studyUid: pathOf(request).study, seriesUid: pathOf(request).series, sopInstanceUid: pathOf(request).instance };
        try {
          const result = await retrieveBulk(index, store.blobs, target, pathOf(request).tag, request.headers.accept as string | undefined);
          record(request, { kind: 'retrieve', status: 200, studies: [target.studyUid], patientIds: await patientIdsOf([target.studyUid]) }, true);
          return answer(h, result);
        } catch (err) {
          return refusal(err);
        }
      },
    });
    server.route({
      method: 'GET', path: '/dicomweb/wado',
      async handler(request, h) {
        allowed(request, 'read');
        try {
          const result = await wadoUri(index, store.blobs, request.query as Record<string, string | string[]>);
          const study = String(request.query.studyUID);
          record(request, { kind: 'retrieve', status: 200, studies: [study], patientIds: await patientIdsOf([study]) }, true);
          return answer(h, result);
        } catch (err) {
          return refusal(err);
        }
      },
    });
  },
};
