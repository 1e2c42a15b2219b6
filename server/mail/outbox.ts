// The outbox: with no SMTP server configured, every message is kept as an .eml file (the raw RFC 5322
// message, as it would have gone out) so that a test installation or a hospital still setting up
// mail can see what patients would have received. Only the newest `keep` files are kept.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutboxEntry {
  file: string;
  /** The Date header (RFC 5322 §3.6.1) as an ISO instant, or the file's time when it has none. */
  date: string;
  to: string;
  subject: string;
}

export interface Outbox {
  readonly directory: string;
  /** Stores one raw message; returns its file name. */
  write(raw: Buffer): Promise<string>;
  /** The stored messages, newest first. */
  list(): Promise<OutboxEntry[]>;
  /** The raw message of `file`, or null when there is none of that name (or the name is not an outbox name). */
  read(file: string): Promise<Buffer | null>;
}

/**
 * `2026-12-02T15-28-00.123Z-0a1b2c3d4e5f.eml`: the ISO time (colons, which some file systems refuse,
 * as hyphens) sorts by name in time order; the random part keeps two messages of one millisecond apart.
 * Nothing else is an outbox file, which also keeps a requested name from leaving the folder.
 */
export const outboxFileName = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]{12}\.eml$/;

// Header fields are read from the first bytes only: they come before the body, which can be large.
const headLimit = 16 * 1024;

export function createOutbox(directory: string, options: { keep?: number } = {}): Outbox {
  const keep = options.keep ?? 1000;
  let ready: Promise<unknown> | undefined;
  // One prune at a time, and not after every message: a burst of notices (a rush of bookings) would
  // otherwise list the folder and race to remove the same files once per message.
  let pruning: Promise<void> | undefined;
  let writtenSincePrune = 0;

  async function prune(): Promise<void> {
    const files = (await readdir(directory)).filter((f) => outboxFileName.test(f)).sort();
    for (const file of files.slice(0, Math.max(0, files.length - keep))) {
      await unlink(join(directory, file)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err; // another process pruned it first
      });
    }
  }

  return {
    directory,
    async write(raw) {
      ready ??= mkdir(directory, { recursive: true });
      await ready;
      const file = `${new Date().toISOString().replace(/:/g, '-')}-${randomBytes(6).toString('hex')}.eml`;
      // 0600: the messages hold patient data and one-time codes.
      await writeFile(join(directory, file), raw, { mode: 0o600, flag: 'wx' });
      if (++writtenSincePrune >= Math.max(1, Math.ceil(keep / 20)) && !pruning) {
        writtenSincePrune = 0;
        pruning = prune().finally(() => { pruning = undefined; });
        await pruning;
      }
      return file;
    },
    async list() {
      let files: string[];
      try {
        files = (await readdir(directory)).filter((f) => outboxFileName.test(f)).sort().reverse();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const entries: OutboxEntry[] = [];
      for (const file of files) {
        const path = join(directory, file);
        let head: string;
        try {
          const handle = await open(path, 'r');
          try {
            const { buffer, bytesRead } = await handle.read(Buffer.alloc(headLimit), 0, headLimit, 0);
            head = buffer.subarray(0, bytesRead).toString('utf8');
          } finally {
            await handle.close();
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // pruned meanwhile
          throw err;
        }
        const fields = headerFields(head);
        const date = fields.date ? new Date(fields.date) : undefined;
        entries.push({
          file,
          date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : (await stat(path)).mtime.toISOString(),
          to: decodeEncodedWords(fields.to ?? ''),
          subject: decodeEncodedWords(fields.subject ?? ''),
        });
      }
      return entries;
    },
    async read(file) {
      if (!outboxFileName.test(file)) return null;
      try {
        return await readFile(join(directory, file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}

/** Header fields by lower-case name, unfolded (RFC 5322 §2.2.3), first occurrence. */
function headerFields(head: string): Record<string, string> {
  const end = head.search(/\r?\n\r?\n/);
  const fields: Record<string, string> = {};
  for (const line of (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon).trim().toLowerCase()] ??= line.slice(colon + 1).trim();
  }
  return fields;
}

/**
 * Encoded words (RFC 2047 §4) back to text. Adjacent words are one run — the white space between
 * them is not part of the text (§6.2) — and a character may be split across words, so a run's bytes
 * are joined before decoding.
 */
export function decodeEncodedWords(value: string): string {
  return value.replace(/=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)*/g, (run) => {
    const words = [...run.matchAll(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g)];
    const bytes = Buffer.concat(words.map(([, , kind, data]) => (kind!.toUpperCase() === 'B'
      ? Buffer.from(data!, 'base64')
      : Buffer.from(data!.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1'))));
    const charset = words[0]![1]!.split('*')[0]!;
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      return run;
    }
  });
}
