import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { createFhirEngine, openDatabase, type Database, type FhirEngine, type Queryable, type Resource } from '../../../fhir/index.ts';
import { migrate } from '../../../fhir/storage/migrate.ts';
import { auditMigrations, auditSqlState, chainHash, genesisHash, migrateAuditChain } from '../../../server/audit/chain.ts';
import { sealAuditChain, sealLockKey, startAuditSealer } from '../../../server/audit/seal.ts';
import { verifyAuditChain } from '../../../server/audit/verify.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/database.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// Every test tampers with or counts the whole chain of its own database: one database per test,
// one test at a time.

interface Audited { database: TestDatabase; db: Database; engine: FhirEngine }

async function setup(): Promise<Audited> {
  const database = await createTestDatabase();
  const engine = await createFhirEngine({ db: database.db, timezone: 'Asia/Shanghai' });
  await migrate(database.db, auditMigrations);
  return { database, db: database.db, engine };
}

async function teardown(a: Audited): Promise<void> {
  await a.engine.idle();
  await a.database.drop();
}

/** A minimal valid R4 AuditEvent (http://hl7.org/fhir/R4/auditevent.html): a user read a patient's record. */
function auditEvent(n: number): Resource {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read', display: 'read' }],
    action: 'R',
    recorded: new Date(Date.UTC(2024, 4, 1, 8, 0, n % 60)).toISOString(),
    outcome: '0',
    agent: [{ who: { reference: 'Practitioner/doc-1', display: '张医生' }, requestor: true }],
    source: { observer: { display: 'Open HIS' } },
    entity: [{ what: { reference: `Patient/p-${n}` } }],
  } as Resource;
}

async function createEvents(engine: FhirEngine, from: number, count: number): Promise<string[]> {
  return engine.repo.transaction(async (repo) => {
    const ids: string[] = [];
    for (let i = from; i < from + count; i++) ids.push((await repo.create(auditEvent(i))).version.id);
    return ids;
  });
}

async function sealAll(db: Database): Promise<number> {
  let total = 0;
  for (let n = -1; n !== 0;) {
    n = await sealAuditChain(db);
    total += n;
  }
  return total;
}

interface ChainRow { seq: string; history_seq: string; resource_id: string; prev_hash: string; hash: string; content: string }

async function chainRows(db: Queryable): Promise<ChainRow[]> {
  return (await db.query<ChainRow>(
    `SELECT c.seq::text AS seq, c.history_seq::text AS history_seq, c.resource_id, c.prev_hash, c.hash, h.content::text AS content
       FROM audit_chain c JOIN fhir_resource_history h ON h.seq = c.history_seq ORDER BY c.seq`)).rows;
}

async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.query<{ n: string | number }>(sql, params)).rows[0]!.n);
}

/** What a DBA could do: change rows with the audit triggers of that table switched off (restored at commit). */
async function tamper(db: Database, table: string, sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await tx.query(sql, params);
    await tx.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  });
}

function sqlState(err: unknown): string | undefined {
  // The storage layer turns the audit triggers' refusals into FhirErrors and keeps the SQLSTATE.
  const e = err as { code?: string; sqlState?: string } | undefined;
  return e?.sqlState ?? e?.code;
}

test.serial('the hash of a link is SHA-256 over prev_hash, history seq, id and content text, one per line', (t) => {
  const content = '{"id": "a1", "resourceType": "AuditEvent"}';
  const expected = createHash('sha256').update(`${genesisHash}\n42\na1\n${content}`).digest('hex');
  t.is(chainHash(genesisHash, 42, 'a1', content), expected);
  t.is(chainHash(genesisHash, '42', 'a1', content), expected);
  t.is(genesisHash, '0'.repeat(64));
  // Test vector from coreutils: printf '%s\n1\nx\n{}' <64 zeros> | sha256sum
  t.is(chainHash(genesisHash, 1, 'x', '{}'), '7b4db779b2f530677fb09b6dbe6e2c93965ca0edafb40f054837e1515109d4e2');
});

