// npm run bench:imaging [-- --copies 2] [--samples 200] [--skip orthanc,pglite,postgres]
// This server's DICOMweb next to Orthanc's (Debian's 1.10 with its DICOMweb plugin, SQLite index, no
// storage compression), same files, same run, all on loopback inside one private network namespace
// (Orthanc cannot bind to loopback only; see test/helpers/private-network.ts):
//  1. STOW-RS ingest, instances/s and MB/s, 1 and 4 concurrent clients, 1 and 10 instances per request;
//     every round stores fresh copies of the shared files (new UIDs, same bytes otherwise);
//  2. QIDO-RS study searches (PatientName wildcard, StudyDate range + ModalitiesInStudy, a plain page), p50/p99;
//  3. WADO-RS frames (native, encapsulated, one frame of a multi-frame cine), p50/p99;
//  4. WADO-RS /metadata of a generated 300-instance CT series, p50/p99.
// Our server runs twice: on embedded PGlite (data on disk) and on PostgreSQL (a fresh database through
// DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, reached through its Unix socket
// inside the namespace). Clients run in a worker thread, not on the server's event loop. Targets:
// ingest ≥ 3× Orthanc, latencies ≤ 0.5× Orthanc. Ends with the viewer benchmark when
// test/bench/imaging-viewer.ts exists (after building the web app). Files: ../shared/data/dicom (the fixtures when it is missing).
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openDatabase } from '../../fhir/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';
import { createPostgresDatabase } from '../helpers/database.ts';
import { clientCredentialsToken, testClient } from '../helpers/server.ts';
import { fixturesDir } from '../helpers/dicom-fixtures.ts';
import { multipartRelated } from '../helpers/multipart.ts';
import { onlyLoopback, orthancMissing, startOrthanc } from '../helpers/orthanc.ts';
import { privateNetworkMissing, throughUnixSocket } from '../helpers/private-network.ts';
import { benchFiles, generatedSeries, variant, type BenchFile } from './imaging-data.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const copies = Number(arg('copies', '2'));
const samples = Number(arg('samples', '200'));
const skip = new Set(arg('skip', '').split(',').filter(Boolean));
const sharedDir = join(root, '../shared/data/dicom');
const dataDir = existsSync(join(sharedDir, 'manifest.json')) ? sharedDir : fixturesDir;

interface Target { name: string; dicomweb: string; headers: Record<string, string>; stop(): Promise<void> }
interface Request { url: string; method: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> }
interface LoadResult { seconds: number; latencies: number[]; statuses: Record<string, number>; bytesIn: number }

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
};

function runLoad(requests: Request[], concurrency: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./imaging-clients.mjs', import.meta.url), { workerData: { requests, concurrency } });
    worker.once('message', (result: LoadResult) => { void worker.terminate(); resolve(result); });
    worker.once('error', reject);
  });
}

const stowRequest = (target: Target, files: Buffer[]): Request => {
  const { body, contentType } = multipartRelated(files);
  return { url: `${target.dicomweb}/studies`, method: 'POST', headers: { ...target.headers, 'content-type': contentType, accept: 'application/dicom+json' }, body: new Uint8Array(body) };
};

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

