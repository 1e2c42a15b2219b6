// One-time codes sent by e-mail or SMS (sign-up, log-in, password reset). Only a hash is stored,
// so a leaked table or log line does not hand out live codes; the caller keeps the expiry and the
// attempt counter, which together are what make a 6-digit code safe (10^6 values, few tries).
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** A fresh uniformly random 6-digit code (leading zeros kept) and the hash to store for it. */
export function newOneTimeCode(pepper?: string): { code: string; hash: string } {
  // randomInt draws from the CSPRNG without modulo bias.
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return { code, hash: hashOneTimeCode(code, pepper) };
}

/**
 * SHA-256 hex of the code. A pepper (a server-side secret, kept out of the database) stops anyone
 * holding only the table from recovering codes by hashing all 10^6 of them.
 */
export function hashOneTimeCode(code: string, pepper = ''): string {
  return createHash('sha256').update(pepper).update('\0').update(code.trim()).digest('hex');
}

/** Compare two hashes without leaking, through timing, how many leading characters agree. */
export function sameCodeHash(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
