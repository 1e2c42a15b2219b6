// npm run bench:chart [-- --db postgres|pglite] [--scale 1] [--patients N] [--reset] [--explain]
// The chart at hospital scale (issue 7, "Benchmark"): ≥ 100 k patients and ≥ 2 M clinical resources
// multiplied from the Synthea fixtures (chart-data.ts), loaded through the engine's repository in
// batched transactions (chart-load.ts), then measured through the real HTTP server as a doctor:
//  - patient search by name prefix and by resident ID number (p50/p99 over varied values);
//  - the chart summary, i.e. every request of web/src/emr/chart-queries.ts issued in parallel as the
//    browser does, timed end to end, for a patient with ≥ 500 encounters and for ordinary patients;
//  - references in the same run: GET /fhir/metadata and a single Patient read.
// PostgreSQL (default): BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_chart,
// created when missing and kept between runs (a second run skips the load). PGlite: BENCH_DATA_DIR,
// default <tmp>/open-his-bench-chart, with --scale (e.g. 0.05) since the embedded database is slower.
import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../../fhir/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';
import { hashPassword } from '../../server/auth/password.ts';
import { chartSummaryQueries } from '../../web/src/emr/chart-queries.ts';
import { identities, loadFixtures } from './chart-data.ts';
import { loadPopulation, type Scale } from './chart-load.ts';
import { explainSearch } from './chart-explain.ts';
import { summarize, timed, fmt, type Summary } from './chart-stats.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const flag = (name: string) => args.includes(`--${name}`);
const kind = arg('db', 'postgres') as 'postgres' | 'pglite';
const scaleFactor = Number(arg('scale', kind === 'pglite' ? '0.05' : '1'));
const patients = Number(arg('patients', String(Math.round(100_000 * scaleFactor))));
const scale: Scale = {
  patients,
  perPatient: Number(arg('per-patient', '20')),
  heavyEncounters: Number(arg('heavy-encounters', '520')),
  batch: Number(arg('batch', '25')),
};
const searches = Number(arg('queries', '200'));
const loads = Number(arg('loads', '50'));
const syntheaDir = arg('synthea', join(root, '../shared/data/fhir/synthea'));
const doctor = { login: 'bench-doctor', password: 'bench-doctor-password-0123' };
const log = (line: string) => console.log(`  … ${line}`);

async function openBenchDatabase(): Promise<Database> {
  if (kind === 'pglite') {
    const dir = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'open-his-bench-chart');
    if (flag('reset')) rmSync(dir, { recursive: true, force: true });
    return openDatabase({ dataDir: dir });
  }
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_chart');
  const name = url.pathname.slice(1);
  if (!/^\w+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    if (flag('reset')) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rows.length === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return openDatabase({ databaseUrl: url.toString() });
}

/** At most six requests at a time, as a browser over HTTP/1.1 sends to one origin. */
async function browserParallel<T>(tasks: (() => Promise<T>)[], connections = 6): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(connections, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  }));
  return results;
}