test.serial('PostgreSQL 15 and PGlite 18 print the same jsonb text, so hashes agree across engines', async (t) => {
  const database = await createTestDatabase();
  try {
    const input = String.raw`{"z": 1.50, "a": "ü\u00e9\n\t\"\\\/ 😀 \u0001 中文", "bb": [1e2, 0.1E-3, -0, 12345678901234567890.123, 1.0e-10],
      "id": "x", "nested": {"bbb": false, "a": null, "aa": {}}, "empty": []}`;
    const rows = (await database.db.query<{ text: string }>('SELECT $1::text::jsonb::text AS text', [input])).rows;
    t.is(rows[0]!.text, String.raw`{"a": "üé\n\t\"\\/ 😀 \u0001 中文", "z": 1.50, "bb": [100, 0.0001, 0, 12345678901234567890.123, 0.00000000010], "id": "x", "empty": [], "nested": {"a": null, "aa": {}, "bbb": false}}`);
  } finally {
    await database.drop();
  }
});

test.serial('sealing a few hundred records, some committed late by long transactions, yields one gapless chain', async (t) => {
  const a = await setup();
  try {
    let n = 0;
    const ids: string[] = [];
    // A long transaction takes its history seqs first (the read flushes its writes) and commits
    // after later records were written and sealed. PGlite has a single connection, so there the
    // transactions cannot overlap and run one after the other.
    const longTransaction = async (hold: Promise<void>, started: () => void) => {
      const from = n;
      n += 20;
      return a.engine.repo.transaction(async (repo) => {
        const mine: string[] = [];
        for (let i = from; i < from + 20; i++) mine.push((await repo.create(auditEvent(i))).version.id);
        await repo.read('AuditEvent', mine[0]!);
        started();
        await hold;
        return mine;
      });
    };
    const overlapping = usingPostgres();
    for (let round = 0; round < 3; round++) {
      let release = () => {};
      const hold = overlapping ? new Promise<void>((r) => { release = r; }) : Promise.resolve();
      let started = () => {};
      const running = new Promise<void>((r) => { started = r; });
      const long = longTransaction(hold, started);
      if (!overlapping) ids.push(...await long);
      await Promise.race([running, long]);
      for (let i = 0; i < 10; i++) ids.push((await a.engine.repo.create(auditEvent(n++))).version.id);
      ids.push(...await createEvents(a.engine, n, 70));
      n += 70;
      t.true(await sealAuditChain(a.db) > 0);
      release();
      if (overlapping) ids.push(...await long);
    }
    t.is(await sealAll(a.db), overlapping ? 20 : 0, 'the last long transaction, committed after the last seal, was queued');
    t.is(ids.length, 300);

    const chain = await chainRows(a.db);
    t.deepEqual(chain.map((r) => r.seq), chain.map((_, i) => String(i + 1)), 'seq runs 1..N without gaps');
    const sorted = (values: string[]) => [...values].sort();
    t.deepEqual(sorted(chain.map((r) => r.resource_id)), sorted(ids));
    const historySeqs = (await a.db.query<{ seq: string }>(
      `SELECT seq::text AS seq FROM fhir_resource_history WHERE resource_type = 'AuditEvent'`)).rows.map((r) => r.seq);
    t.deepEqual(sorted(chain.map((r) => r.history_seq)), sorted(historySeqs), 'every AuditEvent version is sealed exactly once');
    let prev = genesisHash;
    for (const row of chain) {
      t.is(row.prev_hash, prev);
      t.is(row.hash, createHash('sha256').update(`${prev}\n${row.history_seq}\n${row.resource_id}\n${row.content}`).digest('hex'));
      prev = row.hash;
    }
    if (overlapping) {
      t.true(chain.some((r, i) => i > 0 && BigInt(r.history_seq) < BigInt(chain[i - 1]!.history_seq)),
        'records committed late are sealed after records with later history seqs');
    }
    t.is(await count(a.db, 'SELECT count(*) AS n FROM audit_unsealed'), 0);
    t.deepEqual(await verifyAuditChain(a.db, { batchSize: 7 }), { ok: true, checked: 300, unsealed: 0, unchained: 0 });
  } finally {
    await teardown(a);
  }
});

