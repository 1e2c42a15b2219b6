// Database errors caused by the data a client sent (PostgreSQL SQLSTATE class 22 "data exception",
// e.g. a NUL character in text or a timestamp out of range, and 54000 "program limit exceeded",
// e.g. a value too long for a b-tree index entry) become 4xx FhirErrors instead of 500s: the
// validator cannot foresee every limit of the storage engine.
import { FhirError } from '../outcome.ts';

export function translateDatabaseError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return err;
  if (code === '54000') {
    return new FhirError('unprocessable', 'A value is too long for the database to store or index; shorten it');
  }
  // Class AU: records the database keeps append-only (the audit trail) refuse to change.
  if (code.startsWith('AU')) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : 'append-only';
    return Object.assign(new FhirError('method-not-allowed', `This record cannot be changed or deleted: ${detail}`), { sqlState: code });
  }
  if (code.startsWith('22')) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : 'invalid value';
    return new FhirError('invalid-request', `The database rejected a value: ${detail}`);
  }
  return err;
}
