// OAuth 2.0 clients (RFC 6749 §2): confidential ones authenticate with a secret, public ones (browser
// and mobile apps) only with PKCE. Each has the grant types and redirect URIs it may use and the most
// scope it may be granted.
import { timingSafeEqual } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { Queryable } from '../../fhir/index.ts';
import { secretHash } from './tokens.ts';

export interface OAuthClient {
  clientId: string;
  confidential: boolean;
  name: string;
  grantTypes: string[];
  redirectUris: string[];
  scope: string;
  /** SMART Backend Services: the public keys its client assertions are signed with (a JWK Set, or its URL). */
  jwks?: JSONWebKeySet | null;
  jwksUrl?: string | null;
}

interface ClientRow { client_id: string; secret_hash: string | null; name: string; grant_types: string[]; redirect_uris: string[]; scope: string; jwks: JSONWebKeySet | null; jwks_url: string | null }

const toClient = (r: ClientRow): OAuthClient => ({
  clientId: r.client_id, confidential: r.secret_hash !== null || r.jwks !== null || r.jwks_url !== null, name: r.name, grantTypes: r.grant_types,
  redirectUris: r.redirect_uris, scope: r.scope, jwks: r.jwks, jwksUrl: r.jwks_url,
});

export class ClientStore {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  /** Registers or replaces a client. */
  async save(client: OAuthClient & { secret?: string }): Promise<void> {
    await this.#db.query(
      `INSERT INTO auth_client (client_id, secret_hash, name, grant_types, redirect_uris, scope, jwks, jwks_url) VALUES ($1, $2, $3, $4::text[], $5::text[], $6, $7::text::jsonb, $8)
       ON CONFLICT (client_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, name = EXCLUDED.name, grant_types = EXCLUDED.grant_types,
         redirect_uris = EXCLUDED.redirect_uris, scope = EXCLUDED.scope, jwks = EXCLUDED.jwks, jwks_url = EXCLUDED.jwks_url`,
      [client.clientId, client.secret ? secretHash(client.secret) : null, client.name, client.grantTypes, client.redirectUris, client.scope,
        client.jwks ? JSON.stringify(client.jwks) : null, client.jwksUrl ?? null]);
  }

  async byId(clientId: string): Promise<OAuthClient | null> {
    const row = (await this.#db.query<ClientRow>('SELECT * FROM auth_client WHERE client_id = $1', [clientId])).rows[0];
    return row ? toClient(row) : null;
  }

  async list(): Promise<OAuthClient[]> {
    return (await this.#db.query<ClientRow>('SELECT * FROM auth_client ORDER BY client_id')).rows.map(toClient);
  }

  /** The client when the secret is right (constant-time comparison of the hashes). */
  async authenticate(clientId: string, secret: string): Promise<OAuthClient | null> {
    const row = (await this.#db.query<ClientRow>('SELECT * FROM auth_client WHERE client_id = $1', [clientId])).rows[0];
    const expected = Buffer.from(row?.secret_hash ?? secretHash('no client'), 'hex');
    const given = Buffer.from(secretHash(secret), 'hex');
    const same = timingSafeEqual(expected, given);
    return row && row.secret_hash !== null && same ? toClient(row) : null;
  }
}

/** The system client configured by HIS_BOOTSTRAP_CLIENT_ID / _SECRET: client_credentials, system/*.*. */
export async function registerBootstrapClient(db: Queryable, client: { id: string; secret: string }): Promise<void> {
  await new ClientStore(db).save({
    clientId: client.id, secret: client.secret, confidential: true, name: 'Bootstrap system client (HIS_BOOTSTRAP_CLIENT_ID)',
    grantTypes: ['client_credentials'], redirectUris: [], scope: 'system/*.*',
  });
}
