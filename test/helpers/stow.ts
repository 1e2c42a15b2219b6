// STOW-RS bodies of fixture files for tests (multipart/related; type="application/dicom").
import { readFileSync } from 'node:fs';
import type { TestServer } from './server.ts';

export const dicomFixtures = new URL('../fixtures/dicom/', import.meta.url);

export interface ManifestFile {
  path: string; sizeBytes: number; sha256: string; sopInstanceUID?: string; studyInstanceUID?: string; seriesInstanceUID?: string;
  sopClassUID?: string; transferSyntaxUID?: string; rows?: number; columns?: number; numberOfFrames: number | null;
  bitsAllocated?: number; samplesPerPixel?: number; photometricInterpretation?: string; hasPixelData: boolean; modality?: string;
  dicomParser: { status: string };
}

export const manifest = (JSON.parse(readFileSync(new URL('manifest.json', dicomFixtures), 'utf8')) as { files: ManifestFile[] }).files;

export function fixture(path: string): Buffer {
  return readFileSync(new URL(path, dicomFixtures));
}

/** Files a store must accept: readable, with all four UIDs. */
export const storableFixtures = manifest.filter((f) => f.dicomParser.status === 'ok' && f.studyInstanceUID && f.seriesInstanceUID && f.sopClassUID && f.sopInstanceUID);

export function stowBody(files: Buffer[], boundary = 'fixture-boundary-7f3a'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const f of files) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), f, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

export async function stowFiles(server: TestServer, files: Buffer[], path = '/dicomweb/studies'): Promise<{ status: number; json: Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }> }> {
  const { body, contentType } = stowBody(files);
  const response = await server.fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/dicom+json' }, body: new Uint8Array(body) });
  return { status: response.status, json: await response.json() };
}

/** Parts of a multipart/related answer. */
export function multipartParts(body: Buffer, contentType: string): { headers: Record<string, string>; body: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const after = at + delimiter.length;
    if (body.subarray(after, after + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', after);
    const headers = Object.fromEntries(body.subarray(after + 2, headerEnd).toString('latin1').split('\r\n').filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    parts.push({ headers, body: body.subarray(headerEnd + 4, next) });
    at = next + 2;
  }
  return parts;
}
