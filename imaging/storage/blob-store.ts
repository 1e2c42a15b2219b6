// Where instance files live. Content-addressed (the key is the SHA-256 of the bytes), so storing the
// same bytes twice is one file, and a key says what it holds. The interface is small so that an
// S3-compatible store can stand in for the file system.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  /** Stores bytes under their content key (given when the caller computed it already); a key that exists is left as it is. */
  put(bytes: Uint8Array, key?: string): Promise<string>;
  get(key: string): Promise<Buffer>;
  /** Bytes [offset, offset + length) of a stored blob. */
  read(key: string, offset: number, length: number): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export function contentKey(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const keyPattern = /^[0-9a-f]{64}$/;

/** Blobs as files under `root/ab/cd/<sha256>`, written to a temporary name and renamed, so a reader never sees half a file. */
export class FileBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #path(key: string): string {
    if (!keyPattern.test(key)) throw new Error('Not a blob key');
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Uint8Array, knownKey?: string): Promise<string> {
    const key = knownKey ?? contentKey(bytes);
    const path = this.#path(key);
    if (await this.exists(key)) return key;
    await mkdir(join(this.root, key.slice(0, 2), key.slice(2, 4)), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    return key;
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.#path(key));
  }

  async read(key: string, offset: number, length: number): Promise<Buffer> {
    const file = await open(this.#path(key), 'r');
    try {
      const out = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(out, 0, length, offset);
      return out.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.#path(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }
}
