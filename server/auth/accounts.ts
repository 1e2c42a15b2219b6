// Staff and patient accounts (auth_account) and the family members a patient account acts for.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../fhir/index.ts';
import type { Role } from './policy.ts';
import { authError } from './errors.ts';

export interface Account {
  id: string;
  kind: 'staff' | 'patient';
  username?: string;
  email?: string;
  phone?: string;
  passwordHash?: string;
  roles: Role[];
  displayName?: string;
  practitionerId?: string;
  practitionerRoleId?: string;
  patientId?: string;
  documentType?: string;
  documentNumber?: string;
  totpSecret?: string;
  totpPendingSecret?: string;
  totpLastStep?: number;
  disabled: boolean;
  failedLogins: number;
  lockedUntil?: Date;
  createdAt: Date;
}

/** What an account is created with: its identity, roles and links, and a password hash. */
export type NewAccount = Pick<Account, 'kind' | 'username' | 'email' | 'phone' | 'roles' | 'displayName' | 'practitionerId'
  | 'practitionerRoleId' | 'patientId' | 'documentType' | 'documentNumber'> & { passwordHash: string };

interface AccountRow {
  id: string; kind: 'staff' | 'patient'; username: string | null; email: string | null; phone: string | null;
  password_hash: string | null; roles: string[]; display_name: string | null; practitioner_id: string | null;
  practitioner_role_id: string | null; patient_id: string | null; document_type: string | null; document_number: string | null;
  totp_secret: string | null; totp_pending_secret: string | null; totp_last_step: string | number | null; disabled: boolean;
  failed_logins: number; locked_until: Date | string | null; created_at: Date | string;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id, kind: r.kind, username: r.username ?? undefined, email: r.email ?? undefined, phone: r.phone ?? undefined,
  passwordHash: r.password_hash ?? undefined, roles: r.roles as Role[], displayName: r.display_name ?? undefined,
  practitionerId: r.practitioner_id ?? undefined, practitionerRoleId: r.practitioner_role_id ?? undefined,
  patientId: r.patient_id ?? undefined, documentType: r.document_type ?? undefined, documentNumber: r.document_number ?? undefined,
  totpSecret: r.totp_secret ?? undefined, totpPendingSecret: r.totp_pending_secret ?? undefined,
  totpLastStep: r.totp_last_step === null ? undefined : Number(r.totp_last_step), disabled: r.disabled,
  failedLogins: r.failed_logins, lockedUntil: r.locked_until ? new Date(r.locked_until) : undefined, createdAt: new Date(r.created_at),
});

/** Log-in names are case-insensitive; phone numbers are compared by their digits. */
export function normalizeLogin(login: string): string {
  const trimmed = login.trim();
  return /^\+?[\d\s-]{6,20}$/.test(trimmed) ? trimmed.replace(/[\s-]/g, '') : trimmed.toLowerCase();
}

export class AccountStore {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async byLogin(login: string): Promise<Account | null> {
    const value = normalizeLogin(login);
    const rows = (await this.#db.query<AccountRow>(
      'SELECT * FROM auth_account WHERE username = $1 OR email = $1 OR phone = $1 LIMIT 1', [value])).rows;
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async byId(id: string): Promise<Account | null> {
    const rows = (await this.#db.query<AccountRow>('SELECT * FROM auth_account WHERE id = $1', [id])).rows;
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async byDocument(type: string, number: string): Promise<Account | null> {
    const rows = (await this.#db.query<AccountRow>(
      'SELECT * FROM auth_account WHERE document_type = $1 AND document_number = $2', [type, number])).rows;
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** The patient account whose own record is `patientId`, if one is. */
  async byPatient(patientId: string): Promise<Account | null> {
    const rows = (await this.#db.query<AccountRow>(
      'SELECT * FROM auth_account WHERE kind = $1 AND patient_id = $2 LIMIT 1', ['patient', patientId])).rows;
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** The first patient account that acts for `patientId` as a proxy (a parent for a child), if one does. */
  async actingFor(patientId: string): Promise<Account | null> {
    const rows = (await this.#db.query<AccountRow>(
      `SELECT a.* FROM auth_proxy p JOIN auth_account a ON a.id = p.account_id
       WHERE p.patient_id = $1 AND NOT a.disabled ORDER BY p.created_at LIMIT 1`, [patientId])).rows;
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** Whether no account exists at all (a new installation). */
  async isEmpty(): Promise<boolean> {
    return (await this.#db.query('SELECT 1 FROM auth_account LIMIT 1')).rows.length === 0;
  }

  /** Deletes an account nothing refers to yet (undoing a sign-up whose Patient could not be written). */
  async remove(id: string): Promise<void> {
    await this.#db.query('DELETE FROM auth_account WHERE id = $1', [id]);
  }

  async list(kind?: 'staff' | 'patient'): Promise<Account[]> {
    const rows = (await this.#db.query<AccountRow>(
      `SELECT * FROM auth_account ${kind ? 'WHERE kind = $1' : ''} ORDER BY created_at, id`, kind ? [kind] : [])).rows;
    return rows.map(toAccount);
  }

  /** 409 when the log-in name, e-mail, phone or identity document is taken. */
  async create(input: NewAccount): Promise<Account> {
    const id = randomUUID();
    try {
      const rows = (await this.#db.query<AccountRow>(
        `INSERT INTO auth_account (id, kind, username, email, phone, password_hash, roles, display_name, practitioner_id,
           practitioner_role_id, patient_id, document_type, document_number, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11, $12, $13, now()) RETURNING *`,
        [id, input.kind, input.username ? normalizeLogin(input.username) : null, input.email ? normalizeLogin(input.email) : null,
          input.phone ? normalizeLogin(input.phone) : null, input.passwordHash, input.roles, input.displayName ?? null,
          input.practitionerId ?? null, input.practitionerRoleId ?? null, input.patientId ?? null, input.documentType ?? null,
          input.documentNumber ?? null])).rows;
      return toAccount(rows[0]!);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        const detail = String((err as { constraint?: string; detail?: string }).constraint ?? (err as Error).message);
        const what = detail.includes('document') ? 'identity document' : detail.includes('email') ? 'e-mail address'
          : detail.includes('phone') ? 'phone number' : 'log-in name';
        throw authError('duplicate', `An account with this ${what} already exists`);
      }
      throw err;
    }
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.#db.query('UPDATE auth_account SET password_hash = $2, password_changed_at = now() WHERE id = $1', [id, passwordHash]);
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    await this.#db.query('UPDATE auth_account SET disabled = $2 WHERE id = $1', [id, disabled]);
  }