test.serial('AuditEvents stored before the audit tables were installed are queued and sealed', async (t) => {
  const database = await createTestDatabase({ empty: true });
  const engine = await createFhirEngine({ db: database.db, timezone: 'Asia/Shanghai' });
  try {
    const ids = await createEvents(engine, 0, 5);
    t.deepEqual(await migrateAuditChain(database.db), ['audit/001-audit-chain.sql']);
    t.deepEqual(await migrateAuditChain(database.db), [], 'recorded under its namespace, applied once');
    t.is(await count(database.db, 'SELECT count(*) AS n FROM audit_unsealed'), 5);
    t.is(await sealAll(database.db), 5);
    t.deepEqual((await chainRows(database.db)).map((r) => r.resource_id).sort(), [...ids].sort());
    t.deepEqual(await verifyAuditChain(database.db), { ok: true, checked: 5, unsealed: 0, unchained: 0 });
  } finally {
    await engine.idle();
    await database.drop();
  }
});

test.serial('verifying an empty chain reports it intact', async (t) => {
  const a = await setup();
  try {
    t.deepEqual(await verifyAuditChain(a.db), { ok: true, checked: 0, unsealed: 0, unchained: 0 });
  } finally {
    await teardown(a);
  }
});

test.serial('records not sealed yet are counted with their age, and are no break', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 4);
    await sealAll(a.db);
    await createEvents(a.engine, 4, 3);
    const report = await verifyAuditChain(a.db);
    t.true(report.ok);
    t.is(report.checked, 4);
    t.is(report.unsealed, 3);
    t.true(report.oldestUnsealedSeconds !== undefined && report.oldestUnsealedSeconds >= 0 && report.oldestUnsealedSeconds < 60);
    t.is(await count(a.db, 'SELECT count(*) AS n FROM audit_chain'), 4, 'verification seals nothing');
  } finally {
    await teardown(a);
  }
});

test.serial('content edited in a history row with SQL is the first broken link, at exactly its seq', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 30);
    await sealAll(a.db);
    const target = (await chainRows(a.db))[16]!;
    const edit = `UPDATE fhir_resource_history SET content = jsonb_set(content, '{outcome}', '"4"') WHERE seq = $1`;
    const refused = await t.throwsAsync(a.db.query(edit, [target.history_seq]));
    t.is(sqlState(refused), auditSqlState.appendOnly, 'the trigger refuses the edit');
    await tamper(a.db, 'fhir_resource_history', edit, [target.history_seq]);
    t.is(await count(a.db, `SELECT count(*) AS n FROM fhir_resource_history WHERE seq = $1 AND content->>'outcome' = '4'`, [target.history_seq]), 1);

    const report = await verifyAuditChain(a.db, { batchSize: 5 });
    t.false(report.ok);
    t.is(report.checked, 16);
    t.deepEqual(report.firstBroken, {
      seq: 17, historySeq: Number(target.history_seq), resourceId: target.resource_id, reason: 'content changed after sealing (hash mismatch)',
    });
  } finally {
    await teardown(a);
  }
});

test.serial('an edit of the current row in fhir_resource alone is reported', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 10);
    await sealAll(a.db);
    const target = (await chainRows(a.db))[3]!;
    const edit = `UPDATE fhir_resource SET content = jsonb_set(content, '{outcome}', '"8"') WHERE resource_type = 'AuditEvent' AND id = $1`;
    t.is(sqlState(await t.throwsAsync(a.db.query(edit, [target.resource_id]))), auditSqlState.appendOnly);
    await tamper(a.db, 'fhir_resource', edit, [target.resource_id]);

    const report = await verifyAuditChain(a.db);
    t.false(report.ok);
    t.deepEqual(report.firstBroken, {
      seq: 4, historySeq: Number(target.history_seq), resourceId: target.resource_id,
      reason: 'the current row in fhir_resource differs from the sealed content',
    });
  } finally {
    await teardown(a);
  }
});

