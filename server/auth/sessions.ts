// Sessions behind refresh tokens. A refresh token is used once: each use rotates it, and presenting
// an old one again revokes the whole session (OAuth 2.0 Security Best Current Practice §4.14,
// refresh token rotation). Logging out revokes; revoked sessions stop their access tokens too.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../fhir/index.ts';
import { randomSecret, secretHash } from './tokens.ts';

export interface Session {
  id: string;
  accountId?: string;
  clientId?: string;
  scope?: string;
  launchPatient?: string;
  expiresAt: Date;
}

interface SessionRow {
  id: string; account_id: string | null; client_id: string | null; scope: string | null; launch_patient: string | null;
  expires_at: Date | string; revoked_at: Date | string | null;
}

const toSession = (r: SessionRow): Session => ({
  id: r.id, accountId: r.account_id ?? undefined, clientId: r.client_id ?? undefined, scope: r.scope ?? undefined,
  launchPatient: r.launch_patient ?? undefined, expiresAt: new Date(r.expires_at),
});

export type RefreshResult = { ok: true; session: Session; refreshToken: string } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

export class SessionStore {
  readonly #db: Queryable;
  /** Whether sessions are live, remembered briefly so a request costs no query (other processes' logouts reach here within `cacheMs`). */
  readonly #live = new Map<string, { live: boolean; at: number }>();
  readonly #cacheMs: number;

  readonly #graceSeconds: number;
  readonly #successorOf: (refreshToken: string) => string;

  constructor(db: Queryable, options: { cacheMs?: number; graceSeconds?: number; successorOf: (refreshToken: string) => string }) {
    this.#db = db;
    this.#cacheMs = options.cacheMs ?? 5000;
    this.#graceSeconds = options.graceSeconds ?? 0;
    this.#successorOf = options.successorOf;
  }

  async create(input: { accountId?: string; clientId?: string; scope?: string; launchPatient?: string; ttlSeconds: number }): Promise<{ session: Session; refreshToken: string }> {
    const refreshToken = randomSecret();
    const rows = (await this.#db.query<SessionRow>(
      `INSERT INTO auth_session (id, account_id, client_id, scope, launch_patient, refresh_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + ($7::integer * interval '1 second')) RETURNING *`,
      [randomUUID(), input.accountId ?? null, input.clientId ?? null, input.scope ?? null, input.launchPatient ?? null,
        secretHash(refreshToken), input.ttlSeconds])).rows;
    return { session: toSession(rows[0]!), refreshToken };
  }

  /** Swaps a refresh token for a new one. */
  async refresh(refreshToken: string): Promise<RefreshResult> {
    const hash = secretHash(refreshToken);
    const next = this.#successorOf(refreshToken);
    const rows = (await this.#db.query<SessionRow>(
      `UPDATE auth_session SET previous_refresh_hash = refresh_hash, refresh_hash = $2, last_used_at = now()
       WHERE refresh_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING *`, [hash, secretHash(next)])).rows;
    if (rows[0]) return { ok: true, session: toSession(rows[0]), refreshToken: next };
    const current = (await this.#db.query<SessionRow>('SELECT * FROM auth_session WHERE refresh_hash = $1', [hash])).rows[0];
    if (current) return { ok: false, reason: current.revoked_at ? 'revoked' : 'expired' };
    // Two tabs of one browser refresh at the same moment with the same cookie: the second, within a
    // few seconds of the first and only for browser log-ins (apps rotate strictly), gets the same
    // successor the first got (rotation is deterministic), so whichever answer's cookie the browser
    // keeps is the current one.
    if (this.#graceSeconds > 0) {
      const late = (await this.#db.query<SessionRow>(
        `SELECT * FROM auth_session
         WHERE previous_refresh_hash = $1 AND refresh_hash = $2 AND client_id IS NULL AND revoked_at IS NULL AND expires_at > now()
           AND last_used_at > now() - ($3::integer * interval '1 second')`, [hash, secretHash(next), this.#graceSeconds])).rows[0];
      if (late) return { ok: true, session: toSession(late), refreshToken: next };
    }
    const reused = (await this.#db.query<SessionRow>('SELECT * FROM auth_session WHERE previous_refresh_hash = $1', [hash])).rows[0];
    if (reused) {
      await this.revoke(reused.id);
      return { ok: false, reason: 'reused' };
    }
    return { ok: false, reason: 'unknown' };
  }

  /** The client a current refresh token was issued to (null: a browser log-in); undefined when no session holds it. */
  async clientOf(refreshToken: string): Promise<string | null | undefined> {
    const row = (await this.#db.query<{ client_id: string | null }>(
      'SELECT client_id FROM auth_session WHERE refresh_hash = $1', [secretHash(refreshToken)])).rows[0];
    return row ? row.client_id : undefined;
  }

  async revoke(id: string): Promise<void> {
    await this.#db.query('UPDATE auth_session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    this.#live.set(id, { live: false, at: Date.now() });
  }

  async revokeByRefreshToken(refreshToken: string): Promise<string | undefined> {
    const rows = (await this.#db.query<{ id: string }>(
      'UPDATE auth_session SET revoked_at = now() WHERE refresh_hash = $1 AND revoked_at IS NULL RETURNING id', [secretHash(refreshToken)])).rows;
    if (rows[0]) this.#live.set(rows[0].id, { live: false, at: Date.now() });
    return rows[0]?.id;
  }

  async revokeAccount(accountId: string): Promise<void> {
    const rows = (await this.#db.query<{ id: string }>(
      'UPDATE auth_session SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL RETURNING id', [accountId])).rows;
    for (const r of rows) this.#live.set(r.id, { live: false, at: Date.now() });
  }

  async isLive(id: string): Promise<boolean> {
    const cached = this.#live.get(id);
    if (cached && (!cached.live || Date.now() - cached.at < this.#cacheMs)) return cached.live;
    const row = (await this.#db.query<{ live: boolean }>(
      'SELECT (revoked_at IS NULL AND expires_at > now()) AS live FROM auth_session WHERE id = $1', [id])).rows[0];
    const live = row?.live === true;
    if (this.#live.size >= 50_000) this.#live.clear();
    this.#live.set(id, { live, at: Date.now() });
    return live;
  }
}
