// npm run import -- <files|folders> [--url http://host:port/fhir] [--token ACCESS_TOKEN]
// Loads FHIR Bundles (.json, .json.gz) and NDJSON (.ndjson, .ndjson.gz). Goes through the running
// server when one answers (PGlite allows one process per data directory), else opens the database itself.
// Through a server it needs credentials: --token, or the bootstrap system client
// (HIS_BOOTSTRAP_CLIENT_ID / HIS_BOOTSTRAP_CLIENT_SECRET, the same values the server was given).
import { loadConfig } from '../server/config.ts';
import { createFhirEngine, openDatabase } from '../fhir/index.ts';
import { runImport } from '../server/import/run.ts';
import { engineSink, httpSink, type ImportSink } from '../server/import/sinks.ts';
import { createProgress } from '../server/import/progress.ts';
import { clientCredentialsToken } from '../server/auth/client-token.ts';

function usage(): never {
  console.error('usage: npm run import -- <file|folder>... [--url http://host:port/fhir] [--token ACCESS_TOKEN]');
  process.exit(2);
}

async function serverAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const paths: string[] = [];
  let url: string | undefined;
  let token: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--url') url = args[++i] ?? usage();
    else if (args[i] === '--token') token = args[++i] ?? usage();
    else if (args[i].startsWith('--')) usage();
    else paths.push(args[i]);
  }
  if (paths.length === 0) usage();
  const config = loadConfig();
  const local = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  let sink: ImportSink;
  let close = async () => {};
  const credentials = async (serverUrl: string): Promise<Record<string, string>> => {
    if (token) return { authorization: `Bearer ${token}` };
    if (!config.bootstrapClient) {
      throw new Error('The server needs credentials: pass --token, or set HIS_BOOTSTRAP_CLIENT_ID and HIS_BOOTSTRAP_CLIENT_SECRET as the server has them');
    }
    return { authorization: `Bearer ${await clientCredentialsToken(serverUrl, config.bootstrapClient)}` };
  };
  if (url) {
    const base = url.replace(/\/$/, '');
    sink = httpSink(base, await credentials(base.replace(/\/fhir$/, '')));
  } else if (await serverAnswers(`${local}/health/live`)) {
    console.error(`Importing through the running server at ${local}/fhir`);
    sink = httpSink(`${local}/fhir`, await credentials(local));
  } else {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const engine = await createFhirEngine({ db, timezone: config.timezone });
    console.error(`Importing into the ${db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL database'}`);
    sink = engineSink(engine);
    close = () => db.close();
  }
  try {
    const summary = await runImport(paths, sink, { concurrency: 2, progress: createProgress() });
    const rate = Math.round(summary.resources / Math.max(summary.seconds, 0.001));
    console.error(`${summary.files} files, ${summary.transactions} transactions, ${summary.resources} resources in ${summary.seconds.toFixed(1)} s (${rate} resources/s)`);
    for (const f of summary.failures) console.error(`FAILED ${f.file}: ${f.error}`);
    if (summary.failures.length > 0) console.error(`${summary.failures.length} of ${summary.files} files failed and left nothing behind`);
    return summary.failures.length > 0 ? 1 : 0;
  } finally {
    await close();
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  console.error(`import failed: ${err.message}`);
  process.exit(1);
});
