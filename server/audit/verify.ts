// Verification of the audit chain (chain.ts): walks audit_chain in seq order, in keyset batches so
// memory stays constant however long the chain, and recomputes every link from the history row it
// sealed. It also checks the current row of each AuditEvent in fhir_resource — what searches and
// reads return — and looks for AuditEvents that escaped sealing. It only reads.
import type { Queryable } from '../../fhir/index.ts';
import { chainHash, genesisHash } from './chain.ts';

export interface AuditBrokenLink {
  /** Chain position where the chain stops being trustworthy (after a gap: the first link after it). */
  seq: number;
  /** fhir_resource_history.seq the link sealed. */
  historySeq: number;
  /** AuditEvent id the link sealed. */
  resourceId: string;
  reason: string;
}

export interface AuditUnchainedRecord {
  /** AuditEvent id, when still known. */
  resourceId?: string;
  historySeq?: number;
  reason: string;
}

export interface AuditVerifyReport {
  /** No broken link and nothing unchained. */
  ok: boolean;
  /** Links verified intact (before the first broken one). */
  checked: number;
  /** AuditEvents queued for the sealer. */
  unsealed: number;
  /** Age of the oldest queued AuditEvent (from its lastUpdated). */
  oldestUnsealedSeconds?: number;
  firstBroken?: AuditBrokenLink;
  /** AuditEvents that are neither sealed nor queued: written past the trigger, or removed before sealing. */
  unchained: number;
  firstUnchained?: AuditUnchainedRecord;
}

export interface VerifyOptions {
  /** Links read per query. Default 2000. */
  batchSize?: number;
}

interface LinkRow {
  seq: string;
  history_seq: string;
  resource_id: string;
  prev_hash: string;
  hash: string;
  h_seq: string | null;
  h_type: string | null;
  h_id: string | null;
  h_version: number | null;
  h_deleted: boolean | null;
  content: string | null;
  r_version: number | null;
  r_deleted: boolean | null;
  r_same: boolean | null;
}

// The current row is compared as text: jsonb equality would take 1.0 and 1.00 for the same number,
// while the hash covers the exact text.
const selectLinks = `SELECT c.seq::text AS seq, c.history_seq::text AS history_seq, c.resource_id, c.prev_hash, c.hash,
    h.seq::text AS h_seq, h.resource_type AS h_type, h.id AS h_id, h.version_id AS h_version, h.deleted AS h_deleted,
    h.content::text AS content,
    r.version_id AS r_version, r.deleted AS r_deleted, r.content::text IS NOT DISTINCT FROM h.content::text AS r_same
  FROM audit_chain c
  LEFT JOIN fhir_resource_history h ON h.seq = c.history_seq
  LEFT JOIN fhir_resource r ON r.resource_type = 'AuditEvent' AND r.id = c.resource_id
  WHERE c.seq > $1::bigint
  ORDER BY c.seq
  LIMIT $2`;

/** Why this link fails, or undefined when it holds. `expectedSeq` and `prevHash` come from the link before. */
function checkLink(row: LinkRow, expectedSeq: bigint, prevHash: string): string | undefined {
  const seq = BigInt(row.seq);
  if (seq !== expectedSeq) {
    return expectedSeq === seq - 1n
      ? `link ${expectedSeq} is missing before this one (removed from audit_chain)`
      : `links ${expectedSeq}–${seq - 1n} are missing before this one (removed from audit_chain)`;
  }
  if (row.prev_hash !== prevHash) return 'prev_hash does not match the hash of the previous link (chain rewritten)';
  if (row.h_seq === null) return 'the sealed history row is missing (audit record deleted)';
  if (row.h_type !== 'AuditEvent' || row.h_id !== row.resource_id) {
    return `the sealed history row now belongs to ${row.h_type}/${row.h_id} (record altered)`;
  }
  if (row.h_version !== 1 || row.h_deleted) return `the sealed history row was altered to version ${row.h_version}${row.h_deleted ? ', deleted' : ''}`;
  if (chainHash(row.prev_hash, row.history_seq, row.resource_id, row.content ?? '') !== row.hash) {
    return 'content changed after sealing (hash mismatch)';
  }
  if (row.r_version === null) return 'the current row is missing from fhir_resource (audit record deleted)';
  if (row.r_deleted) return 'the current row in fhir_resource is marked deleted';
  if (row.r_version !== 1) return `the current row in fhir_resource is at version ${row.r_version}, not 1`;
  if (!row.r_same) return 'the current row in fhir_resource differs from the sealed content';
  return undefined;
}

