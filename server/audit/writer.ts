// Stores the AuditEvents of reads, failures and log-ins in batches: one multi-row write per batch
// keeps auditing off the answer's path (a read answers before its record is written, and thousands
// of records cost one statement). Writes do not come here: theirs commit with them (fhir/rest/audited.ts).
import type { Repository, Resource } from '../../fhir/index.ts';

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
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(repo: Repository, options: AuditWriterOptions) {
    this.#repo = repo;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#delayMs = options.delayMs ?? 50;
    this.#log = options.log;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  defer(event: Resource): void {
    this.#queue.push(event);
    if (this.#queue.length >= this.#maxBatch) void this.flush();
    else if (!this.#timer && !this.#closed) this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
  }

  /** Writes everything queued so far; resolves when it is stored. */
  flush(): Promise<void> {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    this.#writing = this.#writing.then(async () => {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          await this.#repo.transaction(async (tx) => {
            for (const event of batch) await tx.create(event);
          });
        } catch (err) {
          // Never lose the record silently: keep the batch for the next attempt and say so.
          this.#queue.unshift(...batch);
          this.#log.error({ err: { message: (err as Error).message }, events: batch.length }, 'Writing audit events failed; will retry');
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
