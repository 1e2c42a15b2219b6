// Storing instances: parse and validate each, write its bytes to the blob store, then index the
// whole batch in one database transaction. An instance that fails leaves nothing behind and does
// not stop the others (PS3.18 §10.5: each instance succeeds or fails on its own).
import type { Database } from '../fhir/index.ts';
import type { ParsedInstance } from './types.ts';
import { parseInstance } from './parse.ts';
import { DicomError, FailureReason } from './errors.ts';
import { contentKey, type BlobStore } from './storage/blob-store.ts';
import type { StudyIndex } from './storage/study-index.ts';

export interface IncomingInstance {
  bytes: Buffer;
  /** Transfer syntax named by the part's media type, for bare datasets without File Meta. */
  transferSyntaxUid?: string;
}

export type StoreOutcome =
  | { status: 'stored' | 'duplicate'; sopClassUid: string; sopInstanceUid: string; studyInstanceUid: string; seriesInstanceUid: string; patientId?: string }
  | { status: 'failed'; sopClassUid?: string; sopInstanceUid?: string; failureReason: number; code: string; message: string };

export interface StoreOptions {
  /** STOW-RS to /studies/{study}: instances of other studies fail (PS3.18 §10.5.1). */
  studyInstanceUid?: string;
}

type Listener = (studyInstanceUids: string[]) => void | Promise<void>;

export class DicomStore {
  readonly index: StudyIndex;
  readonly blobs: BlobStore;
  readonly #db: Database;
  readonly #listeners: Listener[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #log?: { error(obj: object, msg: string): void };

  constructor(options: { db: Database; index: StudyIndex; blobs: BlobStore; log?: { error(obj: object, msg: string): void } }) {
    this.#db = options.db;
    this.index = options.index;
    this.blobs = options.blobs;
    this.#log = options.log;
  }

  /** Called after each commit that added instances, with the studies they belong to. */
  onStudiesStored(listener: Listener): void {
    this.#listeners.push(listener);
  }

  /** Resolves when the listeners' work for stores so far is done. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async store(incoming: IncomingInstance[], options: StoreOptions = {}): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = new Array(incoming.length);
    const accepted: { at: number; parsed: ParsedInstance; bytes: Buffer }[] = [];
    const inRequest = new Set<string>();
    incoming.forEach((item, at) => {
      try {
        const parsed = parseInstance(item.bytes, { transferSyntaxUid: item.transferSyntaxUid });
        if (options.studyInstanceUid && parsed.studyInstanceUid !== options.studyInstanceUid) {
          throw new DicomError('study-mismatch', 'The instance belongs to another study than the one in the request path (PS3.18 §10.5.1)',
            FailureReason.dataSetDoesNotMatchSopClass);
        }
        if (inRequest.has(parsed.sopInstanceUid)) {
          outcomes[at] = { status: 'duplicate', ...uids(parsed) };
          return;
        }
        inRequest.add(parsed.sopInstanceUid);
        accepted.push({ at, parsed, bytes: item.bytes });
      } catch (err) {
        outcomes[at] = failure(err);
      }
    });
    if (accepted.length === 0) return outcomes;

    // The files are written while the index rows are, and the transaction commits only after they
    // are on disk: an index row never points at a missing file, and a blob nobody indexes is removed.
    const existing = await this.index.existing(this.#db, accepted.map((a) => a.parsed.sopInstanceUid));
    const toWrite = accepted.filter((a) => !existing.has(a.parsed.sopInstanceUid));
    const keys = new Map(toWrite.map((a) => [a.parsed.sopInstanceUid, contentKey(a.bytes)]));
    const writing = Promise.all(toWrite.map((a) => this.blobs.put(a.bytes, keys.get(a.parsed.sopInstanceUid))));
    let added: Set<string>;
    try {
      added = await this.#db.transaction(async (tx) => {
        const rows = await this.index.add(tx, toWrite.map((a) => ({
          parsed: a.parsed, blobKey: keys.get(a.parsed.sopInstanceUid)!, size: a.bytes.length,
        })));
        await writing;
        return rows;
      });
    } catch (err) {
      await writing.catch(() => undefined);
      await this.#discard([...keys.values()]);
      throw err;
    }
    // Lost a race with a concurrent store of the same instance: its object stays, ours goes.
    await this.#discard(toWrite.filter((a) => !added.has(a.parsed.sopInstanceUid)).map((a) => keys.get(a.parsed.sopInstanceUid)!));
    for (const a of accepted) outcomes[a.at] = { status: added.has(a.parsed.sopInstanceUid) ? 'stored' : 'duplicate', ...uids(a.parsed) };
    const studies = [...new Set(accepted.filter((a) => added.has(a.parsed.sopInstanceUid)).map((a) => a.parsed.studyInstanceUid))];
    if (studies.length > 0) this.#notify(studies);
    return outcomes;
  }

  async #discard(keys: string[]): Promise<void> {
    for (const key of new Set(keys)) {
      if (!(await this.index.blobInUse(key))) await this.blobs.delete(key);
    }
  }

  #notify(studies: string[]): void {
    for (const listener of this.#listeners) {
      const run = (async () => {
        try {
          await listener(studies);
        } catch (err) {
          this.#log?.error({ err: { message: (err as Error).message } }, 'imaging: a studies-stored listener failed');
        }
      })();
      this.#pending.add(run);
      void run.finally(() => this.#pending.delete(run));
    }
  }
}

function uids(p: ParsedInstance) {
  return { sopClassUid: p.sopClassUid, sopInstanceUid: p.sopInstanceUid, studyInstanceUid: p.studyInstanceUid, seriesInstanceUid: p.seriesInstanceUid, patientId: p.patient.id };
}

function failure(err: unknown): StoreOutcome {
  if (err instanceof DicomError) return { status: 'failed', failureReason: err.failureReason, code: err.code, message: err.message };
  return { status: 'failed', failureReason: FailureReason.processingFailure, code: 'unreadable', message: 'The instance could not be processed' };
}

export { contentKey };
