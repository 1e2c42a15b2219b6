// Loads bench:chart's population through the engine's own repository, straight into the database:
// many patients per transaction, so each commit is one multi-row flush of resources and their
// search-index rows (fhir/storage/write-buffer.ts). Resumable: each committed batch is recorded in
// the same transaction (bench_chart_batch), and a finished load in bench_chart_state, so a second
// run on the same database skips what is already there.
import type { Database, FhirEngine, Resource } from '../../fhir/index.ts';
import { heavyPatient, identities, patientCopy, type Fixtures } from './chart-data.ts';

export interface Scale {
  patients: number;
  /** Clinical resources per ordinary patient, at least (whole encounters are taken). */
  perPatient: number;
  heavyEncounters: number;
  /** Patients per transaction. */
  batch: number;
}

export interface LoadResult {
  heavyPatientId: string;
  /** Resources written by this run (0 when everything was already loaded). */
  written: number;
  seconds: number;
  resumed: boolean;
}

const paramsOf = (s: Scale) => ({ patients: s.patients, perPatient: s.perPatient, heavyEncounters: s.heavyEncounters, batch: s.batch, version: 1 });

async function prepare(db: Database): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS bench_chart_state (id int PRIMARY KEY, params jsonb NOT NULL, heavy_patient text, done boolean NOT NULL DEFAULT false,
    resources bigint, seconds double precision)`);
  await db.query('CREATE TABLE IF NOT EXISTS bench_chart_batch (batch int PRIMARY KEY)');
}

/** What a previous run loaded, or null; throws when the database holds another scale. */
export async function loadedState(db: Database, scale: Scale): Promise<{ done: boolean; heavyPatient: string | null } | null> {
  await prepare(db);
  const row = (await db.query<{ params: unknown; done: boolean; heavy_patient: string | null }>('SELECT params, done, heavy_patient FROM bench_chart_state WHERE id = 1')).rows[0];
  if (!row) return null;
  const stored = typeof row.params === 'string' ? JSON.parse(row.params) : row.params;
  const wanted = paramsOf(scale);
  if (Object.entries(wanted).some(([k, v]) => (stored as Record<string, unknown>)[k] !== v)) {
    throw new Error(`The bench database holds another scale (${JSON.stringify(stored)}); run with --reset or another database`);
  }
  return { done: row.done, heavyPatient: row.heavy_patient };
}

async function writeAll(engine: FhirEngine, resources: Resource[], batch: number): Promise<void> {
  await engine.repo.transaction(async (repo, sql) => {
    for (const r of resources) await repo.create(r, { assignedId: r.id });
    await sql.query('INSERT INTO bench_chart_batch (batch) VALUES ($1)', [batch]);
  });
}

/** Runs `worker` over 0..n-1 with `concurrency` in flight. */
async function pool(n: number, concurrency: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await worker(next++);
  }));
}

export async function loadPopulation(engine: FhirEngine, fixtures: Fixtures, scale: Scale, log: (line: string) => void): Promise<LoadResult> {
  const db = engine.db;
  const state = await loadedState(db, scale);
  const people = identities(fixtures.templates, scale.patients + 1);
  const heavy = heavyPatient(fixtures, people[scale.patients]!, scale.heavyEncounters);
  if (state?.done) return { heavyPatientId: heavy.patientId, written: 0, seconds: 0, resumed: false };
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  if (!state) {
    await db.query('INSERT INTO bench_chart_state (id, params, heavy_patient) VALUES (1, $1::text::jsonb, $2)', [JSON.stringify(paramsOf(scale)), heavy.patientId]);
  }
  const done = new Set((await db.query<{ batch: number }>('SELECT batch FROM bench_chart_batch')).rows.map((r) => r.batch));
  if (done.size > 0) log(`resuming: ${done.size} batches already loaded`);
  let written = 0;
  // Organizations and Practitioners (batch -1), then the heavy patient's chunks (-2, -3, …): small, so before the rest.
  if (!done.has(-1)) {
    await engine.repo.transaction(async (repo, sql) => {
      for (const r of fixtures.shared) await repo.update(r);
      await sql.query('INSERT INTO bench_chart_batch (batch) VALUES (-1)');
    });
    written += fixtures.shared.length;
  }
  for (const [c, chunk] of heavy.chunks.entries()) {
    if (done.has(-2 - c)) continue;
    await writeAll(engine, chunk, -2 - c);
    written += chunk.length;
  }
  log(`heavy patient: ${heavy.encounters} encounters, ${heavy.chunks.reduce((n, c) => n + c.length, 0)} resources`);
  const batches = Math.ceil(scale.patients / scale.batch);
  const todo = Array.from({ length: batches }, (_, b) => b).filter((b) => !done.has(b));
  let lastLog = 0;
  // On PostgreSQL two transactions in flight: one is validated and indexed in this process while the
  // database writes the other. PGlite has one connection, so a second would only wait.
  await pool(todo.length, db.kind === 'postgres' ? 2 : 1, async (i) => {
    const b = todo[i]!;
    const resources: Resource[] = [];
    for (let k = b * scale.batch; k < Math.min(scale.patients, (b + 1) * scale.batch); k++) {
      resources.push(...patientCopy(fixtures, k, people[k]!, scale.perPatient).resources);
    }
    await writeAll(engine, resources, b);
    written += resources.length;
    if (seconds() - lastLog >= 15) {
      lastLog = seconds();
      log(`${i + 1}/${todo.length} batches, ${written.toLocaleString('en')} resources, ${Math.round(written / seconds()).toLocaleString('en')} resources/s`);
    }
  });
  await db.query('UPDATE bench_chart_state SET done = true, resources = $1, seconds = $2 WHERE id = 1', [written, seconds()]);
  return { heavyPatientId: heavy.patientId, written, seconds: seconds(), resumed: done.size > 0 };
}
