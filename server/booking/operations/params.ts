// Reading operation input: a Parameters resource in the body, or (for GET operations) the query
// string (http://hl7.org/fhir/R4/operations.html#request).
import { FhirError, type FhirRequest } from '../../../fhir/index.ts';

interface Parameter { name?: string; valueReference?: { reference?: string }; valueString?: string; valueDate?: string; valueCode?: string; valueId?: string }

export function parameters(req: FhirRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of req.query) if (!k.startsWith('_')) out.set(k, v);
  if (req.method === 'POST' && req.body !== undefined) {
    const body = req.body as { resourceType?: string; parameter?: Parameter[] };
    if (body === null || typeof body !== 'object' || body.resourceType !== 'Parameters') {
      throw new FhirError('invalid-request', 'The body of this operation is a Parameters resource', { expression: ['Parameters'] });
    }
    if (body.parameter !== undefined && !Array.isArray(body.parameter)) throw new FhirError('invalid-request', 'Parameters.parameter is a list', { expression: ['Parameters.parameter'] });
    for (const [i, p] of (body.parameter ?? []).entries()) {
      if (!p || typeof p !== 'object' || typeof p.name !== 'string') throw new FhirError('invalid-request', 'Each parameter has a name', { expression: [`Parameters.parameter[${i}]`] });
      const value = p.valueReference?.reference ?? p.valueString ?? p.valueDate ?? p.valueCode ?? p.valueId;
      if (typeof value !== 'string') throw new FhirError('invalid-request', `Parameter ${p.name} has no value of a type this operation takes`, { expression: [`Parameters.parameter[${i}]`] });
      out.set(p.name, value);
    }
  }
  return out;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The id from `Type/id` (or a bare id); anything else is a 400 naming the parameter. */
export function referenceId(value: string | undefined, type: string, name: string, required = true): string | undefined {
  if (value === undefined) {
    if (required) throw new FhirError('invalid-request', `Parameter ${name} is required`, { expression: [`Parameters.parameter.where(name='${name}')`] });
    return undefined;
  }
  const m = new RegExp(`^(?:${type}/)?([^/]+)$`).exec(value);
  if (!m || !ID.test(m[1]!)) throw new FhirError('invalid-request', `Parameter ${name} must refer to a ${type}`, { expression: [`Parameters.parameter.where(name='${name}')`] });
  return m[1];
}
