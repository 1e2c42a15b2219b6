import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createFhirEngine, openDatabase, type Database } from '../../../fhir/index.ts';
import { runImport } from '../../../server/import/run.ts';
import { engineSink } from '../../../server/import/sinks.ts';
import { createTestDatabase, usingPostgres } from '../../helpers/database.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const synthea = join(root, 'test/fixtures/fhir/synthea');

async function countByType(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ resource_type: string; n: string | number }>(
    'SELECT resource_type, count(*) AS n FROM fhir_resource WHERE NOT deleted GROUP BY resource_type');
  return Object.fromEntries(rows.rows.map((r) => [r.resource_type, Number(r.n)]));
}

test('importing Synthea bundles twice stores every resource once and shared organizations once', async (t) => {
  const database = await createTestDatabase();
  try {
    const engine = await createFhirEngine({ db: database.db, timezone: 'Asia/Shanghai' });
    const first = await runImport([synthea], engineSink(engine));
    t.deepEqual(first.failures, []);
    const afterFirst = await countByType(database.db);
    t.is(afterFirst.Patient, 2);
    t.is(first.resources, 408);
    // The two bundles share one Organization and one Practitioner: 408 entries, 406 resources.
    t.is(Object.values(afterFirst).reduce((a, b) => a + b, 0), 406);
    const versionsBefore = await database.db.query('SELECT count(*) AS n FROM fhir_resource_history');
    const second = await runImport([synthea], engineSink(engine));
    t.deepEqual(second.failures, []);
    t.deepEqual(await countByType(database.db), afterFirst);
    const versionsAfter = await database.db.query('SELECT count(*) AS n FROM fhir_resource_history');
    t.deepEqual(versionsAfter.rows, versionsBefore.rows, 'a reload creates no new versions');
    const shared = await database.db.query<{ version_id: number }>('SELECT version_id FROM fhir_resource WHERE resource_type = $1 AND id = $2',
      ['Organization', '465de31f-3098-365c-af70-48a071e1f5aa']);
    t.deepEqual(shared.rows.map((r) => r.version_id), [1]);
    // References were resolved from urn:uuid to the stored ids.
    const unresolved = await database.db.query(`SELECT 1 FROM fhir_resource WHERE content::text LIKE '%urn:uuid:%' LIMIT 1`);
    t.is(unresolved.rows.length, 0);
  } finally {
    await database.drop();
  }
});

test('a failing bundle is reported, leaves nothing behind, and the others still load', async (t) => {
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'his-import-'));
  try {
    const engine = await createFhirEngine({ db: database.db, timezone: 'Asia/Shanghai' });
    writeFileSync(join(dir, 'a-good.json'), JSON.stringify({ resourceType: 'Patient', id: 'imp-good', name: [{ family: 'Good' }] }));
    writeFileSync(join(dir, 'b-bad.json'), JSON.stringify({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Patient', id: 'imp-bad-1' }, request: { method: 'PUT', url: 'Patient/imp-bad-1' } },
        { resource: { resourceType: 'Patient', id: 'imp-bad-2', gender: 'robot' }, request: { method: 'PUT', url: 'Patient/imp-bad-2' } },
      ],
    }));
    writeFileSync(join(dir, 'c-broken.json'), '{"resourceType": "Bundle", ');
    writeFileSync(join(dir, 'd-lines.ndjson.gz'), gzipSync(
      [1, 2, 3].map((i) => JSON.stringify({ resourceType: 'Patient', id: `imp-nd-${i}`, name: [{ family: `Nd${i}` }] })).join('\n') + '\n'));
    const summary = await runImport([dir], engineSink(engine));
    t.deepEqual(summary.failures.map((f) => f.file.split('/').pop()), ['b-bad.json', 'c-broken.json']);
    const ids = (await database.db.query<{ id: string }>('SELECT id FROM fhir_resource ORDER BY id')).rows.map((r) => r.id);
    t.deepEqual(ids, ['imp-good', 'imp-nd-1', 'imp-nd-2', 'imp-nd-3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
});

/** Bundles whose resources carry their bundle number, so a partial bundle would be visible. */
function writeMarkedBundles(dir: string, bundles: number, perBundle: number): void {
  for (let b = 0; b < bundles; b++) {
    const entry = Array.from({ length: perBundle }, (_, i) => ({
      resource: { resourceType: 'Basic', id: `kill-${b}-${i}`, code: { text: `bundle-${b}` } },
      request: { method: 'PUT', url: `Basic/kill-${b}-${i}` },
    }));
    writeFileSync(join(dir, `bundle-${String(b).padStart(3, '0')}.json`), JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
  }
}

test('an import killed with SIGKILL leaves every bundle either fully present or fully absent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'his-kill-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'his-kill-data-'));
  const database = usingPostgres() ? await createTestDatabase() : undefined;
  if (database) await database.db.close();
  const bundles = 150;
  const perBundle = 200;
  try {
    writeMarkedBundles(dir, bundles, perBundle);
    const env = {
      ...process.env, DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', PORT: '1', LOG_LEVEL: 'silent',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/import.ts'), dir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let progressLines = 0;
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        progressLines += (chunk.toString().match(/files ·/g) ?? []).length;
        if (progressLines >= 5 && !child.killed) {
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    t.true(progressLines >= 5, 'the import had started');

    const db = await openDatabase(database ? { databaseUrl: database.url } : { dataDir });
    try {
      const rows = await db.query<{ bundle: string; n: string | number }>(
        `SELECT content->'code'->>'text' AS bundle, count(*) AS n FROM fhir_resource WHERE resource_type = 'Basic' GROUP BY 1`);
      const counts = rows.rows.map((r) => Number(r.n));
      t.true(counts.every((n) => n === perBundle), `partial bundles: ${JSON.stringify(rows.rows.filter((r) => Number(r.n) !== perBundle))}`);
      t.true(rows.rows.length < bundles, 'the kill happened before the end');
    } finally {
      await db.close();
    }

    // Running the import again completes the job.
    const rerun = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/import.ts'), dir], { env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => rerun.on('exit', resolve));
    t.is(code, 0);
    const db2 = await openDatabase(database ? { databaseUrl: database.url } : { dataDir });
    try {
      const total = await db2.query<{ n: string | number }>(`SELECT count(*) AS n FROM fhir_resource WHERE resource_type = 'Basic'`);
      t.is(Number(total.rows[0].n), bundles * perBundle);
    } finally {
      await db2.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    if (database) await database.drop();
  }
});
