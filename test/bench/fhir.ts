// npm run bench:fhir [-- --db pglite|postgres|both] [--duration 5] [--synthea DIR]
// FHIR engine figures, each next to a reference measured in the same run on the same database:
//  1. Synthea ingest as transactions over HTTP (resources/s) vs a raw multi-row INSERT of the same
//     resources' JSON into a bare JSONB table;
//  2. read by id and create at several concurrencies (req/s, p50, p99) vs a bare Hapi route that
//     reads / inserts the same JSON with one SQL statement;
//  3. read by id as a logged-in doctor (token check, permission check, an AuditEvent per read) vs the
//     same engine read without authentication and audit (a plain route in the same process).
// PostgreSQL runs use DATABASE_URL (default postgres://root@127.0.0.1:5432/test) to create a fresh database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Hapi from '@hapi/hapi';
import { openDatabase, type Database, type FhirEngine, type Resource } from '../../fhir/index.ts';
import { hashPassword } from '../../server/auth/password.ts';
import { clientCredentialsToken } from '../../server/auth/client-token.ts';
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';
import { loggingPlugin } from '../../server/plugins/logging.ts';
import { errorsPlugin } from '../../server/plugins/errors.ts';
import { securityHeadersPlugin } from '../../server/plugins/security-headers.ts';
import { runImport } from '../../server/import/run.ts';
import { httpSink } from '../../server/import/sinks.ts';
import { idempotentTransaction } from '../../server/import/idempotent.ts';
import { createPostgresDatabase } from '../helpers/database.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const which = arg('db', 'both');
const duration = Number(arg('duration', '5'));
const syntheaDir = arg('synthea', join(root, '../shared/data/fhir/synthea'));

interface Load { requests: number; rps: number; p50: number; p99: number; errors: number; non2xx: number }

