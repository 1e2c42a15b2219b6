// npm run import:dicom -- <files|folders> [--url http://host:port] [--token ACCESS_TOKEN]
// Stores DICOM files (a modality's export, a CD's folder) through STOW-RS of the running server when one
// answers, else straight into the embedded database and DICOM_DIR (taking the same lock the server
// takes). Files go in batches of at most 20 instances / 20 MB; every refused file is listed with the
// server's reason, and the exit code is 1 when any was refused.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { clientCredentialsToken } from '../server/auth/client-token.ts';
import { openDatabase, createFhirEngine } from '../fhir/index.ts';
import { StudyIndex } from '../imaging/storage/study-index.ts';
import { FileBlobStore } from '../imaging/storage/blob-store.ts';
import { DicomStore } from '../imaging/ingest.ts';
import { StudyLinker } from '../server/imaging/link.ts';
import { setUpRadiology } from '../server/radiology/routes.ts';
import { stowBatches, type StowSink, type FileOutcome } from '../server/imaging/import-batches.ts';

/** Files a DICOM folder also holds that are never instances (readme, viewer, index). */
const notDicom = new Set(['.txt', '.md', '.json', '.html', '.htm', '.xml', '.pdf', '.jpg', '.jpeg', '.png', '.exe', '.inf', '.ini', '.zip']);

async function walk(path: string, out: string[]): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const entry of (await readdir(path)).sort()) if (!entry.startsWith('.')) await walk(join(path, entry), out);
  } else if (info.isFile() && !notDicom.has(extname(path).toLowerCase()) && !/^DICOMDIR$/i.test(path.split('/').pop() ?? '')) {
    out.push(path);
  }
}

function usage(): never {
  console.error('usage: npm run import:dicom -- <file|folder>... [--url http://host:port] [--token ACCESS_TOKEN]');
  process.exit(2);
}

function httpSink(base: string, headers: Record<string, string>): StowSink {
  return async (files) => {
    const boundary = `open-his-import-${Date.now().toString(36)}`;
    const chunks: Buffer[] = [];
    for (const f of files) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), f.bytes, Buffer.from('\r\n'));
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    const response = await fetch(`${base}/dicomweb/studies`, {
      method: 'POST', body: new Uint8Array(Buffer.concat(chunks)),
      headers: { ...headers, 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
    });
    if (![200, 202, 409].includes(response.status)) throw new Error(`the server answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const json = await response.json() as Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }>;
    const outcomes: FileOutcome[] = files.map(() => ({ ok: true }));
    for (const failed of json['00081198']?.Value ?? []) {
      const part = Number(failed['00091003']?.Value?.[0]) - 1;
      if (outcomes[part]) outcomes[part] = { ok: false, reason: String(failed['00091002']?.Value?.[0] ?? `FailureReason ${failed['00081197']?.Value?.[0]}`) };
    }
    return outcomes;
  };
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
  const files: string[] = [];
  for (const p of paths) await walk(p, files);
  const config = loadConfig();
  const local = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const base = (url ?? local).replace(/\/$/, '');
  let sink: StowSink;
  let close = async () => {};
  const answers = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
  if (url || answers) {
    let authorization = token ? `Bearer ${token}` : undefined;
    if (!authorization) {
      if (!config.bootstrapClient) throw new Error('The server needs credentials: pass --token, or set HIS_BOOTSTRAP_CLIENT_ID and HIS_BOOTSTRAP_CLIENT_SECRET as the server has them');
      authorization = `Bearer ${await clientCredentialsToken(base, config.bootstrapClient)}`;
    }
    console.error(`Storing through the running server at ${base}/dicomweb`);
    sink = httpSink(base, { authorization });
  } else {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const engine = await createFhirEngine({ db, timezone: config.timezone });
    await setUpRadiology(db, engine);
    const index = await StudyIndex.open(db);
    const store = new DicomStore({ db, index, blobs: new FileBlobStore(config.dicomDir), log: { error: (obj, msg) => console.error(msg, obj) } });
    const linker = new StudyLinker({ engine, index, timezone: config.timezone, dicomwebUrl: () => `${config.publicUrl ?? local}/dicomweb`, log: { error: (obj, msg) => console.error(msg, obj) } });
    store.onStudiesStored((uids) => linker.link(uids));
    console.error(`Storing into the ${db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL database'} and ${config.dicomDir}`);
    sink = async (batch) => (await store.store(batch.map((f) => ({ bytes: f.bytes })))).map((o) => (o.status === 'failed' ? { ok: false, reason: o.message } : { ok: true }));
    close = async () => { await store.idle(); await engine.idle(); await db.close(); };
  }
  try {
    const summary = await stowBatches(files, (path) => readFile(path), sink, { stream: process.stderr });
    console.error(`${summary.stored} of ${files.length} files stored in ${summary.seconds.toFixed(1)} s (${Math.round(summary.stored / Math.max(summary.seconds, 0.001))} instances/s, ${(summary.bytes / 1048576 / Math.max(summary.seconds, 0.001)).toFixed(1)} MB/s)`);
    for (const f of summary.failures) console.error(`REFUSED ${f.path}: ${f.reason}`);
    return summary.failures.length > 0 ? 1 : 0;
  } finally {
    await close();
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  console.error(`import:dicom failed: ${err.message}`);
  process.exit(1);
});
