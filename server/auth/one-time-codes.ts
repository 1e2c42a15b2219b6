// Storage of the one-time codes sent to an e-mail address or phone (auth_one_time_code). A 6-digit
// code is safe only together with its limits, all enforced here in the database so that they hold
// across requests and server processes: it lives 10 minutes, a destination gets at most one new code
// per minute (no mailbox or SMS bombing through us), it allows 5 guesses in all (then it is dead:
// 5 tries in 10^6 values), and it works once. Only the newest code of a destination counts.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../fhir/index.ts';
import type { OneTimeCodePurpose } from '../mail/templates.ts';
import { hashOneTimeCode, newOneTimeCode, sameCodeHash } from './one-time-code.ts';

export const codeLifetimeSeconds = 600;
export const resendIntervalSeconds = 60;
export const maxCodeAttempts = 5;

export type IssuedCode = { ok: true; id: string; code: string } | { ok: false; retryAfterSeconds: number };

/** What became of a code a client presented: only `ok` lets the request through. */
export type CodeVerdict = 'ok' | 'wrong' | 'expired' | 'used' | 'exhausted' | 'none';

// Class id of the advisory locks taken here (two-key form: a space of its own, apart from the
// engine's one-key locks): ASCII "OT".
const lockClass = 0x4f54;

export class OneTimeCodes {
  readonly #db: Database;
  readonly #pepper: string | undefined;

  constructor(db: Database, options: { pepper?: string } = {}) {
    this.#db = db;
    this.#pepper = options.pepper;
  }

  /**
   * A new code for `destination` (normalised: lower-case e-mail, phone digits), unless one was issued
   * in the last minute: then how long to wait. Concurrent requests for one destination take turns on
   * an advisory lock, so two of them cannot both find no recent code and both issue one.
   */
  async issue(destination: string, purpose: OneTimeCodePurpose): Promise<IssuedCode> {
    return this.#db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))', [lockClass, `${purpose}\n${destination}`]);
      const recent = (await tx.query<{ wait: number }>(
        `SELECT ceil(extract(epoch FROM created_at + $3::integer * interval '1 second' - now()))::integer AS wait
           FROM auth_one_time_code
          WHERE destination = $1 AND purpose = $2 AND created_at > now() - $3::integer * interval '1 second'
          ORDER BY created_at DESC LIMIT 1`, [destination, purpose, resendIntervalSeconds])).rows[0];
      if (recent) return { ok: false, retryAfterSeconds: Math.max(1, Number(recent.wait)) };
      // Codes of this destination that have expired are of no further use to anyone.
      await tx.query('DELETE FROM auth_one_time_code WHERE destination = $1 AND purpose = $2 AND expires_at < now()', [destination, purpose]);
      const { code, hash } = newOneTimeCode(this.#pepper);
      const id = randomUUID();
      await tx.query(
        `INSERT INTO auth_one_time_code (id, destination, purpose, code_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5::integer * interval '1 second')`, [id, destination, purpose, hash, codeLifetimeSeconds]);
      return { ok: true, id, code };
    });
  }

  /** Takes back a code that could not be delivered, so that the client may ask again at once. */
  async withdraw(id: string): Promise<void> {
    await this.#db.query('DELETE FROM auth_one_time_code WHERE id = $1', [id]);
  }

  /**
   * Checks `code` against the newest code of the destination and, when it matches, uses it up.
   * Every guess, right or wrong, first spends one of the attempts in a single UPDATE, so parallel
   * guesses cannot get more than `maxCodeAttempts` comparisons between them.
   */
  async verify(destination: string, purpose: OneTimeCodePurpose, code: string): Promise<CodeVerdict> {
    const spent = (await this.#db.query<{ id: string; code_hash: string }>(
      `UPDATE auth_one_time_code SET attempts = attempts + 1
        WHERE id = (SELECT id FROM auth_one_time_code WHERE destination = $1 AND purpose = $2 ORDER BY created_at DESC, id DESC LIMIT 1)
          AND used_at IS NULL AND attempts < $3 AND expires_at > now()
        RETURNING id, code_hash`, [destination, purpose, maxCodeAttempts])).rows[0];
    if (!spent) return this.#whyRefused(destination, purpose);
    if (!sameCodeHash(spent.code_hash, hashOneTimeCode(code, this.#pepper))) return 'wrong';
    const used = await this.#db.query('UPDATE auth_one_time_code SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id', [spent.id]);
    return used.rows.length === 1 ? 'ok' : 'used';
  }

  async #whyRefused(destination: string, purpose: OneTimeCodePurpose): Promise<CodeVerdict> {
    const latest = (await this.#db.query<{ used: boolean; attempts: number; expired: boolean }>(
      `SELECT used_at IS NOT NULL AS used, attempts, expires_at <= now() AS expired FROM auth_one_time_code
        WHERE destination = $1 AND purpose = $2 ORDER BY created_at DESC, id DESC LIMIT 1`, [destination, purpose])).rows[0];
    if (!latest) return 'none';
    if (latest.used) return 'used';
    if (latest.attempts >= maxCodeAttempts) return 'exhausted';
    return latest.expired ? 'expired' : 'none';
  }
}
