// A real SMTP server for tests (smtp-server on 127.0.0.1, a random port, no TLS, no login) that
// keeps every message it receives, decoded just enough to assert on: recipients, subject, the
// text and HTML bodies and attachments (RFC 5322 headers, RFC 2047 encoded words, RFC 2045/2046 MIME parts).
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO), lower case. */
  to: string[];
  /** Header fields by lower-case name, unfolded, first occurrence. */
  headers: Record<string, string>;
  subject: string;
  text: string;
  html?: string;
  /** Parts sent as attachments (Content-Disposition: attachment, RFC 2183), decoded as text. */
  attachments: ReceivedAttachment[];
  /** The message as received. */
  raw: string;
}

export interface ReceivedAttachment {
  /** The whole Content-Type field, parameters included. */
  contentType: string;
  filename?: string;
  content: string;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:PORT */
  url: string;
  messages: ReceivedMail[];
  /** The next message to `to` not yet returned by an earlier call, waiting for it if need be. */
  waitForMessage(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** The first six-digit number in the text of the last message to `address`. */
  lastCodeFor(address: string): string | undefined;
  stop(): Promise<void>;
}

function splitHead(raw: string): { headers: Record<string, string>; contentType: string; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const field of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    headers[name] ??= field.slice(colon + 1).trim();
  }
  return { headers, contentType: headers['content-type'] ?? 'text/plain', body };
}

function parameter(header: string, name: string): string | undefined {
  return new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(header)?.[1];
}

function quotedPrintableBytes(text: string): Buffer {
  const bytes: number[] = [];
  const unwrapped = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < unwrapped.length; i++) {
    const hex = unwrapped.slice(i + 1, i + 3);
    if (unwrapped[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(unwrapped[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(body: string, transferEncoding: string | undefined, charset: string): string {
  const encoding = (transferEncoding ?? '7bit').toLowerCase();
  const bytes = encoding === 'base64' ? Buffer.from(body.replace(/\s/g, ''), 'base64')
    : encoding === 'quoted-printable' ? quotedPrintableBytes(body)
      : Buffer.from(body, 'utf8');
  return new TextDecoder(charset).decode(bytes);
}

// RFC 2047: runs of adjacent encoded words are one text (the space between them is not part of
// it), and a character may be split across words, so the bytes are joined before decoding.
function decodeEncodedWords(value: string): string {
  return value.replace(/(?:=\?[^?]+\?[BbQq]\?[^?]*\?=\s*)+/g, (run) => {
    const words = [...run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)];
    const bytes = Buffer.concat(words.map(([, , kind, data]) => (kind!.toUpperCase() === 'B'
      ? Buffer.from(data!, 'base64')
      : quotedPrintableBytes(data!.replace(/_/g, ' ')))));
    const trailing = /\s*$/.exec(run)![0];
    return new TextDecoder(words[0]![1]!.split('*')[0]).decode(bytes) + trailing;
  }).trim();
}

interface Bodies { text?: string; html?: string; attachments: ReceivedAttachment[] }

function collectBodies(raw: string, into: Bodies): void {
  const { headers, contentType, body } = splitHead(raw);
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = parameter(contentType, 'boundary');
    if (!boundary) return;
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      collectBodies(part.replace(/^\r?\n/, '').replace(/\r?\n$/, ''), into);
    }
    return;
  }
  const charset = parameter(contentType, 'charset') ?? 'utf-8';
  const decoded = decodeBody(body, headers['content-transfer-encoding'], charset);
  const disposition = headers['content-disposition'] ?? '';
  if (/^attachment/i.test(disposition)) {
    const filename = parameter(disposition, 'filename') ?? parameter(contentType, 'name');
    into.attachments.push({ contentType, ...(filename ? { filename } : {}), content: decoded });
    return;
  }
  if (type === 'text/plain') into.text ??= decoded;
  if (type === 'text/html') into.html ??= decoded;
}

function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const { headers } = splitHead(raw);
  const bodies: Bodies = { attachments: [] };
  collectBodies(raw, bodies);
  return {
    from, to, headers, raw, attachments: bodies.attachments,
    subject: decodeEncodedWords(headers.subject ?? ''),
    text: bodies.text ?? '',
    ...(bodies.html === undefined ? {} : { html: bodies.html }),
  };
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const returned = new Map<string, number>();
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    // Pooled clients keep idle connections open; do not let them hold up stop().
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), from, to));
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  function nextFor(address: string): ReceivedMail | undefined {
    const seen = returned.get(address) ?? 0;
    const mine = messages.filter((m) => m.to.includes(address));
    if (mine.length <= seen) return undefined;
    returned.set(address, seen + 1);
    return mine[seen];
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitForMessage(to, timeoutMs = 5000) {
      const address = to.toLowerCase();
      return new Promise((resolve, reject) => {
        const found = nextFor(address);
        if (found) return resolve(found);
        const wake = (): void => {
          const mail = nextFor(address);
          if (!mail) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    lastCodeFor(address) {
      const mine = messages.filter((m) => m.to.includes(address.toLowerCase()));
      return /(?<!\d)\d{6}(?!\d)/.exec(mine.at(-1)?.text ?? '')?.[0];
    },
    stop() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
