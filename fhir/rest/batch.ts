// batch — http://hl7.org/fhir/R4/http.html#transaction: every entry is processed on its own, in its
// own database transaction; one entry failing does not affect the others.
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';
import { bundleEntries, errorEntry, parseEntryRequest, responseEntry, toFhirRequest } from './bundle-entry.ts';
import type { FhirRequest, FhirResponse, RestContext } from './types.ts';

type Route = (req: FhirRequest, ctx: RestContext) => Promise<FhirResponse>;

export async function batch(bundle: Resource, req: FhirRequest, ctx: RestContext, route: Route): Promise<FhirResponse> {
  const entries = bundleEntries(bundle);
  const out: unknown[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      const entryRequest = parseEntryRequest(entries[i], i, ctx);
      if (entryRequest.path === '' && entryRequest.method === 'POST') {
        throw new FhirError('invalid-request', 'A batch entry cannot itself be a batch or transaction');
      }
      out.push(responseEntry(await route(toFhirRequest(entryRequest, req.headers.prefer), ctx), ctx));
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      out.push(errorEntry(err));
    }
  }
  return { status: 200, headers: {}, body: { resourceType: 'Bundle', type: 'batch-response', entry: out } };
}
