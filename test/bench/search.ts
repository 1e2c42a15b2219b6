// npm run bench:search [-- --db pglite|postgres] [--copies 8] [--reps 40] [--synthea DIR]
// Loads ../shared/data/fhir/synthea `copies` times (every id and reference rewritten per copy, so
// 8 copies ≈ 105 k resources), then for realistic queries reports first-page p50/p99 over HTTP and
// full-download resources/s (following `next` links), next to a hand-written SQL equivalent on the
// same tables in the same run, and whether the compiled SQL's plan scans a large table sequentially.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type Resource } from '../../fhir/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';
import { idempotentTransaction } from '../../server/import/idempotent.ts';
import { engineSink } from '../../server/import/sinks.ts';
import { createPostgresDatabase } from '../helpers/database.ts';
import { parseSearch } from '../../fhir/search/parse.ts';
import { compileSearch } from '../../fhir/search/sql.ts';
import { defaultRegistry } from '../../fhir/definitions/search-parameters.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const kind = arg('db', 'postgres') as 'pglite' | 'postgres';
const copies = Number(arg('copies', '8'));
const reps = Number(arg('reps', '40'));
const syntheaDir = arg('synthea', join(root, '../shared/data/fhir/synthea'));

/** Copy `k` of a Synthea bundle: every UUID gets a suffix, so copies never collide. */
function copyOf(bundle: Resource, k: number): Resource {
  if (k === 0) return bundle;
  const text = JSON.stringify(bundle).replace(/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g, `$1-c${k}`);
  return JSON.parse(text) as Resource;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, value];
}

/**
 * fetch with one retry: the server closes idle keep-alive connections after 5 s (Node's default),
 * and a slow reference query between two requests can outlast that.
 */
async function get(url: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch {
    return fetch(url);
  }
}

interface Query { name: string; type: string; query: string; reference: (db: Database) => Promise<unknown> }

