// Stores the AuditEvents of reads, failures and log-ins in batches: one multi-row write per batch
// keeps auditing off the answer's path (a read answers before its record is written, and thousands
// of records cost one statement). Successful reads of one patient's record by one agent within a
// batch share one AuditEvent (event.ts readCoalesceKey): every resource read is still named, and the
// event's period says when. Writes do not come here: theirs commit with them (fhir/rest/audited.ts).
// A read's record is stored within `delayMs` of the answer; a crash in that window loses it.
import type { Repository, Resource } from '../../fhir/index.ts';
import { coalesceInto, readCoalesceKey } from './event.ts';

const maxEntitiesPerEvent = 200;

export interface AuditWriterOptions {
  /** Most events held before a write starts at once. */
  maxBatch?: number;
  /** Longest an event waits for company before it is written. */
  delayMs?: number;
  log: { error(obj: object, msg: string): void };
}

export class AuditWriter {
  readonly #repo: Repository;
  readonly #maxBatch: number;
  readonly #delayMs: number;
  readonly #log: AuditWriterOptions['log'];
  #queue: Resource[] = [];
  /** Events in the queue that later reads may still fold into, by coalesce key. */
  #open = new Map<string, Resource>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(repo: Repository, options: AuditWriterOptions) {
    this.#repo = repo;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#delayMs = options.delayMs ?? 500;
    this.#log = options.log;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  defer(event: Resource): void {
    const key = readCoalesceKey(event);
    if (key !== undefined) {
      const open = this.#open.get(key);
      if (open && coalesceInto(open, event, maxEntitiesPerEvent)) return;
      this.#open.set(key, event);
    }
    this.#queue.push(event);
    if (this.#queue.length >= this.#maxBatch) void this.flush();
    else if (!this.#timer && !this.#closed) this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
  }

  /**
   * Writes everything queued so far; resolves when it is stored. What arrives meanwhile waits for the
   * next batch (so reads keep folding into open events while a write is in progress).
   */
  flush(): Promise<void> {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    const taken = this.#queue.splice(0);
    this.#open.clear();
    if (taken.length === 0) return this.#writing;
    this.#writing = this.#writing.then(async () => {
      for (let i = 0; i < taken.length; i += this.#maxBatch) {
        const batch = taken.slice(i, i + this.#maxBatch);
        try {
          await this.#repo.transaction(async (tx) => {
            for (const event of batch) await tx.create(event);
          });
        } catch (err) {
          // Never lose the record silently: keep what is left for the next attempt and say so.
          this.#queue.unshift(...taken.slice(i));
          this.#log.error({ err: { message: (err as Error).message }, events: taken.length - i }, 'Writing audit events failed; will retry');
          if (!this.#closed && !this.#timer) this.#timer = setTimeout(() => void this.flush(), 1000);
          return;
        }
      }
    });
    return this.#writing;
  }

  /** Flushes and stops taking timers (the server is stopping). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