/** Walks the whole chain and reports the first broken link, if any. Reads only. */
export async function verifyAuditChain(db: Queryable, options: VerifyOptions = {}): Promise<AuditVerifyReport> {
  const batchSize = options.batchSize ?? 2000;
  let checked = 0;
  let expectedSeq = 1n;
  let prevHash = genesisHash;
  let firstBroken: AuditBrokenLink | undefined;
  walk: for (;;) {
    const rows = (await db.query<LinkRow>(selectLinks, [(expectedSeq - 1n).toString(), batchSize])).rows;
    for (const row of rows) {
      const reason = checkLink(row, expectedSeq, prevHash);
      if (reason) {
        firstBroken = { seq: Number(row.seq), historySeq: Number(row.history_seq), resourceId: row.resource_id, reason };
        break walk;
      }
      checked++;
      expectedSeq++;
      prevHash = row.hash;
    }
    if (rows.length < batchSize) break;
  }

  const queue = (await db.query<{ unsealed: number; oldest: number | null }>(
    `SELECT count(*)::int AS unsealed, extract(epoch FROM now() - min(h.last_updated))::float8 AS oldest
       FROM audit_unsealed u JOIN fhir_resource_history h ON h.seq = u.history_seq AND h.resource_type = 'AuditEvent'`)).rows[0];
  const unchained = await findUnchained(db);
  const report: AuditVerifyReport = {
    ok: firstBroken === undefined && unchained.count === 0,
    checked,
    unsealed: queue?.unsealed ?? 0,
    unchained: unchained.count,
  };
  if (queue?.oldest !== null && queue?.oldest !== undefined) report.oldestUnsealedSeconds = Math.max(0, queue.oldest);
  if (firstBroken) report.firstBroken = firstBroken;
  if (unchained.first) report.firstUnchained = unchained.first;
  return report;
}

/**
 * AuditEvents neither sealed nor queued. Stored ones (current or history row) got past the queueing
 * trigger (the migration queues those stored before it); queued entries without their AuditEvent
 * history row lost their record before it was sealed.
 * Each query is one statement, so it sees one consistent snapshot even while a sealer works.
 */
async function findUnchained(db: Queryable): Promise<{ count: number; first?: AuditUnchainedRecord }> {
  const stored = (await db.query<{ n: number; first: string | null }>(
    `SELECT count(*)::int AS n, min(id) AS first FROM (
       SELECT r.id FROM fhir_resource r
        WHERE r.resource_type = 'AuditEvent'
          AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.resource_id = r.id)
          AND NOT EXISTS (SELECT 1 FROM fhir_resource_history h JOIN audit_unsealed u ON u.history_seq = h.seq
                           WHERE h.resource_type = 'AuditEvent' AND h.id = r.id)
       UNION
       SELECT h.id FROM fhir_resource_history h
        WHERE h.resource_type = 'AuditEvent'
          AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.history_seq = h.seq)
          AND NOT EXISTS (SELECT 1 FROM audit_unsealed u WHERE u.history_seq = h.seq)
     ) unchained`)).rows[0];
  const lost = (await db.query<{ n: number; first: string | null }>(
    `SELECT count(*)::int AS n, min(u.history_seq)::text AS first FROM audit_unsealed u
      WHERE NOT EXISTS (SELECT 1 FROM fhir_resource_history h WHERE h.seq = u.history_seq AND h.resource_type = 'AuditEvent')`)).rows[0];
  const count = (stored?.n ?? 0) + (lost?.n ?? 0);
  if (stored?.first) {
    return { count, first: { resourceId: stored.first, reason: 'stored but neither sealed nor queued for sealing (written past the audit trigger)' } };
  }
  if (lost?.first) {
    return { count, first: { historySeq: Number(lost.first), reason: 'queued for sealing, but its AuditEvent history row is gone (deleted before sealing)' } };
  }
  return { count };
}
