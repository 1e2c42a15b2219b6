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

export async function runImport(paths: string[], sink: ImportSink, progress?: Progress): Promise<ImportSummary> {
  const files = collectFiles(paths);
  const started = Date.now();
  const summary: ImportSummary = { files: files.length, transactions: 0, resources: 0, seconds: 0, failures: [] };
  let done = 0;
  for (const file of files) {
    try {
      const transactions: AsyncIterable<Resource> | Resource[] = isNdjson(file)
        ? mapChunks(ndjsonChunks(file, ndjsonChunkSize))
        : [idempotentTransaction(await readJsonFile(file))];
      for await (const bundle of transactions) {
        summary.resources += await sink.submit(bundle);
        summary.transactions++;
      }
    } catch (err) {
      summary.failures.push({ file, error: describeError(err) });
    }
    done++;
    progress?.update({ files: done, totalFiles: files.length, resources: summary.resources, failed: summary.failures.length, file });
  }
  progress?.done();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

async function* mapChunks(chunks: AsyncGenerator<Resource[]>): AsyncGenerator<Resource> {
  for await (const chunk of chunks) yield resourcesTransaction(chunk);
}
