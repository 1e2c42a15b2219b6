// Outgoing e-mail (one-time codes, notices). Messages hold one-time codes and patient data, so
// neither a body, a subject nor a full recipient address is ever written to the log: a log line
// names the recipient redacted (p***@example.org). With no SMTP server configured, messages are
// written to the outbox (outbox.ts) when there is one, else only composed; either way they are not
// delivered, and the log says so — a deployment without mail must not look healthy.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Outbox } from './outbox.ts';

export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  /** e.g. `text/calendar; charset=utf-8; method=REQUEST`. */
  contentType: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

export interface Mailer {
  /** Send one message; rejects when the SMTP server does not take it. */
  send(message: MailMessage): Promise<void>;
  /** Close pooled SMTP connections. */
  close(): void;
}

export interface MailerOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start); unset = do not deliver. */
  smtpUrl?: string;
  /** The From address, e.g. "Open HIS <no-reply@his.example.org>". */
  from: string;
  /** Where undelivered messages are kept when `smtpUrl` is unset. */
  outbox?: Outbox;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/**
 * Sending failed. Nodemailer's own error text can quote the recipient or the server's reply to the
 * message, so it is not passed on (not even as `cause`, which loggers print): only its codes are.
 */
export class MailNotSentError extends Error {
  constructor(redactedTo: string, readonly code?: string, readonly responseCode?: number) {
    super(`mail to ${redactedTo} not sent${code ? ` (${code}${responseCode ? ` ${responseCode}` : ''})` : ''}`);
    this.name = 'MailNotSentError';
  }
}

/** The address with its local part hidden but for the first character: p***@example.org. */
export function redactAddress(address: string): string {
  const bare = /<([^>]*)>/.exec(address)?.[1] ?? address;
  const at = bare.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${bare[0]}***${bare.slice(at).trim()}`;
}

// Mail that a program sends on its own is marked so that vacation responders and other
// automatic replies stay quiet (RFC 3834 §5, Auto-Submitted: auto-generated).
const headers = { 'Auto-Submitted': 'auto-generated' };

export function createMailer(options: MailerOptions): Mailer {
  const { smtpUrl, from, outbox, log } = options;

  if (!smtpUrl && outbox) {
    // streamTransport with buffer: the complete RFC 5322 message, CRLF line ends as on the wire.
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    return {
      async send(message) {
        const info = await transport.sendMail({ ...message, from, headers });
        const file = await outbox.write(info.message as Buffer);
        log.warn({ mail: { to: redactAddress(message.to), outbox: file } }, 'mail not delivered: SMTP_URL is unset; kept in the outbox');
      },
      close() {
        transport.close();
      },
    };
  }

  if (!smtpUrl) {
    const transport = nodemailer.createTransport({ jsonTransport: true });
    return {
      async send(message) {
        // Composing still checks the message (addresses, encoding) as a real send would.
        await transport.sendMail({ ...message, from, headers });
        log.warn({ mail: { to: redactAddress(message.to) } }, 'mail not delivered: SMTP_URL is unset');
      },
      close() {
        transport.close();
      },
    };
  }

  const protocol = new URL(smtpUrl).protocol;
  if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new Error(`SMTP_URL must be smtp:// or smtps://, not ${protocol}//`);
  // Bounded timeouts: a request waiting for its one-time code should fail in seconds, not
  // minutes, when the mail server is unreachable (nodemailer waits 2 minutes by default).
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    logger: false,
    debug: false,
  });
  return {
    async send(message) {
      const to = redactAddress(message.to);
      try {
        const info = await transport.sendMail({ ...message, from, headers });
        log.info({ mail: { to, messageId: info.messageId } }, 'mail sent');
      } catch (err) {
        const { code, responseCode } = err as { code?: string; responseCode?: number };
        log.error({ mail: { to, code, responseCode } }, 'mail not sent');
        throw new MailNotSentError(to, code, responseCode);
      }
    },
    close() {
      transport.close();
    },
  };
}
