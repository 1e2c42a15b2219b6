// Sending many DICOM files in batches (at most 20 instances or 20 MB per STOW request, two requests in
// flight), with a progress bar on a terminal and one line per batch in a log.

export interface FileOutcome { ok: boolean; reason?: string }
export type StowSink = (files: { path: string; bytes: Buffer }[]) => Promise<FileOutcome[]>;

export interface BatchSummary {
  stored: number;
  bytes: number;
  seconds: number;
  failures: { path: string; reason: string }[];
}

const MAX_FILES = 20;
const MAX_BYTES = 20 * 1024 * 1024;

export async function stowBatches(paths: string[], read: (path: string) => Promise<Buffer>, sink: StowSink, options: { stream?: NodeJS.WriteStream; concurrency?: number } = {}): Promise<BatchSummary> {
  const started = Date.now();
  const summary: BatchSummary = { stored: 0, bytes: 0, seconds: 0, failures: [] };
  let done = 0;
  let next = 0;
  const stream = options.stream;
  const report = () => {
    if (!stream) return;
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const width = 24;
    const filled = paths.length === 0 ? width : Math.round((done / paths.length) * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${paths.length} files · ${Math.round(summary.stored / seconds)} instances/s · ${(summary.bytes / 1048576 / seconds).toFixed(1)} MB/s${summary.failures.length ? ` · ${summary.failures.length} refused` : ''}`;
    stream.write(stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  };
  const worker = async () => {
    while (next < paths.length) {
      const batch: { path: string; bytes: Buffer }[] = [];
      let size = 0;
      while (next < paths.length && batch.length < MAX_FILES && (batch.length === 0 || size < MAX_BYTES)) {
        const path = paths[next++];
        try {
          const bytes = await read(path);
          batch.push({ path, bytes });
          size += bytes.length;
        } catch (err) {
          summary.failures.push({ path, reason: `cannot be read: ${(err as Error).message}` });
          done++;
        }
      }
      if (batch.length === 0) continue;
      const outcomes = await sink(batch);
      outcomes.forEach((o, i) => {
        if (o.ok) {
          summary.stored++;
          summary.bytes += batch[i].bytes.length;
        } else summary.failures.push({ path: batch[i].path, reason: o.reason ?? 'refused' });
      });
      done += batch.length;
      report();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
  if (stream?.isTTY) stream.write('\n');
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
