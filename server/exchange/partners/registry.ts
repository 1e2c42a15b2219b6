// The exchange partners: other organisations' FHIR servers, how we authenticate to them, and the
// credentials for it. Credentials never leave this module in a Partner (the API and logs see
// `hasSecret` at most); the remote client asks for them with credentialsOf().
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { Queryable } from '../../../fhir/index.ts';
import { newKeyPair } from './keys.ts';
import { exchangeError } from '../errors.ts';

export type PartnerAuth =
  | { kind: 'client-credentials'; clientId: string; tokenUrl?: string }
  | { kind: 'smart-backend'; clientId: string; tokenUrl?: string; keyId: string };

export interface Partner {
  id: string;
  name: string;
  /** The partner's FHIR base, without a trailing slash. */
  baseUrl: string;
  /** The partner's identifier (e.g. USCI / hospital code). */
  organization: { system: string; value: string } | null;
  auth: PartnerAuth;
  /** The scope we ask the partner's token endpoint for. */
  scope: string;
  enabled: boolean;
  /** client-credentials: whether a secret is stored (the secret itself is never shown). */
  hasSecret: boolean;
}

export interface PartnerInput {
  id?: string;
  name: string;
  baseUrl: string;
  organization?: { system: string; value: string } | null;
  auth: { kind: 'client-credentials'; clientId: string; tokenUrl?: string; secret?: string }
      | { kind: 'smart-backend'; clientId: string; tokenUrl?: string; /** a new key pair replaces the stored one */ newKey?: boolean };
  scope?: string;
  enabled?: boolean;
}

export type PartnerCredentials =
  | { kind: 'client-credentials'; secret: string }
  | { kind: 'smart-backend'; keyId: string; privateJwk: JWK };

interface PartnerRow {
  id: string; name: string; base_url: string; organization_system: string | null; organization_value: string | null;
  auth_kind: 'client-credentials' | 'smart-backend'; client_id: string; token_url: string | null; scope: string;
  client_secret: string | null; key_id: string | null; private_jwk: JWK | null; public_jwk: JWK | null; enabled: boolean;
}

const toPartner = (r: PartnerRow): Partner => ({
  id: r.id, name: r.name, baseUrl: r.base_url,
  organization: r.organization_system && r.organization_value ? { system: r.organization_system, value: r.organization_value } : null,
  auth: r.auth_kind === 'smart-backend'
    ? { kind: 'smart-backend', clientId: r.client_id, keyId: r.key_id ?? '', ...(r.token_url ? { tokenUrl: r.token_url } : {}) }
    : { kind: 'client-credentials', clientId: r.client_id, ...(r.token_url ? { tokenUrl: r.token_url } : {}) },
  scope: r.scope, enabled: r.enabled, hasSecret: r.client_secret !== null,
});

const publicColumns = 'id, name, base_url, organization_system, organization_value, auth_kind, client_id, token_url, scope, client_secret IS NOT NULL AS has_secret, key_id, public_jwk, enabled';

export class PartnerRegistry {
  readonly #db: Queryable;
  readonly #listeners: ((id: string) => void)[] = [];

  constructor(db: Queryable) {
    this.#db = db;
  }

  /** Called with a partner's id whenever it is saved or removed (the remote client drops its cached token). */
  onChange(listener: (id: string) => void): void {
    this.#listeners.push(listener);
  }

