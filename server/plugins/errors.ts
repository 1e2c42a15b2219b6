// The one place that shapes error answers. On FHIR routes every error is an OperationOutcome with
// the status of its stable error code (fhir/outcome.ts); nothing internal leaks to the client.
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import { FhirError, type ErrorCode } from '../../fhir/index.ts';

const fromHttpStatus: Record<number, ErrorCode> = {
  400: 'invalid-request', 401: 'unauthorized', 403: 'forbidden', 404: 'route-not-found', 405: 'method-not-allowed',
  406: 'not-acceptable', 409: 'conflict', 410: 'deleted', 412: 'version-conflict', 413: 'payload-too-large',
  415: 'unsupported-media-type', 422: 'unprocessable', 429: 'too-many-requests', 503: 'unavailable',
};

/** Routes whose errors are OperationOutcomes: the FHIR API, and the radiology, EMR and exchange APIs built on it (their pages never fail). */
function isFhirPath(path: string): boolean {
  return path === '/fhir' || path.startsWith('/fhir/') || path.startsWith('/radiology/') || path.startsWith('/emr/')
    || path.startsWith('/exchange/') || path.startsWith('/admin/exchange/');
}

export function toFhirError(err: Boom | FhirError): FhirError {
  if (err instanceof FhirError) return err;
  const status = err.output.statusCode;
  const code = fromHttpStatus[status];
  if (!code) return new FhirError('internal', 'The server failed to process the request');
  const message = status === 413 ? 'The request body is larger than this server accepts'
    : status === 404 ? 'No such FHIR endpoint'
      : String(err.output.payload.message || err.message);
  return new FhirError(code, message);
}

export const errorsPlugin: Plugin<undefined> = {
  name: 'open-his-errors',
  register(server) {
    server.ext('onPreResponse', (request: Request, h: ResponseToolkit) => {
      const response = request.response as Boom | FhirError | { isBoom?: false };
      if (!('isBoom' in response) || !response.isBoom) {
        if (!(response instanceof FhirError)) return h.continue;
      }
      const err = response as Boom | FhirError;
      const status = err instanceof FhirError ? err.status : err.output.statusCode;
      if (status >= 500) {
        request.log(['error'], { err: err instanceof Error ? { message: err.message, stack: err.stack } : err });
      }
      if (!isFhirPath(request.path)) return h.continue;
      const fhirError = toFhirError(err);
      const res = h.response(fhirError.outcome).code(fhirError.status).type('application/fhir+json; charset=utf-8');
      if (fhirError.status === 405 && 'output' in err && err.output.headers.allow) res.header('allow', String(err.output.headers.allow));
      if ('output' in err) {
        for (const name of ['www-authenticate', 'retry-after']) {
          const value = err.output.headers[name] ?? err.output.headers[name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())];
          if (value !== undefined) res.header(name, String(value));
        }
      }
      if (fhirError.retryAfterSeconds !== undefined) res.header('retry-after', String(fhirError.retryAfterSeconds));
      // RFC 6750 §3: a 401 tells the client how to authenticate.
      if (fhirError.status === 401 && !res.headers['www-authenticate']) res.header('www-authenticate', 'Bearer realm="open-his"');
      return res;
    });
  },
};
