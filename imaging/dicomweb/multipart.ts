// multipart/related bodies (RFC 2387), which STOW-RS takes and WADO-RS answers (PS3.18 §8.6.1.2).
import { randomBytes } from 'node:crypto';
import { DicomWebError } from './errors.ts';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** `multipart/related; type="application/dicom"; boundary=x` → type and lower-cased parameter names. */
export function parseMediaType(value: string | undefined): MediaType | undefined {
  if (!value) return undefined;
  const [head, ...rest] = splitOutsideQuotes(value, ';');
  const type = head.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+$/.test(type) && type !== '*/*') return undefined;
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[name] = v;
  }
  return { type, params };
}

export function splitOutsideQuotes(value: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Splits a whole multipart body. Throws DicomWebError 400 when it is malformed or cut short. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  if (!boundary || boundary.length > 200) throw new DicomWebError(400, 'The multipart body has no usable boundary parameter');
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new DicomWebError(400, 'The multipart body has no part: its boundary never occurs');
  const parts: Part[] = [];
  for (;;) {
    at += delimiter.length;
    // The closing delimiter ends with "--" (RFC 2046 §5.1.1).
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd < 0) throw new DicomWebError(400, 'The multipart body is truncated');
    let headers: Record<string, string> = {};
    let start: number;
    if (body[lineEnd + 2] === 0x0d && body[lineEnd + 3] === 0x0a) {
      start = lineEnd + 4;
    } else {
      const headerEnd = body.indexOf(HEADER_END, lineEnd);
      if (headerEnd < 0) throw new DicomWebError(400, 'The multipart body is truncated inside part headers');
      headers = parseHeaders(body.subarray(lineEnd + 2, headerEnd).toString('latin1'));
      start = headerEnd + 4;
    }
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), start);
    if (next < 0) throw new DicomWebError(400, 'The multipart body is truncated: a part has no closing boundary');
    parts.push({ headers, body: body.subarray(start, next) });
    at = next + 2;
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function newBoundary(): string {
  return `open-his-${randomBytes(12).toString('hex')}`;
}

/** A multipart/related body of parts, each with its own Content-Type (and optional Content-Location). */
export function buildMultipart(boundary: string, parts: { contentType: string; location?: string; body: Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${p.contentType}\r\n${p.location ? `Content-Location: ${p.location}\r\n` : ''}\r\n`, 'latin1'));
    chunks.push(p.body, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