  async list(): Promise<Partner[]> {
    const rows = (await this.#db.query<PartnerRow & { has_secret: boolean }>(`SELECT ${publicColumns}, NULL AS client_secret FROM exchange_partner ORDER BY name, id`)).rows;
    return rows.map((r) => ({ ...toPartner(r), hasSecret: r.has_secret }));
  }

  async get(id: string): Promise<Partner | null> {
    const row = (await this.#db.query<PartnerRow & { has_secret: boolean }>(`SELECT ${publicColumns}, NULL AS client_secret FROM exchange_partner WHERE id = $1`, [id])).rows[0];
    return row ? { ...toPartner(row), hasSecret: row.has_secret } : null;
  }

  /** The partner, or partner-unknown / partner-disabled. */
  async usable(id: string): Promise<Partner> {
    const partner = await this.get(id);
    if (!partner) throw exchangeError('partner-unknown', `No exchange partner ${id}`);
    if (!partner.enabled) throw exchangeError('partner-disabled', `Exchange partner ${partner.name} is disabled`);
    return partner;
  }

  /**
   * Adds or changes a partner. A smart-backend partner gets a key pair when it has none (or when
   * `newKey` asks for one); a client-credentials partner keeps its stored secret unless a new one is given.
   */
  async save(input: PartnerInput): Promise<Partner> {
    const id = input.id ?? randomUUID();
    const existing = (await this.#db.query<PartnerRow>('SELECT * FROM exchange_partner WHERE id = $1', [id])).rows[0];
    let secret: string | null = null;
    let key: { keyId: string; privateJwk: JWK; publicJwk: JWK } | null = null;
    if (input.auth.kind === 'client-credentials') {
      secret = input.auth.secret ?? (existing?.auth_kind === 'client-credentials' ? existing.client_secret : null);
    } else if (!input.auth.newKey && existing?.key_id && existing.private_jwk && existing.public_jwk) {
      key = { keyId: existing.key_id, privateJwk: existing.private_jwk, publicJwk: existing.public_jwk };
    } else {
      key = await newKeyPair();
    }
    const baseUrl = input.baseUrl.replace(/\/+$/, '');
    await this.#db.query(
      `INSERT INTO exchange_partner (id, name, base_url, organization_system, organization_value, auth_kind, client_id, token_url, scope,
         client_secret, key_id, private_jwk, public_jwk, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13::text::jsonb, $14)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, base_url = EXCLUDED.base_url, organization_system = EXCLUDED.organization_system,
         organization_value = EXCLUDED.organization_value, auth_kind = EXCLUDED.auth_kind, client_id = EXCLUDED.client_id,
         token_url = EXCLUDED.token_url, scope = EXCLUDED.scope, client_secret = EXCLUDED.client_secret, key_id = EXCLUDED.key_id,
         private_jwk = EXCLUDED.private_jwk, public_jwk = EXCLUDED.public_jwk, enabled = EXCLUDED.enabled, updated_at = now()`,
      [id, input.name, baseUrl, input.organization?.system ?? null, input.organization?.value ?? null, input.auth.kind, input.auth.clientId,
        input.auth.tokenUrl ?? null, input.scope ?? 'system/*.*', secret, key?.keyId ?? null,
        key ? JSON.stringify(key.privateJwk) : null, key ? JSON.stringify(key.publicJwk) : null, input.enabled ?? true]);
    for (const listener of this.#listeners) listener(id);
    return (await this.get(id))!;
  }

  async remove(id: string): Promise<boolean> {
    const removed = (await this.#db.query('DELETE FROM exchange_partner WHERE id = $1 RETURNING id', [id])).rows.length > 0;
    for (const listener of this.#listeners) listener(id);
    return removed;
  }

  /** The secret or private key to authenticate with (for the remote client only). */
  async credentialsOf(id: string): Promise<PartnerCredentials | null> {
    const row = (await this.#db.query<PartnerRow>('SELECT auth_kind, client_secret, key_id, private_jwk FROM exchange_partner WHERE id = $1', [id])).rows[0];
    if (!row) return null;
    if (row.auth_kind === 'client-credentials') return row.client_secret !== null ? { kind: 'client-credentials', secret: row.client_secret } : null;
    return row.key_id && row.private_jwk ? { kind: 'smart-backend', keyId: row.key_id, privateJwk: row.private_jwk } : null;
  }

  /** The public key a partner registers for us (smart-backend), as a JWKS. */
  async publicJwksOf(id: string): Promise<{ keys: JWK[] } | null> {
    const row = (await this.#db.query<{ public_jwk: JWK | null }>('SELECT public_jwk FROM exchange_partner WHERE id = $1', [id])).rows[0];
    return row ? { keys: row.public_jwk ? [row.public_jwk] : [] } : null;
  }

  /** Our JWKS: the public keys of every partner we use SMART Backend Services with. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    const rows = (await this.#db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM exchange_partner WHERE public_jwk IS NOT NULL ORDER BY id')).rows;
    return { keys: rows.map((r) => r.public_jwk) };
  }
}