async function main(): Promise<void> {
  let db: Database;
  let cleanup: () => Promise<void>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'his-bench-search-'));
    db = await openDatabase({ dataDir: dir });
    cleanup = async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); };
  } else {
    const created = await createPostgresDatabase(loadConfig().databaseUrl ?? 'postgres://root@127.0.0.1:5432/test', 'his_bench');
    db = created.db;
    cleanup = created.drop;
  }
  const app = await createServer(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port: 0, seedDemo: false }), { db });
  await app.server.start();
  const base = `http://127.0.0.1:${app.server.info.port}/fhir`;
  try {
    const files = readdirSync(syntheaDir).filter((f) => f.endsWith('.json')).sort();
    const bundles = files.map((f) => idempotentTransaction(JSON.parse(readFileSync(join(syntheaDir, f), 'utf8')) as Resource));
    const sink = engineSink(app.engine);
    const [loadMs] = await time(async () => {
      for (let k = 0; k < copies; k++) for (const b of bundles) await sink.submit(copyOf(b, k));
    });
    const total = Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM fhir_resource')).rows[0].n);
    // A server's autovacuum would have analysed by now; PGlite relies on the engine's own ANALYZE.
    if (kind === 'postgres') await db.query('ANALYZE');
    await app.engine.idle();
    console.log(`# bench:search — ${kind}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${total.toLocaleString('en')} resources `
      + `(${copies} copies of ${files.length} Synthea bundles, loaded in ${(loadMs / 1000).toFixed(1)} s), ${reps} repetitions`);

    // Pick real values so that every query has matches.
    const patient = (await db.query<{ id: string; family: string; mrn: string }>(`SELECT r.id, s.value AS family,
        (SELECT code FROM fhir_sp_token t WHERE t.resource_type = 'Patient' AND t.id = r.id AND t.param = 'identifier' AND t.system = 'http://hospital.smarthealthit.org' LIMIT 1) AS mrn
      FROM fhir_resource r JOIN fhir_sp_string s ON s.resource_type = 'Patient' AND s.id = r.id AND s.param = 'family'
      WHERE r.resource_type = 'Patient' ORDER BY r.id LIMIT 1`)).rows[0];
    const prefix = patient.family.slice(0, 3);
    const queries: Query[] = [
      {
        name: 'patient by name prefix', type: 'Patient', query: `name=${encodeURIComponent(prefix)}`,
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r WHERE r.resource_type = 'Patient' AND NOT r.deleted AND EXISTS
          (SELECT 1 FROM fhir_sp_string s WHERE s.resource_type = 'Patient' AND s.id = r.id AND s.param = 'name' AND s.value_norm LIKE $1)
          ORDER BY r.id LIMIT 20`, [prefix.toLowerCase() + '%']),
      },
      {
        name: 'patient by identifier', type: 'Patient', query: `identifier=${encodeURIComponent(`http://hospital.smarthealthit.org|${patient.mrn}`)}`,
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r JOIN fhir_sp_token t ON t.resource_type = r.resource_type AND t.id = r.id
          WHERE r.resource_type = 'Patient' AND t.param = 'identifier' AND t.system = $1 AND t.code = $2 AND NOT r.deleted LIMIT 20`,
          ['http://hospital.smarthealthit.org', patient.mrn]),
      },
      {
        name: 'observations by code and date range', type: 'Observation', query: 'code=http://loinc.org|8302-2&date=ge2010-01-01&date=lt2020-01-01',
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r WHERE r.resource_type = 'Observation' AND NOT r.deleted
          AND EXISTS (SELECT 1 FROM fhir_sp_token t WHERE t.resource_type = 'Observation' AND t.id = r.id AND t.param = 'code' AND t.code = '8302-2' AND t.system = 'http://loinc.org')
          AND EXISTS (SELECT 1 FROM fhir_sp_date x WHERE x.resource_type = 'Observation' AND x.id = r.id AND x.param = 'date' AND x.low >= '2010-01-01' AND x.high < '2020-01-01')
          ORDER BY r.id LIMIT 20`),
      },
      {
        name: 'observations by patient and category', type: 'Observation', query: `patient=Patient/${patient.id}&category=vital-signs`,
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r WHERE r.resource_type = 'Observation' AND NOT r.deleted
          AND EXISTS (SELECT 1 FROM fhir_sp_reference f WHERE f.resource_type = 'Observation' AND f.id = r.id AND f.param = 'patient' AND f.target_id = $1 AND f.target_type = 'Patient')
          AND EXISTS (SELECT 1 FROM fhir_sp_token t WHERE t.resource_type = 'Observation' AND t.id = r.id AND t.param = 'category' AND t.code = 'vital-signs')
          ORDER BY r.id LIMIT 20`, [patient.id]),
      },
      {
        name: 'chained subject:Patient.name', type: 'Observation', query: `subject:Patient.name=${encodeURIComponent(patient.family)}`,
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r WHERE r.resource_type = 'Observation' AND NOT r.deleted
          AND EXISTS (SELECT 1 FROM fhir_sp_reference f JOIN fhir_sp_string s ON s.resource_type = 'Patient' AND s.id = f.target_id AND s.param = 'name'
            WHERE f.resource_type = 'Observation' AND f.id = r.id AND f.param = 'subject' AND f.target_type = 'Patient' AND s.value_norm LIKE $1)
          ORDER BY r.id LIMIT 20`, [patient.family.toLowerCase() + '%']),
      },
      {
        name: '_has:Observation:patient:code', type: 'Patient', query: '_has:Observation:patient:code=http://loinc.org|8302-2',
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r WHERE r.resource_type = 'Patient' AND NOT r.deleted
          AND EXISTS (SELECT 1 FROM fhir_sp_reference f JOIN fhir_sp_token t ON t.resource_type = 'Observation' AND t.id = f.id AND t.param = 'code'
            WHERE f.resource_type = 'Observation' AND f.param = 'patient' AND f.target_type = 'Patient' AND f.target_id = r.id AND t.code = '8302-2' AND t.system = 'http://loinc.org')
          ORDER BY r.id LIMIT 20`),
      },
      {
        name: 'observations _include patient', type: 'Observation', query: `patient=Patient/${patient.id}&_include=Observation:patient`,
        reference: (d) => d.query(`WITH m AS (SELECT r.id, r.content FROM fhir_resource r WHERE r.resource_type = 'Observation' AND NOT r.deleted
            AND EXISTS (SELECT 1 FROM fhir_sp_reference f WHERE f.resource_type = 'Observation' AND f.id = r.id AND f.param = 'patient' AND f.target_id = $1)
            ORDER BY r.id LIMIT 20)
          SELECT content FROM m UNION ALL SELECT p.content FROM fhir_resource p WHERE p.resource_type = 'Patient' AND p.id IN
            (SELECT f.target_id FROM fhir_sp_reference f JOIN m ON f.resource_type = 'Observation' AND f.id = m.id AND f.param = 'patient')`, [patient.id]),
      },
      {
        name: 'patient _revinclude observations', type: 'Patient', query: `_id=${patient.id}&_revinclude=Observation:patient`,
        reference: (d) => d.query(`SELECT content FROM fhir_resource WHERE resource_type = 'Patient' AND id = $1
          UNION ALL SELECT r.content FROM fhir_resource r JOIN fhir_sp_reference f ON f.resource_type = r.resource_type AND f.id = r.id
          WHERE r.resource_type = 'Observation' AND f.param = 'patient' AND f.target_type = 'Patient' AND f.target_id = $1 AND NOT r.deleted`, [patient.id]),
      },
      {
        name: 'observations of a patient, newest first', type: 'Observation', query: `patient=Patient/${patient.id}&_sort=-date`,
        reference: (d) => d.query(`SELECT r.content FROM fhir_resource r JOIN fhir_sp_reference f ON f.resource_type = r.resource_type AND f.id = r.id
          WHERE r.resource_type = 'Observation' AND f.param = 'patient' AND f.target_id = $1 AND NOT r.deleted
          ORDER BY (SELECT max(x.high) FROM fhir_sp_date x WHERE x.resource_type = r.resource_type AND x.id = r.id AND x.param = 'date') DESC NULLS LAST, r.id LIMIT 20`, [patient.id]),
      },
      {
        name: 'count observations by code', type: 'Observation', query: 'code=http://loinc.org|8302-2&_summary=count',
        reference: (d) => d.query(`SELECT count(*) FROM fhir_resource r WHERE r.resource_type = 'Observation' AND NOT r.deleted
          AND EXISTS (SELECT 1 FROM fhir_sp_token t WHERE t.resource_type = 'Observation' AND t.id = r.id AND t.param = 'code' AND t.code = '8302-2' AND t.system = 'http://loinc.org')`),
      },
    ];

    console.log('\n| query | first page p50 ms | p99 ms | hand SQL p50 ms | ratio | full download resources/s | seq scans in plan |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const q of queries) {
      const url = `${base}/${q.type}?${q.query}`;
      const probe = await get(url);
      if (!probe.ok) {
        console.log(`| ${q.name} | HTTP ${probe.status} | | | | | |`);
        continue;
      }
      await probe.json();
      const ours: number[] = [];
      const hand: number[] = [];
      for (let i = 0; i < reps; i++) {
        ours.push((await time(async () => (await get(url)).json()))[0]);
        hand.push((await time(() => q.reference(db)))[0]);
      }
      ours.sort((a, b) => a - b);
      hand.sort((a, b) => a - b);
      // Full download: follow next links with pages of 100.
      let next: string | undefined = `${url}&_count=100`;
      let fetched = 0;
      const [downloadMs] = await time(async () => {
        while (next) {
          const page: { entry?: unknown[]; link?: { relation: string; url: string }[] } = await (await get(next!)).json();
          fetched += page.entry?.length ?? 0;
          next = page.link?.find((l) => l.relation === 'next')?.url;
        }
      });
      const plan = await seqScans(db, q.type, q.query);
      console.log(`| ${q.name} | ${percentile(ours, 50).toFixed(1)} | ${percentile(ours, 99).toFixed(1)} | ${percentile(hand, 50).toFixed(1)} | `
        + `${(percentile(ours, 50) / percentile(hand, 50)).toFixed(1)}× | ${Math.round(fetched / (downloadMs / 1000)).toLocaleString('en')} (${fetched}) | ${plan} |`);
    }
  } finally {
    await app.server.stop();
    await cleanup();
  }
}

/** Tables the compiled query's plan reads with a sequential scan (EXPLAIN), for the filter part. */
async function seqScans(db: Database, type: string, query: string): Promise<string> {
  try {
    const request = parseSearch(type, new URLSearchParams(query), defaultRegistry(), { handling: 'lenient' });
    const sql = compileSearch({ ...request, include: [], revinclude: [] });
    const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, sql.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const scans = [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
    return scans.length ? scans.join(', ') : 'none';
  } catch (err) {
    return `n/a (${(err as Error).message.slice(0, 40)})`;
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
