// What `npm run import` reads: FHIR JSON files (a Bundle or a single resource), gzipped JSON, and
// NDJSON (one resource per line, as Bulk Data exports write it), from files or whole folders.
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Resource } from '../../fhir/index.ts';

const extensions = /\.(json|ndjson)(\.gz)?$/i;

/** Every importable file under the given paths, in a stable order. */
export function collectFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else if (extensions.test(path)) {
      out.push(path);
    }
  };
  for (const p of paths) visit(p);
  return out;
}

function open(path: string): Readable {
  const stream = createReadStream(path);
  return /\.gz$/i.test(path) ? stream.pipe(createGunzip()) : stream;
}

async function readAll(path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of open(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resources of an NDJSON file, in chunks, without holding the whole file in memory. */
export async function* ndjsonChunks(path: string, chunkSize: number): AsyncGenerator<Resource[]> {
  const lines = createInterface({ input: open(path), crlfDelay: Infinity });
  let chunk: Resource[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      chunk.push(JSON.parse(line) as Resource);
    } catch (err) {
      throw new Error(`line ${lineNo} is not JSON: ${(err as Error).message}`);
    }
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export async function readJsonFile(path: string): Promise<Resource> {
  const text = await readAll(path);
  try {
    return JSON.parse(text) as Resource;
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
}

export function isNdjson(path: string): boolean {
  return /\.ndjson(\.gz)?$/i.test(path);
}
