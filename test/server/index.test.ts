import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/database.ts';
import { clientCredentialsToken, testClient } from '../helpers/server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Running { child: ChildProcess; url: string; output: () => string }

/** `npm start`'s entry point as a real process on a free port; resolves once it listens. */
function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/index.ts')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Open HIS listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function total(url: string, query: string, token?: string): Promise<number> {
  token ??= await clientCredentialsToken(url);
  return (await (await fetch(`${url}/fhir/${query}`, { headers: { authorization: `Bearer ${token}` } })).json()).total;
}

async function logIn(url: string, login: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: 'open-his-demo' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

test('npm start on an empty database loads the demo hospital once, and SIGTERM shuts down cleanly', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'his-start-'));
  let database: TestDatabase | undefined;
  if (usingPostgres()) {
    database = await createTestDatabase();
    await database.db.close();
  }
  const env = { DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', SEED_DEMO: 'true', HIS_BOOTSTRAP_CLIENT_ID: testClient.id, HIS_BOOTSTRAP_CLIENT_SECRET: testClient.secret };
  const children: ChildProcess[] = [];
  try {
    const first = await start(env);
    children.push(first.child);
    t.is(await total(first.url, 'Patient?_summary=count'), 36);
    t.true((await total(first.url, 'Location?_summary=count')) > 40);
    t.is((await fetch(`${first.url}/health/ready`)).status, 200);
    // The demo log-ins work with DEMO_PASSWORD's default: each staff role, and the demo patient, who
    // sees herself and the child she is a proxy for, and nobody else.
    for (const login of ['admin', 'registrar', 'doctor', 'nurse', 'radiologist']) {
      t.truthy(await logIn(first.url, login), login);
    }
    const doctorToken = await logIn(first.url, 'doctor');
    t.is(await total(first.url, 'Patient?_summary=count', doctorToken), 36);
    // A living hospital: signed notes (one amended) whose signatures verify, a busy bed board, today's clinic.
    const notes = await (await fetch(`${first.url}/fhir/Composition?status=amended`, { headers: { authorization: `Bearer ${doctorToken}` } })).json() as { entry?: { resource: { id: string } }[] };
    const amended = notes.entry?.[0]?.resource.id;
    t.truthy(amended);
    const versions = await (await fetch(`${first.url}/emr/notes/${amended}/versions`, { headers: { authorization: `Bearer ${doctorToken}` } })).json() as { versions: { status: string; signature?: { verified: boolean } }[] };
    t.deepEqual(versions.versions.map((v) => [v.status, v.signature?.verified ?? null]), [['amended', true], ['final', true], ['preliminary', null]]);
    t.true((await total(first.url, 'Composition?status=final&_summary=count', doctorToken))! >= 20);
    const board = await (await fetch(`${first.url}/emr/bed-board`, { headers: { authorization: `Bearer ${doctorToken}` } })).json() as { wards: { occupied: number }[] };
    t.true(board.wards.every((w) => w.occupied >= 4));
    const clinic = await (await fetch(`${first.url}/emr/clinic-list`, { headers: { authorization: `Bearer ${doctorToken}` } })).json() as { items: unknown[] };
    t.is(clinic.items.length, 11);
    const patientToken = await logIn(first.url, 'patient@example.org');
    t.is(await total(first.url, 'Patient?_summary=count', patientToken), 2);
    t.is(await total(first.url, 'Patient?_summary=count', await logIn(first.url, 'admin')) as number | undefined, undefined, 'admins do not read the clinical record');
    if (!database) {
      // The embedded database admits one process: a second one fails fast with a clear reason.
      const second = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/index.ts')], {
        env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      second.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      t.not(await exited(second), 0);
      t.regex(err, /in use by process/);
    }
    // No patient data in the logs: requests are logged by path, without query strings.
    await fetch(`${first.url}/fhir/Patient?name=${encodeURIComponent('朱建涛')}`);
    const exit = exited(first.child);
    first.child.kill('SIGTERM');
    t.is(await exit, 0);
    t.false(first.output().includes('朱建涛'));
    t.false(first.output().includes(encodeURIComponent('朱建涛')));
    // Nor credentials: passwords and tokens travel in bodies and headers, which are not logged.
    t.false(first.output().includes('open-his-demo'));
    t.false(first.output().includes(patientToken.split('.')[2]!));
    if (!database) t.false(existsSync(join(dataDir, 'open-his.lock')), 'the lock is released');

    // A restart finds the data and does not seed again.
    const again = await start(env);
    children.push(again.child);
    t.is(await total(again.url, 'Patient?_summary=count'), 36);
    t.false(again.output().includes('Loaded the demo hospital'));
    const exit2 = exited(again.child);
    again.child.kill('SIGTERM');
    t.is(await exit2, 0);
  } finally {
    // A failure half-way must not leave a server running (it would hold the port and the data).
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    if (database) await database.drop();
  }
});

test('invalid configuration stops the server at start with a clear message', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/index.ts')], {
    env: { ...process.env, PORT: 'eighty', HIS_TIMEZONE: 'Mars/Olympus' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  t.not(await exited(child), 0);
  t.regex(err, /PORT/);
  t.regex(err, /HIS_TIMEZONE/);
});