  async setRoles(id: string, roles: Role[]): Promise<void> {
    await this.#db.query('UPDATE auth_account SET roles = $2::text[] WHERE id = $1', [id, roles]);
  }

  async setPatient(id: string, patientId: string): Promise<void> {
    await this.#db.query('UPDATE auth_account SET patient_id = $2 WHERE id = $1', [id, patientId]);
  }

  async setTotp(id: string, fields: { pending?: string | null; secret?: string | null; lastStep?: number | null }): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    if (fields.pending !== undefined) { values.push(fields.pending); sets.push(`totp_pending_secret = $${values.length}`); }
    if (fields.secret !== undefined) { values.push(fields.secret); sets.push(`totp_secret = $${values.length}`); }
    if (fields.lastStep !== undefined) { values.push(fields.lastStep); sets.push(`totp_last_step = $${values.length}`); }
    if (sets.length > 0) await this.#db.query(`UPDATE auth_account SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  /** Uses a TOTP time step once: false when it (or a later one) was used already (replay). */
  async useTotpStep(id: string, step: number): Promise<boolean> {
    const rows = (await this.#db.query<{ id: string }>(
      'UPDATE auth_account SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id',
      [id, step])).rows;
    return rows.length === 1;
  }

  /** Counts a failed log-in; after `maxFailures` in a row the account locks for `lockMs`. Returns the lock's end, if locked. */
  async recordFailure(id: string, maxFailures: number, lockMs: number): Promise<Date | undefined> {
    const rows = (await this.#db.query<{ locked_until: Date | string | null }>(
      // A lock that has run out starts the count afresh: one more mistake after it is not a new lock.
      `WITH a AS (SELECT id, CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_logins + 1 END AS failures
                 FROM auth_account WHERE id = $1 FOR UPDATE)
       UPDATE auth_account t SET failed_logins = a.failures,
         locked_until = CASE WHEN a.failures >= $2 THEN now() + ($3::integer * interval '1 millisecond')
                             WHEN t.locked_until <= now() THEN NULL ELSE t.locked_until END
       FROM a WHERE t.id = a.id RETURNING t.locked_until`, [id, maxFailures, lockMs])).rows;
    const until = rows[0]?.locked_until;
    return until ? new Date(until) : undefined;
  }

  async recordSuccess(id: string): Promise<void> {
    await this.#db.query('UPDATE auth_account SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)', [id]);
  }

  async addProxy(accountId: string, patientId: string, relationship: string): Promise<void> {
    await this.#db.query(
      `INSERT INTO auth_proxy (account_id, patient_id, relationship) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, patient_id) DO UPDATE SET relationship = EXCLUDED.relationship`, [accountId, patientId, relationship]);
  }

  async removeProxy(accountId: string, patientId: string): Promise<boolean> {
    return (await this.#db.query<{ patient_id: string }>(
      'DELETE FROM auth_proxy WHERE account_id = $1 AND patient_id = $2 RETURNING patient_id', [accountId, patientId])).rows.length > 0;
  }

  async proxies(accountId: string): Promise<{ patientId: string; relationship: string }[]> {
    return (await this.#db.query<{ patient_id: string; relationship: string }>(
      'SELECT patient_id, relationship FROM auth_proxy WHERE account_id = $1 ORDER BY created_at', [accountId])).rows
      .map((r) => ({ patientId: r.patient_id, relationship: r.relationship }));
  }

  /** The patients whose records a patient account may see: its own and its proxies'. */
  async patientsOf(account: Account): Promise<string[]> {
    if (account.kind !== 'patient') return [];
    const proxies = await this.proxies(account.id);
    return [...new Set([...(account.patientId ? [account.patientId] : []), ...proxies.map((p) => p.patientId)])];
  }
}