test.serial('a deleted history row is reported as a deleted audit record', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 10);
    await sealAll(a.db);
    const target = (await chainRows(a.db))[5]!;
    const remove = 'DELETE FROM fhir_resource_history WHERE seq = $1';
    t.is(sqlState(await t.throwsAsync(a.db.query(remove, [target.history_seq]))), auditSqlState.appendOnly);
    await tamper(a.db, 'fhir_resource_history', remove, [target.history_seq]);

    const report = await verifyAuditChain(a.db);
    t.false(report.ok);
    t.is(report.checked, 5);
    t.deepEqual(report.firstBroken, {
      seq: 6, historySeq: Number(target.history_seq), resourceId: target.resource_id,
      reason: 'the sealed history row is missing (audit record deleted)',
    });
  } finally {
    await teardown(a);
  }
});

test.serial('a link removed from audit_chain is reported at the gap', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 10);
    await sealAll(a.db);
    const after = (await chainRows(a.db))[7]!;
    await tamper(a.db, 'audit_chain', 'DELETE FROM audit_chain WHERE seq = 7');
    const report = await verifyAuditChain(a.db, { batchSize: 3 });
    t.false(report.ok);
    t.is(report.checked, 6);
    t.deepEqual(report.firstBroken, {
      seq: 8, historySeq: Number(after.history_seq), resourceId: after.resource_id,
      reason: 'link 7 is missing before this one (removed from audit_chain)',
    });
  } finally {
    await teardown(a);
  }
});

test.serial('UPDATE, DELETE and TRUNCATE on audit_chain are refused by the database', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 5);
    await sealAll(a.db);
    const before = await chainRows(a.db);
    for (const sql of [`UPDATE audit_chain SET hash = repeat('f', 64) WHERE seq = 2`, 'DELETE FROM audit_chain WHERE seq = 5', 'TRUNCATE audit_chain']) {
      const err = await t.throwsAsync(a.db.query(sql));
      t.is(sqlState(err), auditSqlState.chainAppendOnly, sql);
    }
    t.deepEqual(await chainRows(a.db), before);
  } finally {
    await teardown(a);
  }
});

test.serial('updating or deleting an AuditEvent through the repository fails and writes nothing', async (t) => {
  const a = await setup();
  try {
    const [id] = await createEvents(a.engine, 0, 1);
    await sealAll(a.db);
    const stored = JSON.parse((await a.engine.repo.read('AuditEvent', id!)).json!) as Resource;
    const snapshot = () => a.db.query(`SELECT
        (SELECT count(*) FROM fhir_resource_history) AS history,
        (SELECT count(*) FROM fhir_resource) AS current,
        (SELECT count(*) FROM audit_unsealed) AS unsealed,
        (SELECT content::text FROM fhir_resource WHERE resource_type = 'AuditEvent' AND id = $1) AS content,
        (SELECT version_id FROM fhir_resource WHERE resource_type = 'AuditEvent' AND id = $1) AS version`, [id]);
    const before = (await snapshot()).rows;

    t.is(sqlState(await t.throwsAsync(a.engine.repo.update({ ...stored, outcome: '4' } as Resource))), auditSqlState.appendOnly);
    t.is(sqlState(await t.throwsAsync(a.engine.repo.delete('AuditEvent', id!))), auditSqlState.appendOnly);
    // In a transaction, the other writes beside it are rolled back with it.
    const mixed = a.engine.repo.transaction(async (repo) => {
      await repo.create({ resourceType: 'Patient', name: [{ family: '王' }] } as Resource);
      await repo.update({ ...stored, outcome: '8' } as Resource);
    });
    t.is(sqlState(await t.throwsAsync(mixed)), auditSqlState.appendOnly);

    t.deepEqual((await snapshot()).rows, before);
    t.is(await count(a.db, `SELECT count(*) AS n FROM fhir_resource WHERE resource_type = 'Patient'`), 0);
    t.true((await verifyAuditChain(a.db)).ok);
  } finally {
    await teardown(a);
  }
});

