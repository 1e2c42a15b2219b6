// Time-based one-time passwords for two-factor sign-in: TOTP (RFC 6238) over HOTP (RFC 4226)
// with HMAC-SHA1, 6 digits and a 30-second step — the defaults every authenticator app supports.
// Secrets travel as RFC 4648 base32 without padding, the form the Key Uri Format expects.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TotpParameters {
  /** Time step X in seconds (RFC 6238 §4.1); 30 is the recommended default. */
  stepSeconds?: number;
  /** Code length (RFC 4226 §5.3: at least 6; RFC 6238's test vectors use 8). */
  digits?: number;
}

export interface TotpVerifyOptions extends TotpParameters {
  nowMs: number;
  /** Steps accepted either side of the current one, for clock drift and typing time (RFC 6238 §5.2). */
  window?: number;
  /** The step of the last code this account used: it and every earlier step are refused (RFC 6238 §5.2, one use per code). */
  lastUsedStep?: number;
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

// Apps and people write secrets in lower case, grouped with spaces, sometimes padded: all of those
// name the same key (RFC 4648 §6 alphabet; padding carries no bits).
function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) throw new Error('a TOTP secret is base32 (RFC 4648): A-Z and 2-7');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  if (bytes.length === 0) throw new Error('a TOTP secret must not be empty');
  return Buffer.from(bytes);
}

function parameters(options: TotpParameters): { stepSeconds: number; digits: number } {
  const stepSeconds = options.stepSeconds ?? 30;
  const digits = options.digits ?? 6;
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1) throw new RangeError('the TOTP step is a positive whole number of seconds');
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new RangeError('a TOTP code has 6 to 8 digits');
  return { stepSeconds, digits };
}

// HOTP (RFC 4226 §5.3): HMAC-SHA1 over the 8-byte big-endian counter, dynamic truncation to 31 bits,
// then the low decimal digits.
function hotp(key: Buffer, counter: number, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step (RFC 6238 §4.2: T = floor((now - T0) / X), T0 = Unix epoch) that `timeMs` falls in. */
export function totpStep(timeMs: number, stepSeconds = 30): number {
  if (!Number.isFinite(timeMs) || timeMs < 0) throw new RangeError('TOTP time is milliseconds since the Unix epoch');
  return Math.floor(timeMs / 1000 / stepSeconds);
}

/** A new shared secret: 160 random bits, the length RFC 4226 §4 (R6) recommends for HMAC-SHA1. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The code an authenticator shows at `timeMs` for this base32 secret. */
export function totpCode(secretBase32: string, timeMs: number, options: TotpParameters = {}): string {
  const { stepSeconds, digits } = parameters(options);
  return hotp(base32Decode(secretBase32), totpStep(timeMs, stepSeconds), digits);
}

/**
 * The time step the code belongs to, or null when it matches no acceptable step. Store the step and
 * pass it back as `lastUsedStep`: a code, once used, is refused afterwards, and so is any code from
 * an earlier step. Never throws on what the user typed; a malformed code is simply no match.
 */
export function verifyTotp(secretBase32: string, code: string, options: TotpVerifyOptions): number | null {
  const { stepSeconds, digits } = parameters(options);
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0) throw new RangeError('the TOTP window is a whole number of steps');
  if (typeof code !== 'string') return null;
  // Authenticator apps display codes in groups ("123 456"); people copy them that way.
  const typed = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${digits}}$`).test(typed)) return null;
  const key = base32Decode(secretBase32);
  const current = totpStep(options.nowMs, stepSeconds);
  const given = Buffer.from(typed);
  let matched: number | null = null;
  // Every candidate is computed and compared in constant time, so the timing says nothing about
  // which step (or whether any) matched. On a collision the latest step wins: storing it refuses more.
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    if (options.lastUsedStep !== undefined && step <= options.lastUsedStep) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step, digits)), given)) matched = step;
  }
  return matched;
}

/**
 * The otpauth:// URI an authenticator app reads from a QR code (Google Authenticator Key Uri Format:
 * otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…). The issuer is in both the label and the
 * parameter, as that format recommends, and neither part may contain a colon, the label separator.
 */
export function totpUri(options: { secret: string; account: string; issuer: string } & TotpParameters): string {
  const { stepSeconds, digits } = parameters(options);
  const { secret, account, issuer } = options;
  if (issuer.includes(':') || account.includes(':')) throw new Error('a TOTP issuer or account name must not contain a colon');
  base32Decode(secret);
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${secret.replace(/[\s=]/g, '').toUpperCase()}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${digits}`,
    `period=${stepSeconds}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
