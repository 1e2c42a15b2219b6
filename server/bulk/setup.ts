// Bulk Data export wired to a database: its jobs table and the runner that writes the files.
import { fileURLToPath } from 'node:url';
import { migrate, type Database } from '../../fhir/index.ts';
import { ExportJobs } from './jobs.ts';
import { ExportRunner, type RunnerOptions } from './runner.ts';

const migrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'bulk' };

export async function setUpBulkExport(db: Database, options: Omit<RunnerOptions, 'db' | 'jobs'>): Promise<{ jobs: ExportJobs; runner: ExportRunner }> {
  await migrate(db, migrations);
  const jobs = new ExportJobs(db);
  return { jobs, runner: new ExportRunner({ ...options, db, jobs }) };
}