test.serial('an AuditEvent written past the queueing trigger is reported as outside the chain', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 3);
    await sealAll(a.db);
    let slipped = '';
    await a.db.transaction(async (tx) => {
      await tx.query('ALTER TABLE fhir_resource_history DISABLE TRIGGER audit_queue_for_sealing');
      slipped = (await tx.query<{ id: string }>(
        `INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, method, content)
         VALUES ('AuditEvent', 'slipped', 1, now(), 'POST', $1::text::jsonb) RETURNING id`, [JSON.stringify({ ...auditEvent(9), id: 'slipped' })])).rows[0]!.id;
      await tx.query('ALTER TABLE fhir_resource_history ENABLE TRIGGER audit_queue_for_sealing');
    });
    t.is(await sealAll(a.db), 0);
    const report = await verifyAuditChain(a.db);
    t.false(report.ok);
    t.is(report.firstBroken, undefined);
    t.is(report.checked, 3);
    t.is(report.unchained, 1);
    t.is(report.firstUnchained?.resourceId, slipped);
  } finally {
    await teardown(a);
  }
});

test.serial('concurrent sealers never fork the chain', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 200);
    const sealers = [startAuditSealer(a.db, { intervalMs: 1, batchSize: 7 }), startAuditSealer(a.db, { intervalMs: 1, batchSize: 11 })];
    const direct = async () => {
      for (let i = 0; i < 15; i++) await sealAuditChain(a.db, { batchSize: 13 });
    };
    const writers = async () => {
      for (let i = 0; i < 10; i++) await createEvents(a.engine, 200 + i * 20, 20);
    };
    await Promise.all([direct(), direct(), direct(), writers(), ...sealers.map((s) => s.sealNow())]);
    await Promise.all(sealers.map((s) => s.sealNow()));
    await Promise.all(sealers.map((s) => s.stop()));
    await sealAll(a.db);

    const chain = await chainRows(a.db);
    t.is(chain.length, 400);
    t.deepEqual(chain.map((r) => r.seq), chain.map((_, i) => String(i + 1)));
    t.is(new Set(chain.map((r) => r.prev_hash)).size, 400, 'no two links share a predecessor');
    t.is(new Set(chain.map((r) => r.history_seq)).size, 400);
    t.deepEqual(await verifyAuditChain(a.db), { ok: true, checked: 400, unsealed: 0, unchained: 0 });
  } finally {
    await teardown(a);
  }
});

(usingPostgres() ? test.serial : test.skip)('a sealer finding another one at work leaves the records to it', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 5);
    let release = () => {};
    const held = new Promise<void>((r) => { release = r; });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => { locked = r; });
    const other = a.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [sealLockKey]);
      locked();
      await held;
    });
    await isLocked;
    t.is(await sealAuditChain(a.db), 0);
    t.is(await count(a.db, 'SELECT count(*) AS n FROM audit_unsealed'), 5);
    release();
    await other;
    t.is(await sealAuditChain(a.db), 5);
  } finally {
    await teardown(a);
  }
});