async function ourServer(kind: 'pglite' | 'postgres'): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), `his-bench-imaging-${kind}-`));
  const database = kind === 'pglite'
    ? { db: await openDatabase({ dataDir: join(dir, 'pglite') }), drop: async () => {} }
    : await createPostgresDatabase(throughUnixSocket(loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres')!, 'his_bench_imaging');
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, {
    port: 0, host: '127.0.0.1', seedDemo: false, accessTokenSeconds: 3600, bootstrapClient: testClient,
    dataDir: join(dir, 'data'), dicomDir: join(dir, 'dicom'), mailOutboxDir: join(dir, 'outbox'),
  });
  const app = await createServer(config, { db: database.db });
  await app.server.start();
  const url = `http://127.0.0.1:${app.server.info.port}`;
  const token = await clientCredentialsToken(url);
  return {
    name: kind === 'pglite' ? 'ours PGlite' : 'ours PostgreSQL', dicomweb: `${url}/dicomweb`, headers: { authorization: `Bearer ${token}` },
    async stop() {
      await app.stop(1000);
      if (kind === 'pglite') await database.db.close();
      else await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stores each file alone and answers which ones the target referenced as stored. */
async function probe(target: Target, files: BenchFile[]): Promise<Set<string>> {
  const accepted = new Set<string>();
  for (const file of files) {
    const request = stowRequest(target, [file.bytes]);
    const res = await fetch(request.url, request);
    const text = await res.text();
    if (res.ok && text.includes(file.uids[2]!)) accepted.add(file.path);
  }
  return accepted;
}

interface Row { measure: string; unit: 'rate' | 'ms'; values: Record<string, number>; note?: string }

async function bench(): Promise<void> {
  const commit = (() => {
    try {
      const head = execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8' }).trim();
      return execSync('git status --porcelain', { cwd: root, encoding: 'utf8' }).trim() ? `${head}+uncommitted` : head;
    } catch {
      return 'unknown';
    }
  })();
  const { files, left } = benchFiles(dataDir);
  const targets: Target[] = [];
  const rows: Row[] = [];
  try {
    let orthancVersion = '';
    if (!skip.has('orthanc')) {
      const why = orthancMissing() ?? (onlyLoopback() ? undefined : 'not inside a private network namespace');
      if (why) console.log(`Orthanc left out: ${why}`);
      else {
        const orthanc = await startOrthanc();
        orthancVersion = (await orthanc.json<{ Version: string }>('GET', '/system')).Version;
        targets.push({ name: `Orthanc ${orthancVersion}`, dicomweb: orthanc.dicomweb, headers: {}, stop: orthanc.stop });
      }
    }
    if (!skip.has('pglite')) targets.push(await ourServer('pglite'));
    if (!skip.has('postgres')) targets.push(await ourServer('postgres'));
    console.log(`# bench:imaging — ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, commit ${commit}`);

    // Same files for every target: those each one stores (the first copy also warms them up).
    const taken = new Set<string>();
    const warm = variant(files, taken);
    let measured = new Set(files.map((f) => f.path));
    // Orthanc goes first and only what it stored goes to the others, so all hold the same studies.
    for (const target of targets) {
      const accepted = await probe(target, warm.filter((f) => measured.has(f.path)));
      for (const path of measured) if (!accepted.has(path)) console.log(`${target.name} did not store ${path}: left out of the measured set`);
      measured = new Set([...measured].filter((p) => accepted.has(p)));
    }
    const set = files.filter((f) => measured.has(f.path));
    const warmBy = new Map(warm.map((f) => [f.path, f]));
    const bytes = set.reduce((sum, f) => sum + f.bytes.length, 0);
    console.log(`files: ${set.length} instances, ${fmt(bytes / 2 ** 20, 1)} MiB from ${dataDir} (${copies} fresh copies per ingest round); not used: ${left.length} (re-encodings of the same instance, deflated, malformed or without UIDs)\n`);

    // 1. STOW-RS ingest.
    for (const [clients, perRequest] of [[1, 1], [4, 1], [1, 10], [4, 10]] as const) {
      const round = Array.from({ length: copies }, () => variant(set, taken)).flat();
      const roundBytes = round.reduce((sum, f) => sum + f.bytes.length, 0);
      const rate: Record<string, number> = {};
      const mbs: Record<string, number> = {};
      for (const target of targets) {
        const requests = chunks(round, perRequest).map((group) => stowRequest(target, group.map((f) => f.bytes)));
        const result = await runLoad(requests, clients);
        const failed = Object.entries(result.statuses).filter(([code]) => code !== '200');
        if (failed.length) console.log(`${target.name} STOW ${clients}×${perRequest}: statuses ${JSON.stringify(result.statuses)}`);
        rate[target.name] = round.length / result.seconds;
        mbs[target.name] = roundBytes / 2 ** 20 / result.seconds;
      }
      rows.push({ measure: `STOW ${clients} client${clients > 1 ? 's' : ''}, ${perRequest}/request — instances/s`, unit: 'rate', values: rate });
      rows.push({ measure: `STOW ${clients} client${clients > 1 ? 's' : ''}, ${perRequest}/request — MB/s`, unit: 'rate', values: mbs });
    }

    // 2. QIDO-RS: the same searches against the same content.
    const queries = [
      ['QIDO PatientName=Doe*', 'studies?PatientName=Doe*'],
      ['QIDO StudyDate range + ModalitiesInStudy=CT', 'studies?StudyDate=20000101-20201231&ModalitiesInStudy=CT'],
      ['QIDO studies, first page of 25', 'studies?limit=25'],
    ] as const;
    for (const [label, query] of queries) {
      const p50: Record<string, number> = {};
      const p99: Record<string, number> = {};
      const counts: string[] = [];
      for (const target of targets) {
        const request = { url: `${target.dicomweb}/${query}`, method: 'GET', headers: { ...target.headers, accept: 'application/dicom+json' } };
        const res = await fetch(request.url, request);
        counts.push(`${target.name}: ${res.ok ? ((await res.json()) as unknown[]).length : `HTTP ${res.status}`}`);
        const result = await runLoad(Array.from({ length: samples }, () => request), 1);
        p50[target.name] = pct(result.latencies, 50);
        p99[target.name] = pct(result.latencies, 99);
      }
      rows.push({ measure: `${label} — p50 ms`, unit: 'ms', values: p50, note: counts.join(', ') });
      rows.push({ measure: `${label} — p99 ms`, unit: 'ms', values: p99 });
    }

    // 3. WADO-RS frames, as stored (transfer-syntax=*).
    const frames = [
      ['frame, native CT 512² (implicit VR)', 'ct/CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm', 1],
      ['frame, JPEG-LS CT 512² (offset table)', 'ct/CT1_UNC.fragmented_bot_jpeg_ls.80.dcm', 1],
      ['frame 15 of a 30-frame JPEG cine', 'us/examples_ybr_color.dcm', 15],
    ] as const;
    for (const [label, path, frame] of frames) {
      const file = warmBy.get(path);
      if (!file || !measured.has(path)) {
        console.log(`${label}: ${path} is not in the measured set`);
        continue;
      }
      const [study, series, sop] = file.uids;
      const p50: Record<string, number> = {};
      const p99: Record<string, number> = {};
      for (const target of targets) {
        const request = { url: `${target.dicomweb}/studies/${study}/series/${series}/instances/${sop}/frames/${frame}`, method: 'GET', headers: { ...target.headers, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } };
        const result = await runLoad(Array.from({ length: samples }, () => request), 1);
        if (result.statuses['200'] !== samples) console.log(`${target.name} ${label}: statuses ${JSON.stringify(result.statuses)}`);
        p50[target.name] = pct(result.latencies, 50);
        p99[target.name] = pct(result.latencies, 99);
      }
      rows.push({ measure: `WADO ${label} — p50 ms`, unit: 'ms', values: p50 });
      rows.push({ measure: `WADO ${label} — p99 ms`, unit: 'ms', values: p99 });
    }

    // 4. /metadata of a generated 300-instance series.
    const source = files.find((f) => f.path === 'ct/CT_small.dcm');
    if (source) {
      const generated = generatedSeries(source.bytes, 300);
      const p50: Record<string, number> = {};
      const p99: Record<string, number> = {};
      const ingest: Record<string, number> = {};
      for (const target of targets) {
        const stored = await runLoad(chunks(generated.files, 10).map((group) => stowRequest(target, group)), 1);
        ingest[target.name] = generated.files.length / stored.seconds;
        const request = { url: `${target.dicomweb}/studies/${generated.studyUid}/series/${generated.seriesUid}/metadata`, method: 'GET', headers: { ...target.headers, accept: 'application/dicom+json' } };
        const check = await fetch(request.url, request);
        const count = check.ok ? ((await check.json()) as unknown[]).length : -check.status;
        if (count !== 300) console.log(`${target.name} /metadata answered ${count} instances`);
        const result = await runLoad(Array.from({ length: Math.min(samples, 50) }, () => request), 1);
        p50[target.name] = pct(result.latencies, 50);
        p99[target.name] = pct(result.latencies, 99);
      }
      rows.push({ measure: 'STOW of the 300-instance series, 1 client, 10/request — instances/s', unit: 'rate', values: ingest });
      rows.push({ measure: 'WADO /metadata, 300-instance series — p50 ms', unit: 'ms', values: p50 });
      rows.push({ measure: 'WADO /metadata, 300-instance series — p99 ms', unit: 'ms', values: p99 });
    }
  } finally {
    for (const target of targets) await target.stop().catch((error: unknown) => console.log(`stopping ${target.name}: ${String(error)}`));
  }
  printTable(rows, targets.map((t) => t.name));
}

function printTable(rows: Row[], names: string[]): void {
  const reference = names.find((n) => n.startsWith('Orthanc'));
  const ours = names.filter((n) => n !== reference);
  const header = ['measure', ...(reference ? [reference] : []), ...ours.flatMap((n) => (reference ? [n, '× Orthanc'] : [n])), 'target'];
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`| --- | ${header.slice(1).map(() => '---:').join(' | ')} |`);
  for (const row of rows) {
    const cells = [row.measure];
    if (reference) cells.push(fmt(row.values[reference]!, row.unit === 'ms' ? 2 : 1));
    for (const name of ours) {
      cells.push(fmt(row.values[name]!, row.unit === 'ms' ? 2 : 1));
      if (reference) {
        const ratio = row.values[name]! / row.values[reference]!;
        const met = row.unit === 'rate' ? ratio >= 3 : ratio <= 0.5;
        cells.push(`${fmt(ratio, 2)}× ${met ? '✓' : '✗'}`);
      }
    }
    cells.push(row.unit === 'rate' ? '≥ 3×' : '≤ 0.5×');
    console.log(`| ${cells.join(' | ')} |`);
  }
  for (const row of rows) if (row.note) console.log(`${row.measure.replace(/ — .*/, '')} results: ${row.note}`);
}

/** Outside a private namespace: run this file again inside one (when possible), then the viewer benchmark. */
async function outer(): Promise<void> {
  const why = skip.has('orthanc') ? 'skipped by --skip' : orthancMissing() ?? privateNetworkMissing();
  if (why) {
    console.log(`(no private network namespace for Orthanc: ${why}; our server only)`);
    await bench();
  } else {
    const env = { ...process.env, DATABASE_URL: throughUnixSocket(loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres') };
    const code = await new Promise<number | null>((resolve) => {
      spawn('unshare', ['--net', '--pid', '--fork', '--kill-child', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh',
        process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), ...args], { cwd: root, env, stdio: 'inherit' }).once('exit', resolve);
    });
    if (code !== 0) process.exitCode = 1;
  }
  const viewer = join(root, 'test/bench/imaging-viewer.ts');
  if (existsSync(viewer)) {
    console.log('\n# viewer (test/bench/imaging-viewer.ts)');
    // The viewer is measured in the built web app, as `npm test` builds it first.
    const built = await new Promise<number | null>((resolve) => {
      const build = spawn('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      build.stdout.resume();
      build.once('exit', resolve);
    });
    if (built !== 0) console.log('npm run build:web failed: viewer benchmark not run');
    else await new Promise((resolve) => spawn(process.execPath, ['--import', 'tsx', viewer], { cwd: root, stdio: 'inherit' }).once('exit', resolve));
  }
}

if (onlyLoopback()) await bench();
else await outer();
process.exit(process.exitCode ?? 0);
