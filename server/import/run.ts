// `npm run import`: every file becomes one or more transactions (one per Bundle, or per chunk of an
// NDJSON file); a failed transaction leaves nothing behind and is reported in the summary.
import type { Resource } from '../../fhir/index.ts';
import { collectFiles, isNdjson, ndjsonChunks, readJsonFile } from './sources.ts';
import { idempotentTransaction, resourcesTransaction } from './idempotent.ts';
import { describeError, type ImportSink } from './sinks.ts';
import type { Progress } from './progress.ts';

export interface ImportSummary {
  files: number;
  transactions: number;
  resources: number;
  seconds: number;
  failures: { file: string; error: string }[];
}

const ndjsonChunkSize = 500;

export interface ImportOptions {
  /**
   * Files in flight at once. Two keep a PostgreSQL server and this process both busy on a 2-core
   * machine; the embedded database runs one transaction at a time whatever this says.
   */
  concurrency?: number;
  progress?: Progress;
}

export async function runImport(paths: string[], sink: ImportSink, options: ImportOptions = {}): Promise<ImportSummary> {
  const files = collectFiles(paths);
  const started = Date.now();
  const summary: ImportSummary = { files: files.length, transactions: 0, resources: 0, seconds: 0, failures: [] };
  let done = 0;
  let next = 0;
  const importFile = async (file: string) => {
    try {
      const transactions: AsyncIterable<Resource> | Resource[] = isNdjson(file)
        ? mapChunks(ndjsonChunks(file, ndjsonChunkSize))
        : [idempotentTransaction(await readJsonFile(file))];
      for await (const bundle of transactions) {
        const written = await sink.submit(bundle);
        summary.resources += written;
        summary.transactions++;
      }
    } catch (err) {
      summary.failures.push({ file, error: describeError(err) });
    }
    done++;
    options.progress?.update({ files: done, totalFiles: files.length, resources: summary.resources, failed: summary.failures.length, file });
  };
  const worker = async () => {
    while (next < files.length) await importFile(files[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  options.progress?.done();
  summary.failures.sort((a, b) => a.file.localeCompare(b.file));
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

async function* mapChunks(chunks: AsyncGenerator<Resource[]>): AsyncGenerator<Resource> {
  for await (const chunk of chunks) yield resourcesTransaction(chunk);
}