function row(name: string, s: Summary, extra = ''): string {
  return `| ${name} | ${s.n} | ${fmt(s.p50, 1)} | ${fmt(s.p99, 1)} | ${fmt(s.max, 1)} | ${extra} |`;
}

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, {
    port: 0, host: '127.0.0.1', seedDemo: false, accessTokenSeconds: 3600,
    mailOutboxDir: join(tmpdir(), 'open-his-bench-chart-outbox'), dicomDir: join(tmpdir(), 'open-his-bench-chart-dicom'),
  });
  const app = await createServer(config, { db });
  try {
    const fixtures = loadFixtures(syntheaDir);
    console.log(`# bench:chart — ${kind}, ${fmt(patients)} patients (+1 heavy), ≥ ${scale.perPatient} clinical resources each, `
      + `from ${fixtures.templates.length} Synthea bundles`);
    const loaded = await loadPopulation(app.engine, fixtures, scale, log);
    if (loaded.written > 0) {
      console.log(`load: ${fmt(loaded.written)} resources in ${fmt(loaded.seconds, 1)} s = ${fmt(loaded.written / loaded.seconds)} resources/s`
        + ` (engine repository, ${scale.batch} patients per transaction${loaded.resumed ? ', resumed' : ''})`);
    } else {
      const previous = (await db.query<{ resources: string; seconds: number }>('SELECT resources::text, seconds FROM bench_chart_state WHERE id = 1')).rows[0]!;
      console.log(`load: already loaded (earlier run: ${fmt(Number(previous.resources))} resources in ${fmt(previous.seconds, 1)} s = `
        + `${fmt(Number(previous.resources) / previous.seconds)} resources/s)`);
    }
    if (db.kind === 'postgres' && loaded.written > 0) {
      // What autovacuum does on a server after a bulk load (statistics, visibility map), measured apart.
      const [ms] = await timed(() => db.query('VACUUM ANALYZE'));
      console.log(`VACUUM ANALYZE after the load: ${fmt(ms / 1000, 1)} s`);
    }
    await app.engine.idle();

    const counts = (await db.query<{ resource_type: string; n: string }>(
      'SELECT resource_type, count(*)::text AS n FROM fhir_resource GROUP BY resource_type ORDER BY count(*) DESC')).rows;
    const total = counts.reduce((n, c) => n + Number(c.n), 0);
    const notClinical = new Set(['Patient', 'Organization', 'Practitioner', 'AuditEvent', 'Provenance']);
    const clinical = counts.filter((c) => !notClinical.has(c.resource_type)).reduce((n, c) => n + Number(c.n), 0);
    const version = (await db.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' on ')[0];
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${version}`
      + ` (load average ${loadAverage()} before the measures)`);
    console.log(`resources: ${fmt(total)} in total, ${fmt(clinical)} clinical — ${counts.map((c) => `${c.resource_type} ${fmt(Number(c.n))}`).join(', ')}`);

    if (!(await app.auth.accounts.byLogin(doctor.login))) {
      await app.auth.accounts.create({ kind: 'staff', username: doctor.login, passwordHash: await hashPassword(doctor.password), roles: ['doctor'] });
    }
    await app.server.start();
    const origin = `http://127.0.0.1:${app.server.info.port}`;
    const login = await fetch(`${origin}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doctor) });
    if (!login.ok) throw new Error(`doctor log-in failed: ${login.status}`);
    const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}`, accept: 'application/fhir+json' };
    let failures = 0;
    const get = async (path: string): Promise<{ entry?: unknown[] }> => {
      const res = await fetch(`${origin}/fhir/${path}`, { headers });
      if (!res.ok) failures++;
      return (await res.json()) as { entry?: unknown[] };
    };
    const timeGet = async (path: string) => (await timed(() => get(path)))[0];

    // Values: random patients of the population (same generator as the load), none of them repeated.
    const people = identities(fixtures.templates, patients + 1);
    const pickRandom = (n: number, seed: number) => {
      let x = seed;
      const out: number[] = [];
      const seen = new Set<number>();
      while (out.length < Math.min(n, patients)) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const k = x % patients;
        if (!seen.has(k)) { seen.add(k); out.push(k); }
      }
      return out;
    };
    const someone = `${fixtures.templates[0]!.patientId}-c0`;
    for (let i = 0; i < 20; i++) await get('metadata'); // warm-up: connections, JIT, caches of the server
    const metadata = summarize(await seq(searches, () => timeGet('metadata')));
    const read = summarize(await seq(searches, () => timeGet(`Patient/${someone}`)));

    const nameSample = pickRandom(searches, 11);
    const idSample = pickRandom(searches, 23);
    const nameHits: number[] = [];
    const byName = summarize(await seq(searches, async (i) => {
      const who = people[nameSample[i]!]!;
      const prefix = /^[A-Za-z]/.test(who.name.family) ? who.name.family.slice(0, 3) : who.name.text.slice(0, 2);
      const [ms, bundle] = await timed(() => get(`Patient?name=${encodeURIComponent(prefix)}&_count=20`));
      nameHits.push(bundle.entry?.length ?? 0);
      return ms;
    }));
    const idHits: number[] = [];
    const byId = summarize(await seq(searches, async (i) => {
      const who = people[idSample[i]!]!;
      const [ms, bundle] = await timed(() => get(`Patient?identifier=${who.residentId}`));
      idHits.push(bundle.entry?.length ?? 0);
      return ms;
    }));

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: config.timezone }).format(new Date());
    const chartLoad = (patientId: string) => timed(() => browserParallel(chartSummaryQueries(patientId, today).map((q) => () => get(q.path))));
    const heavyId = loaded.heavyPatientId;
    await chartLoad(heavyId);
    const heavy = summarize(await seq(loads, async () => (await chartLoad(heavyId))[0]));
    const ordinaryIds = pickRandom(loads, 37).map((k) => `${fixtures.templates[k % fixtures.templates.length]!.patientId}-c${k}`);
    const ordinary = summarize(await seq(loads, async (i) => (await chartLoad(ordinaryIds[i]!))[0]));

    console.log(`\nHTTP as a doctor (token, permission check, AuditEvent per request), one request at a time unless said`);
    console.log('\n| measure | n | p50 ms | p99 ms | max ms | |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    console.log(row('reference: GET /fhir/metadata', metadata));
    console.log(row('reference: GET Patient/{id}', read));
    console.log(row('Patient?name=<prefix>&_count=20', byName, `median ${median(nameHits)} hits per page`));
    console.log(row('Patient?identifier=<resident ID>', byId, `${idHits.filter((h) => h === 1).length}/${idHits.length} found exactly one`));
    console.log(row(`chart summary, heavy patient (${chartSummaryQueries(heavyId, today).length} requests, ≤ 6 in parallel)`, heavy));
    console.log(row('chart summary, ordinary patients', ordinary));

    // Each query of the heavy patient's chart on its own, to see which one dominates.
    console.log(`\nheavy patient's chart queries one by one (${fmt(Math.min(loads, 20))} each)`);
    console.log('\n| query | n | p50 ms | p99 ms | max ms | entries |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    const slow: string[] = [];
    for (const q of chartSummaryQueries(heavyId, today)) {
      const bundle = await get(q.path);
      const s = summarize(await seq(Math.min(loads, 20), () => timeGet(q.path)));
      console.log(row(`${q.key}: ${q.path.replace(heavyId, '{heavy}')}`, s, String(bundle.entry?.length ?? (q.key === 'patient' ? 1 : 0))));
      if (s.p50 > 50 || flag('explain')) slow.push(q.path);
    }
    console.log(`\nload average after the measures: ${loadAverage()} (other processes on the machine share its cores)`);
    if (failures > 0) console.log(`\n${failures} requests answered non-2xx`);
    for (const path of slow) {
      console.log(`\nEXPLAIN ANALYZE of ${path.replace(heavyId, '{heavy}')}:\n${await explainSearch(db, app.engine.registry, path)}`);
    }
  } finally {
    await app.stop();
  }
}

async function seq(n: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(1)).join(' / ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
