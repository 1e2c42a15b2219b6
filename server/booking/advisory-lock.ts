// Transaction-scoped advisory locks named by text (PostgreSQL pg_advisory_xact_lock takes a bigint):
// the first 8 bytes of the name's SHA-256, so that unrelated names practically never share a lock.
import { createHash } from 'node:crypto';
import type { Queryable } from '../../fhir/index.ts';

export async function lockName(tx: Queryable, name: string): Promise<void> {
  const key = createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
}
