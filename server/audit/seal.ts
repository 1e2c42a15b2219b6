// The sealer: links AuditEvents queued in audit_unsealed into audit_chain (see chain.ts), a batch per
// transaction. Only one sealer works at a time across every process sharing the database: the
// others find the advisory lock taken and leave the work to it, so the chain never forks.
import type { Database, Queryable } from '../../fhir/index.ts';
import { chainHash, genesisHash } from './chain.ts';

/** Advisory lock key of the sealer (8260001 is the migrations'). */
export const sealLockKey = 8260002;

export interface SealOptions {
  /** Most records sealed by one call (one transaction). Default 5000. */
  batchSize?: number;
}

interface SealResult {
  sealed: number;
  /** The chain's last link after this batch (absent when the chain is empty). */
  head?: { seq: string; hash: string };
}

interface QueuedRow { history_seq: string; id: string; content: string | null }

async function sealBatch(tx: Queryable, batchSize: number): Promise<SealResult> {
  const locked = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [sealLockKey]);
  if (!locked.rows[0]?.locked) return { sealed: 0 };
  // Read after taking the lock: under READ COMMITTED this statement sees what the previous
  // holder committed.
  const tail = (await tx.query<{ seq: string; hash: string }>(
    'SELECT c.seq::text AS seq, c.hash FROM audit_chain c ORDER BY c.seq DESC LIMIT 1')).rows[0];
  // An entry without its AuditEvent history row (removed before it was sealed) cannot be hashed;
  // it stays queued, and verification reports it.
  const queued = (await tx.query<QueuedRow>(
    `SELECT u.history_seq::text AS history_seq, h.id, h.content::text AS content
       FROM audit_unsealed u JOIN fhir_resource_history h ON h.seq = u.history_seq AND h.resource_type = 'AuditEvent'
      ORDER BY u.history_seq LIMIT $1`, [batchSize])).rows;
  if (queued.length === 0) return { sealed: 0, head: tail };
  let prev = tail?.hash ?? genesisHash;
  let seq = BigInt(tail?.seq ?? 0);
  const seqs: string[] = [];
  const prevHashes: string[] = [];
  const hashes: string[] = [];
  for (const row of queued) {
    seq += 1n;
    const hash = chainHash(prev, row.history_seq, row.id, row.content ?? '');
    seqs.push(seq.toString());
    prevHashes.push(prev);
    hashes.push(hash);
    prev = hash;
  }
  const historySeqs = queued.map((r) => r.history_seq);
  await tx.query(
    `INSERT INTO audit_chain (seq, history_seq, resource_id, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])`,
    [seqs, historySeqs, queued.map((r) => r.id), prevHashes, hashes]);
  await tx.query('DELETE FROM audit_unsealed WHERE history_seq = ANY($1::bigint[])', [historySeqs]);
  return { sealed: queued.length, head: { seq: seq.toString(), hash: prev } };
}

/**
 * Seals up to `batchSize` queued AuditEvents, oldest history first, in one transaction. Returns how
 * many; 0 also when another sealer holds the lock right now.
 */
export async function sealAuditChain(db: Database, options: SealOptions = {}): Promise<number> {
  return (await db.transaction((tx) => sealBatch(tx, options.batchSize ?? 5000))).sealed;
}

/** The part of a pino logger the sealer uses. */
export interface SealerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditSealerOptions extends SealOptions {
  /** Pause between seals. Default 1000 ms. */
  intervalMs?: number;
  log?: SealerLog;
}

export interface AuditSealer {
  /** Seals everything committed so far (after any seal in progress); returns how many were sealed. */
  sealNow(): Promise<number>;
  /** Stops the timer and waits for a seal in progress. */
  stop(): Promise<void>;
}

/**
 * Seals periodically in the background. The timer does not keep the process alive, and a failed
 * seal is logged and retried at the next tick: records stay queued until sealed.
 * Each seal that links records logs the new head (seq, hash): log files kept elsewhere then anchor
 * the chain, so that even truncating its tail together with the records becomes evident.
 */
export function startAuditSealer(db: Database, options: AuditSealerOptions = {}): AuditSealer {
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 5000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Seals run one after the other, never overlapping within this process.
  let queue: Promise<unknown> = Promise.resolve();

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const result = await db.transaction((tx) => sealBatch(tx, batchSize));
      total += result.sealed;
      if (result.sealed > 0) {
        options.log?.info({ sealed: result.sealed, headSeq: result.head?.seq, headHash: result.head?.hash }, 'Sealed audit records');
      }
      if (result.sealed < batchSize || stopped) return total;
    }
  };

  const enqueue = (): Promise<number> => {
    const run = queue.then(drain);
    queue = run.catch(() => undefined);
    return run;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      enqueue()
        .catch((err: unknown) => options.log?.error({ err }, 'Sealing audit records failed; retrying at the next tick'))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    sealNow: () => (stopped ? Promise.reject(new Error('The audit sealer was stopped')) : enqueue()),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await queue;
    },
  };
}
