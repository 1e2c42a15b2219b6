// Uploads go to STOW-RS in batches, so one request stays small and the progress bar moves.
/** At most this many files or bytes per STOW-RS request. */
const batchFiles = 50;
const batchBytes = 32 * 1024 * 1024;

/** Files in order, cut into batches; a file larger than a batch goes alone. */
export function batches(files: File[]): File[][] {
  const out: File[][] = [];
  let current: File[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= batchFiles || bytes + file.size > batchBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length) out.push(current);
  return out;
}
