// Export jobs in the database (migrations/001-bulk-export.sql).
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../fhir/index.ts';

export type JobStatus = 'accepted' | 'in-progress' | 'completed' | 'failed' | 'cancelled';

export interface ExportScopeData {
  level: 'system' | 'patient' | 'group';
  types: string[];
  since?: string;
  /** Patient- and Group-level: the patients whose compartments bound the export; absent = all patients. */
  patients?: string[];
  groupId?: string;
  /** `_typeFilter` queries by type: a type's file holds what matches one of them. */
  typeFilters?: Record<string, string[]>;
}

export interface OutputFile { type: string; url: string; count: number; file: string }

export interface ExportJob {
  id: string;
  owner: string;
  status: JobStatus;
  requestUrl: string;
  scope: ExportScopeData;
  transactionTime: string;
  progress: string | null;
  output: OutputFile[] | null;
  error: string | null;
}

interface Row {
  id: string; owner: string; status: JobStatus; request_url: string; scope: ExportScopeData;
  transaction_time: Date | string; progress: string | null; output: OutputFile[] | null; error: string | null;
}

const toJob = (r: Row): ExportJob => ({
  id: r.id, owner: r.owner, status: r.status, requestUrl: r.request_url, scope: r.scope,
  transactionTime: new Date(r.transaction_time).toISOString(), progress: r.progress, output: r.output, error: r.error,
});

export class ExportJobs {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async create(owner: string, requestUrl: string, scope: ExportScopeData): Promise<ExportJob> {
    const row = (await this.#db.query<Row>(
      `INSERT INTO bulk_export_job (id, owner, status, request_url, scope) VALUES ($1, $2, 'accepted', $3, $4::text::jsonb) RETURNING *`,
      [randomUUID(), owner, requestUrl, JSON.stringify(scope)])).rows[0]!;
    return toJob(row);
  }

  async get(id: string): Promise<ExportJob | null> {
    const row = (await this.#db.query<Row>('SELECT * FROM bulk_export_job WHERE id = $1', [id])).rows[0];
    return row ? toJob(row) : null;
  }

  /** Takes the oldest accepted job (another process may take others at the same time). */
  async claim(): Promise<ExportJob | null> {
    const row = (await this.#db.query<Row>(
      `UPDATE bulk_export_job SET status = 'in-progress', transaction_time = now(), progress = 'started'
        WHERE id = (SELECT id FROM bulk_export_job WHERE status = 'accepted' ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`)).rows[0];
    return row ? toJob(row) : null;
  }

  /** Progress of a running job; false when it was cancelled meanwhile (the runner then stops). */
  async progress(id: string, text: string): Promise<boolean> {
    const res = await this.#db.query(`UPDATE bulk_export_job SET progress = $2 WHERE id = $1 AND status = 'in-progress'`, [id, text]);
    return res.rowCount > 0;
  }

  async complete(id: string, output: OutputFile[]): Promise<boolean> {
    const res = await this.#db.query(
      `UPDATE bulk_export_job SET status = 'completed', progress = 'complete', output = $2::text::jsonb, finished_at = now() WHERE id = $1 AND status = 'in-progress'`,
      [id, JSON.stringify(output)]);
    return res.rowCount > 0;
  }

  async fail(id: string, error: string): Promise<void> {
    await this.#db.query(`UPDATE bulk_export_job SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'in-progress'`, [id, error]);
  }

  async cancel(id: string): Promise<void> {
    await this.#db.query(`UPDATE bulk_export_job SET status = 'cancelled', finished_at = now() WHERE id = $1`, [id]);
  }

  /** Jobs a dead process left running go back to the queue (at start). */
  async requeueInterrupted(): Promise<void> {
    await this.#db.query(`UPDATE bulk_export_job SET status = 'accepted', progress = NULL WHERE status = 'in-progress'`);
  }

  /** Jobs finished before `before`: their files are removed, then the rows. */
  async expired(before: Date): Promise<string[]> {
    return (await this.#db.query<{ id: string }>(
      `DELETE FROM bulk_export_job WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < $1 RETURNING id`, [before.toISOString()])).rows.map((r) => r.id);
  }
}
