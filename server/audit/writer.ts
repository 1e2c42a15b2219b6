// Stores the AuditEvents of reads, failures and log-ins in batches: one multi-row write per batch
// keeps auditing off the answer's path (a read answers before its record is written, and thousands
// of records cost one statement). Successful reads of one patient's record by one agent within a
// batch share one AuditEvent (event.ts readKeyOf): every resource read is still named, and the
// event's period says when. Writes do not come here: theirs commit with them (fhir/rest/audited.ts).
// A read's record is stored within `delayMs` of the answer; a crash in that window loses it.
import type { InteractionRecord, Repository, Resource } from '../../fhir/index.ts';
import type { Caller } from '../auth/caller.ts';
import { fhirAuditEvents, queryEntity, readKeyOf, recordQuery, resourceEntity, resourceReference, type RequestOrigin } from './event.ts';

const maxEntitiesPerEvent = 200;

interface OpenEvent {
  event: Resource;
  /** References already named by the event. */
  named: Set<string>;
  /** Query strings already named by the event. */
  queries: Set<string>;
  /** When the last read folded in, if any did. */
  lastMs?: number;
}

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
  #open = new Map<string, OpenEvent>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(repo: Repository, options: AuditWriterOptions) {
    this.#repo = repo;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#delayMs = options.delayMs ?? 1000;
    this.#log = options.log;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Takes an event to write in the next batch. */
  defer(event: Resource): void {
    this.#queue.push(event);
    if (this.#queue.length >= this.#maxBatch) void this.flush();
    else if (!this.#timer && !this.#closed) this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
  }

  /**
   * Records a FHIR read or failure. A successful read by the same agent of the same patient's record
   * as an event still open in this batch is added to it (its resources named, its period widened)
   * without building an event of its own.
   */
  deferRecord(record: InteractionRecord, caller: Caller, origin: RequestOrigin): void {
    const read = readKeyOf(record, caller, origin);
    if (read) {
      const open = this.#open.get(read.key);
      if (open && this.#extend(open, record)) return;
    }
    const events = fhirAuditEvents(record, caller, origin);
    if (read && events.length === 1) {
      const query = recordQuery(record);
      this.#open.set(read.key, {
        event: events[0]!, named: new Set(record.touched.filter((t) => t.resourceType !== 'Patient').map(resourceReference)),
        queries: new Set(query !== undefined ? [query] : []),
      });
    }
    for (const event of events) this.defer(event);
  }

  #extend(open: OpenEvent, record: InteractionRecord): boolean {
    const event = open.event as unknown as { entity: Record<string, unknown>[] };
    const fresh: string[] = [];
    for (const t of record.touched) {
      if (t.resourceType === 'Patient') continue;
      const ref = resourceReference(t);
      if (!open.named.has(ref) && !fresh.includes(ref)) fresh.push(ref);
    }
    const query = recordQuery(record);
    const newQuery = query !== undefined && !open.queries.has(query);
    if (event.entity.length + fresh.length + (newQuery ? 1 : 0) > maxEntitiesPerEvent) return false;
    for (const ref of fresh) {
      open.named.add(ref);
      event.entity.push(resourceEntity(ref));
    }
    if (newQuery) {
      // Queries are kept, each once: a search's AuditEvent says what was asked.
      open.queries.add(query!);
      event.entity.push(queryEntity(record, query!));
    }
    open.lastMs = Date.now();
    return true;
  }

  /** An open event's period spans its first and last read (set when the batch is taken). */
  #close(open: OpenEvent): void {
    if (open.lastMs === undefined) return;
    const event = open.event as unknown as { recorded: string; period?: { start: string; end: string } };
    const end = new Date(open.lastMs).toISOString();
    event.period = { start: event.recorded, end };
    event.recorded = end;
  }

  /**
   * Writes everything queued so far; resolves when it is stored. What arrives meanwhile waits for the
   * next batch (so reads keep folding into open events while a write is in progress).
   */
  flush(): Promise<void> {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    const taken = this.#queue.splice(0);
    for (const open of this.#open.values()) this.#close(open);
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
