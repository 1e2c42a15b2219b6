// POST [base] with a Bundle of type batch or transaction (http://hl7.org/fhir/R4/http.html#transaction).
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';
import { batch } from './batch.ts';
import { transaction } from './transaction.ts';
import { route } from './router.ts';
import type { Handler } from './types.ts';

export const bundle: Handler = async (req, ctx) => {
  const body = req.body as Resource | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.resourceType !== 'Bundle') {
    throw new FhirError('invalid-request', 'POST to the FHIR base takes a Bundle of type batch or transaction', { expression: ['Bundle'] });
  }
  if (body.type === 'transaction') return transaction(body, req, ctx, route);
  if (body.type === 'batch') return batch(body, req, ctx, ctx.dispatch ?? route);
  throw new FhirError('invalid-request', `Bundle.type must be batch or transaction, not ${JSON.stringify(body.type ?? null)}`, { expression: ['Bundle.type'] });
};
