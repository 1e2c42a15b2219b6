// Electronic signatures of clinical documents (reports now, notes later): a JWS (RFC 7515, ES256)
// over the SHA-256 of the signed resource's canonical JSON, carried in a Provenance.signature
// (http://hl7.org/fhir/R4/provenance.html, Signature datatype with sigFormat application/jose).
// Each staff account has its own key pair held by the server (电子病历应用管理规范 §14 asks for
// attributable, verifiable signatures; a hospital CA can replace these keys later).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CompactSign, compactVerify, importJWK, importPKCS8, type JWK } from 'jose';
import { migrate, type Database, type Queryable, type Resource } from '../../fhir/index.ts';

export const signingMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'signing' };
/** ASTM E1762-95 signature type "Author's Signature" (FHIR R4 signature-type value set). */
export const AUTHOR_SIGNATURE = { system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" };

/** The content that is signed: the resource without its meta and narrative, keys sorted. */
export function canonicalJson(resource: Resource): string {
  const { meta: _meta, text: _text, ...content } = resource as Record<string, unknown>;
  const sort = (v: unknown): unknown => Array.isArray(v) ? v.map(sort)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(content));
}

export function contentDigest(resource: Resource): string {
  return createHash('sha256').update(canonicalJson(resource)).digest('base64url');
}

interface Claims { ref: string; sha256: string; signer: string; account: string; when: string }

export class Signatures {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  static async open(db: Database): Promise<Signatures> {
    await migrate(db, signingMigrations);
    return new Signatures(db);
  }

  async #privateKey(accountId: string): Promise<CryptoKey> {
    const { rows } = await this.#db.query<{ private_pkcs8: string }>('SELECT private_pkcs8 FROM signing_key WHERE account_id = $1', [accountId]);
    if (rows[0]) return importPKCS8(rows[0].private_pkcs8, 'ES256');
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwk = pair.publicKey.export({ format: 'jwk' });
    await this.#db.query('INSERT INTO signing_key (account_id, public_jwk, private_pkcs8) VALUES ($1, $2, $3) ON CONFLICT (account_id) DO NOTHING',
      [accountId, JSON.stringify(jwk), pkcs8]);
    return this.#privateKey(accountId);
  }

  /** `db`: the caller's transaction, when it verifies inside one (a write hook; PGlite has one connection). */
  async publicKey(accountId: string, db: Queryable = this.#db): Promise<JWK | undefined> {
    const { rows } = await db.query<{ public_jwk: string }>('SELECT public_jwk FROM signing_key WHERE account_id = $1', [accountId]);
    return rows[0] ? JSON.parse(rows[0].public_jwk) as JWK : undefined;
  }

  /**
   * The signer of an account, its key loaded now: signing itself touches no database, so it may run
   * inside another transaction (PGlite has one connection).
   */
  async signer(signer: { accountId: string; display: string }): Promise<{ sign(resource: Resource, ref: string, when: string): Promise<string> }> {
    const key = await this.#privateKey(signer.accountId);
    return {
      /** A compact JWS binding the resource's content, its reference, the signer and the time. */
      sign(resource: Resource, ref: string, when: string): Promise<string> {
        const claims: Claims = { ref, sha256: contentDigest(resource), signer: signer.display, account: signer.accountId, when };
        return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
          .setProtectedHeader({ alg: 'ES256', kid: signer.accountId, typ: 'open-his-signature' })
          .sign(key);
      },
    };
  }

  /** Whether the JWS verifies with its signer's key and binds exactly this content. */
  async verify(resource: Resource, jws: string, db: Queryable = this.#db): Promise<{ verified: boolean; signer?: string; when?: string; ref?: string }> {
    try {
      const [header] = jws.split('.');
      const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid?: string };
      const jwk = kid ? await this.publicKey(kid, db) : undefined;
      if (!jwk) return { verified: false };
      const { payload } = await compactVerify(jws, await importJWK(jwk, 'ES256'));
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Claims;
      return { verified: claims.sha256 === contentDigest(resource) && claims.account === kid, signer: claims.signer, when: claims.when, ref: claims.ref };
    } catch {
      return { verified: false };
    }
  }
}
