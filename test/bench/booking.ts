// npm run bench:booking [-- --db postgres|pglite] [--patients 2000] [--places 200]
// A release-time rush (放号): N patients with the booking page open (Socket.io, watching one
// department's day), then all calling $hold + $book at once for the day's places. Prints successful
// bookings, double bookings (must be 0), $book throughput and latency, and push latency (commit →
// every watching socket) next to a bare Socket.io broadcast of the same message to the same sockets
// in the same run. PostgreSQL runs create a fresh database through DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/postgres) and drop it afterwards.
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { cpus, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '../../fhir/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';
import { openDatabase } from '../../fhir/index.ts';
import { addDays } from '../../server/booking/calendar.ts';
import { makeResidentId } from '../../server/identity/resident-id.ts';
import { RESIDENT_ID_SYSTEM } from '../../server/seed/systems.ts';
import { createPostgresDatabase } from '../helpers/database.ts';
import { hashPassword } from '../../server/auth/password.ts';
import { randomBytes } from 'node:crypto';
import type { CallRecord, ClientsInput, Received, ToMain } from './booking-clients.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const which = arg('db', 'postgres');
const patients = Number(arg('patients', '2000'));
const places = Number(arg('places', '200'));
const quietBookings = 20;

const now = (): number => performance.timeOrigin + performance.now();
const pct = (values: number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

async function main(): Promise<void> {
  const base = loadConfig();
  const pgAdmin = base.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = which === 'pglite' ? { db: await openDatabase({ dataDir: undefined }), drop: async () => {} } : await createPostgresDatabase(pgAdmin, 'his_bench_booking');
  const outbox = mkdtempSync(join(tmpdir(), 'his-bench-outbox-'));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port: 0, host: '127.0.0.1', seedDemo: false, accessTokenSeconds: 3600, mailOutboxDir: outbox });
  const app = await createServer(config, { db: database.db });
  await app.server.start();
  const url = `http://127.0.0.1:${app.server.info.port}`;
  console.log(`bench:booking — ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${which === 'pglite' ? 'PGlite' : 'PostgreSQL'}`);
  try {
    // One department, one doctor, the day after tomorrow: places / 10 half-hour slots of 10 places.
    const repo = app.engine.repo;
    await repo.update({ resourceType: 'HealthcareService', id: 'bench-hcs', active: true, name: '内科' } as Resource);
    await repo.update({ resourceType: 'PractitionerRole', id: 'bench-role', active: true, healthcareService: [{ reference: 'HealthcareService/bench-hcs' }] } as Resource);
    await repo.update({ resourceType: 'Schedule', id: 'bench-sched', actor: [{ reference: 'PractitionerRole/bench-role' }, { reference: 'HealthcareService/bench-hcs' }] } as Resource);
    await app.booking.updateSettings({ releaseTime: '00:00', rateLimit: { perMinute: 100_000, perAddressPerMinute: 1_000_000 } });
    const slots = Math.ceil(places / 10);
    const end = 8 * 60 + slots * 30;
    await app.booking.setTemplate('bench-sched', { sessions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], period: 'morning', start: '08:00',
      end: `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`, slotMinutes: 30, capacity: 10 }] });
    const date = addDays(app.booking.calendar.dateOf(new Date()), 2);

    // Patients with verified IDs and portal sessions (tokens minted as a log-in would).
    let setup = now();
    const ids = Array.from({ length: patients + quietBookings }, (_, i) => `bench-pat-${i}`);
    for (let i = 0; i < ids.length; i += 500) {
      await repo.transaction(async (tx) => {
        for (const [j, id] of ids.slice(i, i + 500).entries()) {
          await tx.update({ resourceType: 'Patient', id, identifier: [{ system: RESIDENT_ID_SYSTEM, value: makeResidentId('330106', '1980-01-01', (i + j) % 1000) }] } as Resource);
        }
      });
    }
    const tokens: string[] = [];
    // No one logs in with these passwords; the sessions are started directly.
    const passwordHash = await hashPassword(randomBytes(16).toString('hex'));
    for (const id of ids) {
      const account = await app.auth.accounts.create({ kind: 'patient', email: `${id}@bench.invalid`, roles: ['patient'], patientId: id, passwordHash });
      tokens.push((await app.auth.startSession(account)).accessToken);
    }
    console.log(`setup: ${slots} slots × 10 places on ${date}, ${ids.length} patients with sessions (${Math.round(now() - setup)} ms)`);

    // Commit times of appointments, told by an engine hook after each commit.
    const commits: number[] = [];
    app.engine.addWriteHook({ types: ['Appointment'], afterCommit: (changes) => { for (const _ of changes) commits.push(Date.now()); } });

    const rushTokens = tokens.slice(0, patients);
    const worker = new Worker(new URL('./booking-clients.mjs', import.meta.url), {
      workerData: { url, service: 'bench-hcs', date, tokens: rushTokens, attempts: 3 } satisfies ClientsInput,
    });
    const next = <T extends ToMain['type']>(type: T) => new Promise<Extract<ToMain, { type: T }>>((resolve, reject) => {
      const on = (m: ToMain) => { if (m.type === type) { worker.off('message', on); resolve(m as Extract<ToMain, { type: T }>); } };
      worker.on('message', on);
      worker.once('error', reject);
    });
    setup = now();
    const connected = await next('connected');
    console.log(`${connected.sockets} booking pages connected and watching (${connected.ms} ms)`);

    // 1. Quiet: one booking at a time (by patients outside the rush), then a bare broadcast of the same message.
    const quietFirst = commits.length;
    const slotIds = (await app.booking.availabilityOf('bench-hcs', date)).map((t) => t.slot);
    for (let i = 0; i < quietBookings; i++) {
      const res = await fetch(`${url}/fhir/Appointment/$book`, {
        method: 'POST', headers: { authorization: `Bearer ${tokens[patients + i]}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueReference: { reference: `Slot/${slotIds[i % slotIds.length]}` } }] }),
      });
      if (res.status !== 201) throw new Error(`quiet booking ${i}: ${res.status} ${await res.text()}`);
      await sleep(400);
    }
    const quietCommits = commits.slice(quietFirst);
    const bare: { at: string; t: number }[] = [];
    const payload = { service: 'bench-hcs', date, times: await app.booking.availabilityOf('bench-hcs', date) };
    for (let i = 0; i < quietBookings; i++) {
      const at = `bare-${i}`;
      const t = now();
      app.push.namespace.to(`availability:bench-hcs:${date}`).emit('availability', { ...payload, at });
      bare.push({ at, t });
      await sleep(400);
    }

    // 2. The rush: everyone at once.
    const rushFirst = commits.length;
    const eluBefore = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const rushStart = now();
    worker.postMessage({ type: 'rush' });
    const rush = await next('rush-done');
    const rushEnd = now();
    const serverBusy = performance.eventLoopUtilization(eluBefore).utilization;
    const cpu = process.cpuUsage(cpuBefore);
    await sleep(1500); // the last coalesced pushes
    const rushCommits = commits.slice(rushFirst);
    worker.postMessage({ type: 'collect' });
    const { perSocket } = await next('messages');
    worker.postMessage({ type: 'close' });

    // Push latency: for a commit, each socket's first snapshot read after it (its `at` ≥ the commit).
    const pushLatency = (times: number[]): number[] => {
      const out: number[] = [];
      for (const messages of perSocket as Received[][]) {
        const reads = messages.filter((m) => !m.at.startsWith('bare-')).map((m) => ({ at: Date.parse(m.at), t: m.t }));
        for (const c of times) {
          const hit = reads.find((m) => m.at >= c);
          if (hit) out.push(hit.t - c);
        }
      }
      return out;
    };
    const bareLatency: number[] = [];
    for (const messages of perSocket as Received[][]) {
      for (const b of bare) {
        const hit = messages.find((m) => m.at === b.at);
        if (hit) bareLatency.push(hit.t - b.t);
      }
    }
    const quiet = pushLatency(quietCommits);
    const rushPush = pushLatency(rushCommits);

    // What the database holds: places taken per slot against capacity, Appointments stored.
    const over = (await database.db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM (SELECT s.slot_id FROM booking_slot s JOIN booking_claim c ON c.slot_id = s.slot_id
        WHERE s.service_id = 'bench-hcs' AND c.appointment_id IS NOT NULL GROUP BY s.slot_id, s.capacity HAVING count(*) > s.capacity) x`)).rows[0]!.n;
    const claimed = (await database.db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM booking_claim c JOIN booking_slot s ON s.slot_id = c.slot_id WHERE s.service_id = 'bench-hcs' AND c.appointment_id IS NOT NULL`)).rows[0]!.n;
    const stored = (await database.db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM fhir_resource WHERE resource_type = 'Appointment' AND NOT deleted AND content->>'status' = 'booked'`)).rows[0]!.n;
    const messagesPerSocket = (perSocket as Received[][]).map((m) => m.filter((x) => !x.at.startsWith('bare-') && x.t >= rushStart).length);

    const calls = rush.calls as CallRecord[];
    const books = calls.filter((c) => c.op === 'book');
    const holds = calls.filter((c) => c.op === 'hold');
    const bookMs = books.map((c) => c.end - c.start);
    const holdMs = holds.map((c) => c.end - c.start);
    const allMs = calls.map((c) => c.end - c.start);
    const rushSeconds = (rushEnd - rushStart) / 1000;
    const count = (list: CallRecord[], status: number) => list.filter((c) => c.status === status).length;
    console.log('');
    console.log(`rush: ${patients} patients, ${places - quietBookings} places left after the quiet bookings, ${rushSeconds.toFixed(2)} s`);
    console.log(`  booked: ${rush.booked} (${stored} booked Appointments stored in all, ${claimed} places claimed); double bookings (slots over capacity): ${over}`);
    console.log(`  $hold: ${holds.length} calls (${count(holds, 200)} held, ${count(holds, 409)} × 409), p50 ${ms(pct(holdMs, 50))}, p99 ${ms(pct(holdMs, 99))}`);
    console.log(`  $book: ${books.length} calls (${count(books, 201)} booked, ${count(books, 409)} × 409), p50 ${ms(pct(bookMs, 50))}, p99 ${ms(pct(bookMs, 99))}`);
    console.log(`  all booking calls: ${calls.length} in ${rushSeconds.toFixed(2)} s = ${(calls.length / rushSeconds).toFixed(0)} calls/s, p50 ${ms(pct(allMs, 50))}, p99 ${ms(pct(allMs, 99))}; other statuses: ${[...new Set(calls.map((c) => c.status))].filter((s) => s !== 200 && s !== 201 && s !== 409).join(', ') || 'none'}`);
    console.log(`  push during the rush (commit → every watching socket, ${rushCommits.length} commits × ${perSocket.length} sockets): p50 ${ms(pct(rushPush, 50))}, p99 ${ms(pct(rushPush, 99))}; updates per socket: median ${pct(messagesPerSocket, 50)}, max ${Math.max(...messagesPerSocket)} (coalesced from ${rushCommits.length} commits)`);
    console.log(`  server event loop busy ${(serverBusy * 100).toFixed(0)} % of the rush; this process (server + clients) used ${((cpu.user + cpu.system) / 1000 / (rushEnd - rushStart) * 100).toFixed(0)} % of one core`);
    console.log(`quiet push (one booking at a time, ${quietCommits.length} × ${perSocket.length}): p50 ${ms(pct(quiet, 50))}, p99 ${ms(pct(quiet, 99))}`);
    console.log(`reference — bare Socket.io broadcast of the same message to the same ${perSocket.length} sockets (${bare.length} times): p50 ${ms(pct(bareLatency, 50))}, p99 ${ms(pct(bareLatency, 99))}`);
    console.log(`push p99 / bare p99: quiet ${(pct(quiet, 99) / pct(bareLatency, 99)).toFixed(2)}×, rush ${(pct(rushPush, 99) / pct(bareLatency, 99)).toFixed(2)}×`);
    await worker.terminate().catch(() => 0);
  } finally {
    await app.stop(2000);
    await database.drop();
    rmSync(outbox, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: Error) => {
  console.error(err);
  process.exit(1);
});
