// Reading the Accept header of WADO-RS requests (PS3.18 §8.7.3–§8.7.5): which media type and transfer
// syntax the client takes. This server answers in the stored transfer syntax (it does not transcode),
// so negotiation decides only whether the stored form is acceptable and how parts are labelled.
import { parseMediaType, splitOutsideQuotes, type MediaType } from './multipart.ts';

export interface AcceptRange {
  /** The media type asked for (for multipart/related: its `type` parameter; '*\/*' when absent). */
  type: string;
  multipart: boolean;
  /** The transfer-syntax parameter: undefined when absent, '*' for any. */
  transferSyntax?: string;
  q: number;
}

export function parseAccept(header: string | undefined): AcceptRange[] {
  if (!header || header.trim() === '') return [{ type: '*/*', multipart: true, q: 1 }];
  const out: AcceptRange[] = [];
  for (const item of splitOutsideQuotes(header, ',')) {
    const media: MediaType | undefined = parseMediaType(item);
    if (!media) continue;
    const q = media.params.q !== undefined ? Number(media.params.q) : 1;
    if (media.type === 'multipart/related') {
      out.push({ type: (media.params.type ?? '*/*').toLowerCase(), multipart: true, transferSyntax: media.params['transfer-syntax'], q });
    } else {
      out.push({ type: media.type, multipart: false, transferSyntax: media.params['transfer-syntax'], q });
    }
  }
  return out.filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
}

export function typeMatches(range: string, type: string): boolean {
  if (range === '*/*' || range === '*') return true;
  if (range.endsWith('/*')) return type.startsWith(range.slice(0, -1));
  return range === type;
}

/** Whether a range takes instances stored in `stored` transfer syntax. */
export function takesTransferSyntax(range: AcceptRange, stored: string): boolean {
  // No parameter: serve what is stored (clients such as dicomweb-client never send one, and this
  // server does not transcode); '*' means any; otherwise it must be the stored one.
  return range.transferSyntax === undefined || range.transferSyntax === '*' || range.transferSyntax === stored;
}
