// Runs export jobs in the background, one at a time per process: each type's rows stream from the
// database into an NDJSON file (fhir/bulk/export-rows.ts), with back-pressure, so memory does not grow
// with the export. A job cancelled meanwhile stops at the next page and its files are removed.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Queryable } from '../../fhir/index.ts';
import { exportRows } from '../../fhir/bulk/export-rows.ts';
import type { TypeFilter } from '../../fhir/bulk/type-filter.ts';
import type { ExportJob, ExportJobs, OutputFile } from './jobs.ts';

export interface RunnerOptions {
  db: Queryable;
  jobs: ExportJobs;
  /** Where job folders live (EXPORT_DIR). */
  dir: string;
  /** Finished jobs and their files are removed after this long. */
  retentionMs: number;
  /** Parses a `_typeFilter` query kept with the job (fhir/bulk/type-filter.ts). */
  parseFilter(text: string): TypeFilter;
  /** Absolute URL of a job's file, as the manifest gives it. */
  fileUrl(jobId: string, file: string): string;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export class ExportRunner {
  readonly #o: RunnerOptions;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RunnerOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    await this.#o.jobs.requeueInterrupted();
    // Queued work of other processes, and clean-up of expired jobs.
    this.#timer = setInterval(() => {
      void this.#removeExpired();
      this.nudge();
    }, 5000);
    this.#timer.unref();
    this.nudge();
  }

  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().catch((err: Error) => this.#o.log.warn({ err: err.message }, 'Bulk export runner failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.nudge();
        }
      });
  }

  /** Resolves when no job is running in this process (tests wait on it). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  jobDir(jobId: string): string {
    return join(this.#o.dir, jobId);
  }

  async removeFiles(jobId: string): Promise<void> {
    await rm(this.jobDir(jobId), { recursive: true, force: true });
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const job = await this.#o.jobs.claim();
      if (!job) return;
      try {
        const output = await this.#run(job);
        if (output === null || !(await this.#o.jobs.complete(job.id, output))) await this.removeFiles(job.id);
      } catch (err) {
        this.#o.log.warn({ job: job.id, err: (err as Error).message }, 'Bulk export job failed');
        await this.#o.jobs.fail(job.id, 'The export failed on the server; start a new one');
        await this.removeFiles(job.id);
      }
    }
  }

  /** Writes the job's files; null when it was cancelled on the way. */
  async #run(job: ExportJob): Promise<OutputFile[] | null> {
    const dir = this.jobDir(job.id);
    await mkdir(dir, { recursive: true });
    const output: OutputFile[] = [];
    const { types, since, patients, typeFilters } = job.scope;
    for (const [i, type] of types.entries()) {
      if (!(await this.#o.jobs.progress(job.id, `${type} (${i + 1} of ${types.length} types)`))) return null;
      const file = `${type}.ndjson`;
      let stream: WriteStream | undefined;
      let count = 0;
      const filters = typeFilters?.[type]?.map((text) => this.#o.parseFilter(text).request);
      for await (const lines of exportRows(this.#o.db, type, { since, patients, filters })) {
        stream ??= createWriteStream(join(dir, file));
        if (!stream.write(`${lines.join('\n')}\n`)) await once(stream, 'drain');
        count += lines.length;
        if (this.#stopped) {
          stream.destroy();
          return null;
        }
      }
      if (stream) {
        stream.end();
        await once(stream, 'finish');
        // Types without data get no file (the IG: output lists files that exist).
        output.push({ type, url: this.#o.fileUrl(job.id, file), count, file });
      }
    }
    return output;
  }

  async #removeExpired(): Promise<void> {
    try {
      for (const id of await this.#o.jobs.expired(new Date(Date.now() - this.#o.retentionMs))) await this.removeFiles(id);
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'Could not remove expired bulk exports');
    }
  }
}
