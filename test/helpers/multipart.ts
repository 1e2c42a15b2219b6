// multipart/related bodies (RFC 2387) as DICOMweb uses them (PS3.18 §8.6.1.2): built for STOW-RS
// requests and read from WADO-RS answers, independently of the server's own multipart code.
import { randomBytes } from 'node:crypto';

export interface MultipartBody { body: Buffer; contentType: string }

/** A STOW-RS request body: one application/dicom part per file. */
export function multipartRelated(parts: Buffer[], type = 'application/dicom'): MultipartBody {
  const boundary = `his-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), part, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="${type}"; boundary=${boundary}` };
}

/** The parts of a multipart answer, each with its headers (names lower-cased). */
export function parseMultipart(body: Buffer, contentType: string): Array<{ headers: Record<string, string>; body: Buffer }> {
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!match) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${match[1]}`);
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('no boundary delimiter in the body');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break;
    position = body.indexOf('\r\n', position) + 2;
    // A part without headers starts its body right after the empty line (RFC 2046 §5.1.1).
    const headerEnd = body.subarray(position, position + 2).toString() === '\r\n' ? position - 2 : body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new Error('part without a header end');
    const headers: Record<string, string> = {};
    for (const line of body.subarray(position, headerEnd).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error('part without a closing delimiter');
    parts.push({ headers, body: body.subarray(headerEnd + 4, next) });
    position = next + 2;
  }
  return parts;
}
