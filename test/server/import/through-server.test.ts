import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../../fhir/index.ts';
import { loadConfig } from '../../../server/config.ts';
import { createServer } from '../../../server/server.ts';
import { clientCredentialsToken, startTestServer, testClient, type TestServer } from '../../helpers/server.ts';

// The command-line tools reach a running server with the bootstrap system client, as a hospital's
// scripts would: the importer, and audit:verify when the embedded database is held by the server.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const synthea = join(root, 'test/fixtures/fhir/synthea/Basil_Champlin_992d9b0b-08f8-4442-b123-4f5cb5fe2236.json.gz');
let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const credentials = { HIS_BOOTSTRAP_CLIENT_ID: testClient.id, HIS_BOOTSTRAP_CLIENT_SECRET: testClient.secret };

test('npm run import goes through a running server with the bootstrap client, and refuses without credentials', async (t) => {
  const refused = await run('scripts/import.ts', [synthea, '--url', server.base], {});
  t.not(refused.code, 0);
  t.regex(refused.out, /needs credentials/);
  const imported = await run('scripts/import.ts', [synthea, '--url', server.base], credentials);
  t.is(imported.code, 0, imported.out);
  const patients = await server.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'Patient' AND id = '8ff20ff8-9a14-4c50-b0e1-e2e5c11df428'`);
  t.is(patients.rows[0]!.n, 1);
  // The import's writes were audited as the system client's.
  await server.app.audit.flush();
  const audited = await server.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'AuditEvent'
    AND content->'subtype'->0->>'code' = 'transaction' AND content->'agent'->0->'who'->'identifier'->>'value' = $1`, [testClient.id]);
  t.true(audited.rows[0]!.n >= 1);
});

test('npm run audit:verify asks the running server when it holds the embedded database', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'his-verify-'));
  const db = await openDatabase({ dataDir: dir });
  const port = await freePort();
  const app = await createServer(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port, host: '127.0.0.1', seedDemo: false, bootstrapClient: testClient }), { db });
  try {
    await app.server.start();
    const token = await clientCredentialsToken(`http://127.0.0.1:${port}`);
    await fetch(`http://127.0.0.1:${port}/fhir/Patient`, { headers: { authorization: `Bearer ${token}` } });
    await app.audit.flush();
    await app.sealer.sealNow();
    const env = { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1' };
    const withoutClient = await run('scripts/audit-verify.ts', [], env);
    t.is(withoutClient.code, 2, 'without credentials it can only say the database is busy');
    t.regex(withoutClient.out, /in use by process/);
    const through = await run('scripts/audit-verify.ts', [], { ...env, ...credentials });
    t.is(through.code, 0, through.out);
    t.regex(through.out, /Audit chain intact: [1-9]\d* records verified/);
  } finally {
    await app.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}
