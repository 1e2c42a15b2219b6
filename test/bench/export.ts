// npm run bench:export — Bulk Data $export of everything loaded: resources/s, MB/s and peak memory of
// the server process, with references measured in the same run on the same rows: one query fetching
// every stored JSON text (the floor), and the export's keyset pages read alone (no job, HTTP or files). Loads the Synthea bundles of ../shared/data/fhir/synthea
// (or BENCH_SYNTHEA_DIR) into a fresh database (PGlite, or DATABASE_URL) through the importer.

import { fileURLToPath } from 'node:url';
import { startTestServer, request } from '../helpers/server.ts';
import { runImport } from '../../server/import/run.ts';
import { engineSink } from '../../server/import/sinks.ts';
import { exportRows, typesWithData } from '../../fhir/bulk/export-rows.ts';

const synthea = process.env.BENCH_SYNTHEA_DIR ?? fileURLToPath(new URL('../../../shared/data/fhir/synthea/', import.meta.url));
const server = await startTestServer();
try {
  const loaded = await runImport([synthea], engineSink(server.app.engine), { concurrency: 2 });
  const total = Number((await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM fhir_resource WHERE NOT deleted')).rows[0]!.n);
  console.log(`loaded ${loaded.resources} resources from ${loaded.files} files in ${loaded.seconds.toFixed(1)} s (${total} current resources; ${server.app.db.kind})`);

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const before = process.memoryUsage().rss;

  // The floor: one query bringing every stored JSON text to this process (what any export must move).
  const scanStart = performance.now();
  const scannedRows = (await server.app.db.query<{ json: string }>('SELECT content::text AS json FROM fhir_resource WHERE NOT deleted')).rows;
  const scanMs = performance.now() - scanStart;
  const scanned = { n: scannedRows.length, bytes: scannedRows.reduce((n, r) => n + Buffer.byteLength(r.json), 0) };
  scannedRows.length = 0;

  // The export's own reads without the job around them (no HTTP, no files): what the pages cost.
  const rowsStart = performance.now();
  let rowCount = 0;
  for (const type of await typesWithData(server.app.db)) {
    for await (const lines of exportRows(server.app.db, type)) rowCount += lines.length;
  }
  const rowsMs = performance.now() - rowsStart;

  const start = performance.now();
  const kick = await request(server, 'GET', '$export', { headers: { prefer: 'respond-async' } });
  const location = kick.headers.get('content-location')!;
  let manifest: { output: { type: string; url: string; count: number }[] } | undefined;
  while (!manifest) {
    const res = await request(server, 'GET', location);
    if (res.status === 200) manifest = res.body;
    else await new Promise((r) => setTimeout(r, 50));
  }
  const exportMs = performance.now() - start;
  let bytes = 0;
  const downloadStart = performance.now();
  for (const o of manifest.output) bytes += (await (await server.fetch(o.url)).arrayBuffer()).byteLength;
  const downloadMs = performance.now() - downloadStart;
  clearInterval(sampler);
  const exported = manifest.output.reduce((n, o) => n + o.count, 0);
  const mb = bytes / 1e6;
  console.log(`export: ${exported} resources in ${manifest.output.length} files, ${mb.toFixed(1)} MB, ${(exportMs / 1000).toFixed(2)} s`
    + ` → ${Math.round(exported / (exportMs / 1000))} resources/s, ${(mb / (exportMs / 1000)).toFixed(1)} MB/s`);
  console.log(`download of the files: ${(downloadMs / 1000).toFixed(2)} s (${(mb / (downloadMs / 1000)).toFixed(1)} MB/s)`);
  console.log(`reference, one query fetching every stored JSON text: ${scanned.n} rows, ${(scanned.bytes / 1e6).toFixed(1)} MB in ${(scanMs / 1000).toFixed(2)} s`
    + ` → ${Math.round(scanned.n / (scanMs / 1000))} rows/s`);
  console.log(`reference, the export's keyset pages read alone: ${rowCount} rows in ${(rowsMs / 1000).toFixed(2)} s → ${Math.round(rowCount / (rowsMs / 1000))} rows/s`);
  console.log(`memory: RSS ${Math.round(before / 1e6)} MB before, peak ${Math.round(peak / 1e6)} MB during the export (+${Math.round((peak - before) / 1e6)} MB)`);
  if (exported !== total) throw new Error(`exported ${exported}, stored ${total}`);
} finally {
  await server.stop();
}