function load(spec: Record<string, unknown>): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'test/bench/load.mjs'), JSON.stringify({ duration, ...spec })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load exited ${code}`))));
  });
}

async function freshDatabase(kind: 'pglite' | 'postgres'): Promise<{ db: Database; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'his-bench-'));
    const db = await openDatabase({ dataDir: dir });
    return { db, cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const { db, drop } = await createPostgresDatabase(loadConfig().databaseUrl ?? 'postgres://root@127.0.0.1:5432/test', 'his_bench');
  return { db, cleanup: drop };
}

/** The reference for ingest: the same resources' JSON, one multi-row INSERT per bundle, no FHIR logic. */
async function rawInsert(db: Database, files: string[]): Promise<{ resources: number; seconds: number }> {
  await db.query('CREATE TABLE bench_raw (resource_type text, id text, content jsonb, PRIMARY KEY (resource_type, id))');
  const bundles = files.map((f) => idempotentTransaction(JSON.parse(readFileSync(f, 'utf8')) as Resource));
  const started = process.hrtime.bigint();
  let resources = 0;
  for (const bundle of bundles) {
    const rows = (bundle.entry as { resource: Resource }[]).map((e) => ({ t: e.resource.resourceType, i: e.resource.id, c: e.resource }));
    resources += rows.length;
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO bench_raw SELECT t, i, c FROM jsonb_to_recordset($1::text::jsonb) AS x(t text, i text, c jsonb)
        ON CONFLICT DO NOTHING`, [JSON.stringify(rows)]);
    });
  }
  return { resources, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** A bare Hapi server on the same database: one SQL statement per request, nothing else. */
/**
 * The reference for reads with authentication and audit: the same engine read behind the same
 * logging, error and security-header plugins, with no caller and no auditor — what a read cost
 * before access control.
 */
async function plainServer(engine: FhirEngine): Promise<Hapi.Server> {
  const server = Hapi.server({ port: 0, host: '127.0.0.1', router: { stripTrailingSlash: true } });
  await server.register(loggingPlugin('silent'));
  await server.register(errorsPlugin);
  await server.register({ plugin: securityHeadersPlugin, options: { https: false } });
  server.route({
    method: 'GET', path: '/plain/fhir/{path*}',
    async handler(request, h) {
      const result = await engine.handle({ method: 'GET', path: String(request.params.path), query: new URLSearchParams(), headers: {} }, 'http://127.0.0.1/fhir');
      const response = h.response(result.json ?? JSON.stringify(result.body)).code(result.status).type('application/fhir+json; charset=utf-8');
      for (const [k, v] of Object.entries(result.headers)) response.header(k, v);
      return response;
    },
  });
  await server.start();
  return server;
}

async function bareServer(db: Database): Promise<Hapi.Server> {
  const server = Hapi.server({ port: 0, host: '127.0.0.1' });
  server.route({
    method: 'GET', path: '/raw/{type}/{id}',
    async handler(request, h) {
      const r = await db.query<{ json: string }>('SELECT content::text AS json FROM fhir_resource WHERE resource_type = $1 AND id = $2',
        [request.params.type, request.params.id], { prepare: true });
      return r.rows[0] ? h.response(r.rows[0].json).type('application/json') : h.response().code(404);
    },
  });
  server.route({
    method: 'POST', path: '/raw/{type}',
    async handler(request, h) {
      const r = await db.query<{ json: string }>('INSERT INTO bench_raw_create (content) VALUES ($1::text::jsonb) RETURNING content::text AS json',
        [JSON.stringify(request.payload)], { prepare: true });
      return h.response(r.rows[0].json).type('application/json').code(201);
    },
  });
  await server.start();
  return server;
}

async function countAuditEvents(db: Database): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'AuditEvent'`)).rows[0]!.n;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function benchOne(kind: 'pglite' | 'postgres'): Promise<void> {
  console.log(`\n## ${kind === 'pglite' ? 'PGlite (embedded, data on disk)' : 'PostgreSQL server'}`);
  const files = readdirSync(syntheaDir).filter((f) => f.endsWith('.json')).sort().map((f) => join(syntheaDir, f));
  const { db, cleanup } = await freshDatabase(kind);
  const client = { id: 'bench-client', secret: 'bench-client-secret-0123456789' };
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port: 0, seedDemo: false, bootstrapClient: client, accessTokenSeconds: 3600 });
  const app = await createServer(config, { db });
  await app.server.start();
  const bare = await bareServer(db);
  const plain = await plainServer(app.engine);
  try {
    const fhirUrl = `http://127.0.0.1:${app.server.info.port}`;
    const base = `${fhirUrl}/fhir`;
    const systemToken = await clientCredentialsToken(fhirUrl, client);
    const auth = { authorization: `Bearer ${systemToken}` };
    const ingest = await runImport([syntheaDir], httpSink(base, auth), { concurrency: 2 });
    if (ingest.failures.length) throw new Error(`ingest failed: ${JSON.stringify(ingest.failures)}`);
    const raw = await rawInsert(db, files);
    const ingestRate = ingest.resources / ingest.seconds;
    const rawRate = raw.resources / raw.seconds;
    console.log(`ingest: ${files.length} Synthea bundles, ${fmt(ingest.resources)} resources over HTTP as transactions in ${fmt(ingest.seconds, 2)} s = ${fmt(ingestRate)} resources/s`);
    console.log(`raw multi-row INSERT of the same JSON into a bare JSONB table: ${fmt(rawRate)} resources/s → ratio ${fmt((ingestRate / rawRate) * 100, 1)} %`);

    const ids = (await db.query<{ resource_type: string; id: string }>(
      `SELECT resource_type, id FROM fhir_resource WHERE resource_type IN ('Patient', 'Observation', 'Encounter') ORDER BY md5(id) LIMIT 2000`)).rows;
    const fhirPaths = ids.map((r) => `/fhir/${r.resource_type}/${r.id}`);
    const barePaths = ids.map((r) => `/raw/${r.resource_type}/${r.id}`);
    const bareUrl = `http://127.0.0.1:${bare.info.port}`;
    console.log('\n| test | connections | req/s | p50 ms | p99 ms | bare Hapi req/s | bare p50 | bare p99 | ratio |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const connections of [1, 8, 32]) {
      const f = await load({ url: fhirUrl, connections, paths: fhirPaths, headers: auth });
      const b = await load({ url: bareUrl, connections, paths: barePaths });
      if (f.non2xx || f.errors) console.log(`(read: ${f.non2xx} non-2xx, ${f.errors} errors)`);
      console.log(`| read by id | ${connections} | ${fmt(f.rps)} | ${f.p50} | ${f.p99} | ${fmt(b.rps)} | ${b.p50} | ${b.p99} | ${fmt((f.rps / b.rps) * 100, 1)} % |`);
    }
    const patient = JSON.stringify({ resourceType: 'Patient', name: [{ family: '王', given: ['小明'] }], gender: 'male', birthDate: '1990-01-01',
      identifier: [{ system: 'https://open-his.example.org/fhir/sid/mrn', value: 'BENCH' }] });
    for (const connections of [1, 32]) {
      const headers = { 'content-type': 'application/fhir+json', prefer: 'return=minimal', ...auth };
      const f = await load({ url: `${fhirUrl}/fhir/Patient`, connections, method: 'POST', body: patient, headers });
      const b = await load({ url: `${bareUrl}/raw/Patient`, connections, method: 'POST', body: patient, headers: { 'content-type': 'application/json' } });
      if (f.non2xx || f.errors) console.log(`(create: ${f.non2xx} non-2xx, ${f.errors} errors)`);
      console.log(`| create | ${connections} | ${fmt(f.rps)} | ${f.p50} | ${f.p99} | ${fmt(b.rps)} | ${b.p50} | ${b.p99} | ${fmt((f.rps / b.rps) * 100, 1)} % |`);
    }

    await app.auth.accounts.create({ kind: 'staff', username: 'bench-doctor', passwordHash: await hashPassword('bench-doctor-password'), roles: ['doctor'] });
    const login = await fetch(`${fhirUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'bench-doctor', password: 'bench-doctor-password' }) });
    const doctor = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
    const plainPaths = ids.map((r) => `/plain/fhir/${r.resource_type}/${r.id}`);
    const auditedBefore = await countAuditEvents(db);
    console.log('\n| read by id | connections | doctor, auth + audit req/s | p50 ms | p99 ms | no auth, no audit req/s | p50 | p99 | ratio |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    let reads = 0;
    for (const connections of [1, 8, 32]) {
      const f = await load({ url: fhirUrl, connections, paths: fhirPaths, headers: doctor });
      const p = await load({ url: `http://127.0.0.1:${plain.info.port}`, connections, paths: plainPaths });
      reads += f.requests;
      // The same reference sent the same Authorization header (ignored): what carrying a token costs the wire and the parser.
      const ph = await load({ url: `http://127.0.0.1:${plain.info.port}`, connections, paths: plainPaths, headers: doctor });
      if (f.non2xx || f.errors || p.non2xx) console.log(`(read: ${f.non2xx} non-2xx, ${f.errors} errors; plain ${p.non2xx} non-2xx)`);
      console.log(`| doctor | ${connections} | ${fmt(f.rps)} | ${f.p50} | ${f.p99} | ${fmt(p.rps)} | ${p.p50} | ${p.p99} | ${fmt((f.rps / p.rps) * 100, 1)} % |`);
      console.log(`| (reference sent the token too) | ${connections} | | | | ${fmt(ph.rps)} | ${ph.p50} | ${ph.p99} | ${fmt((f.rps / ph.rps) * 100, 1)} % |`);
    }
    await app.audit.flush();
    console.log(`AuditEvents written for the doctor's ${fmt(reads)} reads: ${fmt(await countAuditEvents(db) - auditedBefore)}`);
  } finally {
    await plain.stop();
    await bare.stop();
    await app.stop();
    await cleanup().catch(() => {});
  }
}

console.log(`# bench:fhir — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${duration} s per load test`);
for (const kind of (which === 'both' ? ['postgres', 'pglite'] : [which]) as ('pglite' | 'postgres')[]) await benchOne(kind);
process.exit(0);