test.serial('the background sealer seals on its timer and on demand, and logs the new head', async (t) => {
  const a = await setup();
  try {
    const logged: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = { info: (obj: object, msg: string) => { logged.push({ obj: obj as Record<string, unknown>, msg }); }, error: () => {} };
    const sealer = startAuditSealer(a.db, { intervalMs: 20, batchSize: 4, log });
    await createEvents(a.engine, 0, 10);
    for (let i = 0; i < 200 && await count(a.db, 'SELECT count(*) AS n FROM audit_chain') < 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    t.is(await count(a.db, 'SELECT count(*) AS n FROM audit_chain'), 10, 'sealed by the timer');
    await createEvents(a.engine, 10, 9);
    // The timer may seal some of the nine before sealNow runs; sealNow seals whatever is left, in batches.
    const sealed = await sealer.sealNow();
    t.true(sealed >= 0 && sealed <= 9);
    t.is(await count(a.db, 'SELECT count(*) AS n FROM audit_chain'), 19, 'sealNow seals in batches until nothing is left');
    await sealer.stop();
    await t.throwsAsync(sealer.sealNow());
    const head = (await chainRows(a.db)).at(-1)!;
    const last = logged.at(-1)!;
    t.is(last.msg, 'Sealed audit records');
    t.like(last.obj, { headSeq: '19', headHash: head.hash });
    t.true(typeof last.obj.sealed === 'number' && last.obj.sealed >= 1 && last.obj.sealed <= 4, 'batches of at most 4');
  } finally {
    await teardown(a);
  }
});

test.serial('a failing seal is logged, never thrown out of the timer, and stop still resolves', async (t) => {
  const errors: unknown[] = [];
  const broken = {
    kind: 'postgres' as const,
    query: () => Promise.reject(new Error('connection lost')),
    transaction: () => Promise.reject(new Error('connection lost')),
    close: async () => {},
  } as Database;
  const sealer = startAuditSealer(broken, { intervalMs: 5, log: { info: () => {}, error: (obj) => { errors.push(obj); } } });
  for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  await sealer.stop();
  t.true(errors.length >= 2, 'the timer kept going after a failure');
  t.is(((errors[0] as { err: Error }).err).message, 'connection lost');
});

function runVerify(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
      cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000,
    }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr });
    });
  });
}

test.serial('npm run audit:verify exits 0 on an intact chain, 1 after tampering, 2 while the server holds the database', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'his-audit-'));
  const env = { DATA_DIR: dir, DATABASE_URL: '' };
  try {
    const missing = await runVerify(env);
    t.is(missing.code, 2);
    t.regex(missing.out, /No database in/);

    let db = await openDatabase({ dataDir: dir });
    const engine = await createFhirEngine({ db, timezone: 'Asia/Shanghai' });
    await migrateAuditChain(db);
    await createEvents(engine, 0, 6);
    await sealAll(db);
    await createEvents(engine, 6, 2);
    await engine.idle();
    await db.close();

    const intact = await runVerify(env);
    t.is(intact.code, 0, intact.out);
    t.regex(intact.out, /intact: 6 records verified, 2 awaiting sealing/);

    db = await openDatabase({ dataDir: dir });
    const target = (await chainRows(db))[2]!;
    await tamper(db, 'fhir_resource_history', `UPDATE fhir_resource_history SET content = jsonb_set(content, '{action}', '"D"') WHERE seq = $1`,
      [target.history_seq]);
    const busy = await runVerify(env);
    t.is(busy.code, 2, 'the open database is refused');
    t.regex(busy.out, /in use by process \d+.*Stop the server/s);
    await db.close();

    const after = await runVerify(env);
    t.is(after.code, 1, after.out);
    t.regex(after.out, new RegExp(`seq 3, AuditEvent/${target.resource_id} \\(history seq ${target.history_seq}\\): content changed after sealing`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

(usingPostgres() ? test.serial : test.skip)('npm run audit:verify checks a PostgreSQL database given by DATABASE_URL', async (t) => {
  const a = await setup();
  try {
    await createEvents(a.engine, 0, 4);
    await sealAll(a.db);
    const intact = await runVerify({ DATABASE_URL: a.database.url! });
    t.is(intact.code, 0, intact.out);
    t.regex(intact.out, /intact: 4 records verified, none awaiting sealing/);
    const readOnly = new URL(a.database.url!);
    readOnly.searchParams.set('options', '-c default_transaction_read_only=on');
    const unwritable = await runVerify({ DATABASE_URL: readOnly.toString() });
    t.is(unwritable.code, 0, `verification writes nothing, so a read-only session will do: ${unwritable.out}`);
    await tamper(a.db, 'audit_chain', 'DELETE FROM audit_chain WHERE seq = 1');
    const broken = await runVerify({ DATABASE_URL: a.database.url! });
    t.is(broken.code, 1, broken.out);
    t.regex(broken.out, /seq 2, .*link 1 is missing/);
  } finally {
    await teardown(a);
  }
});
