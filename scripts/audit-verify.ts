// npm run audit:verify
// Walks the AuditEvent hash chain (server/audit/) and reports the first broken link. Reads only
// (except to install the audit tables where they are missing): records not sealed yet are counted,
// not sealed. Exit code 0 = intact, 1 = broken, 2 = could not check.
// The embedded database (PGlite) allows one process per data directory: while the server holds it,
// the check runs through the server (GET /admin/audit/verify) when HIS_BOOTSTRAP_CLIENT_ID/_SECRET
// are set; otherwise stop the server first, or run against the PostgreSQL server (DATABASE_URL).
import { loadConfig } from '../server/config.ts';
import { openDatabase, type Database } from '../fhir/index.ts';
import { migrate } from '../fhir/storage/migrate.ts';
import { pgliteDataExists } from '../fhir/storage/pglite.ts';
import { migrateAuditChain } from '../server/audit/chain.ts';
import { verifyAuditChain, type AuditVerifyReport } from '../server/audit/verify.ts';
import { clientCredentialsToken } from '../server/auth/client-token.ts';

class CannotVerify extends Error {}

/** The server holding the embedded database answers instead (with the bootstrap system client). */
class AskServer extends Error {}

async function verifyThroughServer(): Promise<AuditVerifyReport> {
  const config = loadConfig();
  const base = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const token = await clientCredentialsToken(base, config.bootstrapClient!).catch((err: Error) => { throw new CannotVerify(err.message); });
  const res = await fetch(`${base}/admin/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new CannotVerify(`The server at ${base} answered HTTP ${res.status} to /admin/audit/verify.`);
  return await res.json() as AuditVerifyReport;
}

async function open(): Promise<Database> {
  const config = loadConfig();
  if (config.databaseUrl) return openDatabase({ databaseUrl: config.databaseUrl });
  if (!pgliteDataExists(config.dataDir)) {
    throw new CannotVerify(`No database in ${config.dataDir}. Set DATA_DIR to the server's data directory, or DATABASE_URL.`);
  }
  try {
    return await openDatabase({ dataDir: config.dataDir });
  } catch (err) {
    // fhir/storage/pglite.ts refuses a directory whose lock file names a live process.
    const holder = /in use by process (\d+)/.exec((err as Error).message)?.[1];
    if (holder && config.bootstrapClient) throw new AskServer();
    if (holder) {
      throw new CannotVerify(`The embedded database in ${config.dataDir} is in use by process ${holder} (the server?). `
        + 'Stop the server and run this again, or run it against the PostgreSQL server with DATABASE_URL.');
    }
    throw err;
  }
}

function describe(report: AuditVerifyReport): string[] {
  const waiting = report.unsealed === 0 ? 'none awaiting sealing'
    : `${report.unsealed} awaiting sealing (oldest ${(report.oldestUnsealedSeconds ?? 0).toFixed(1)} s)`;
  if (report.ok) return [`Audit chain intact: ${report.checked} records verified, ${waiting}.`];
  const lines = [`Audit chain BROKEN: ${report.checked} records verified before the first broken link, ${waiting}.`];
  const b = report.firstBroken;
  if (b) lines.push(`First broken link: seq ${b.seq}, AuditEvent/${b.resourceId} (history seq ${b.historySeq}): ${b.reason}.`);
  const u = report.firstUnchained;
  if (u) {
    const what = u.resourceId ? `AuditEvent/${u.resourceId}` : `history seq ${u.historySeq}`;
    lines.push(`${report.unchained} AuditEvent(s) outside the chain; first: ${what}: ${u.reason}.`);
  }
  return lines;
}

async function main(): Promise<number> {
  let db: Database;
  try {
    db = await open();
  } catch (err) {
    if (!(err instanceof AskServer)) throw err;
    const report = await verifyThroughServer();
    console.log(describe(report).join('\n'));
    return report.ok ? 0 : 1;
  }
  try {
    // Installed already (the server migrates at start): nothing is written, so a read-only
    // database role or a standby will do. Otherwise the engine's tables, which the audit
    // triggers sit on, and the audit tables are created first.
    const installed = await db.query<{ installed: boolean }>(`SELECT to_regclass('audit_chain') IS NOT NULL AS installed`);
    if (!installed.rows[0]?.installed) {
      await migrate(db);
      await migrateAuditChain(db);
    }
    const report = await verifyAuditChain(db);
    const lines = describe(report);
    console.log(lines.join('\n'));
    return report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  console.error(err instanceof CannotVerify ? err.message : `audit:verify failed: ${err.message}`);
  process.exit(2);
});
