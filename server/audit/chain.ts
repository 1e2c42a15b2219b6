// The audit hash chain: each sealed AuditEvent (FHIR R4, http://hl7.org/fhir/R4/auditevent.html)
// carries the SHA-256 of the previous link's hash and its own stored content, in the manner of the
// hash chains of RFC 6962 (Certificate Transparency) and of IHE BALP's tamper-evident audit
// repositories: changing, removing or reordering a sealed record breaks every later link's check.
//
//   hash = sha256_hex(prev_hash + '\n' + history_seq + '\n' + resource_id + '\n' + content_text)
//
// content_text is `content::text` of the fhir_resource_history row: the text PostgreSQL prints for a
// jsonb value is canonical (keys sorted, whitespace fixed) and the same on PostgreSQL 15 and PGlite
// 18, so the hash does not depend on how the resource was sent or on which engine stores it.
// The schema (tables, append-only triggers) is migrations/001-audit-chain.sql.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { migrate, type MigrationFolder } from '../../fhir/storage/migrate.ts';
import type { Database } from '../../fhir/index.ts';

/** prev_hash of the first link. */
export const genesisHash = '0'.repeat(64);

/** SQLSTATEs raised by the audit triggers (see the migration). */
export const auditSqlState = {
  /** An AuditEvent would get a second version, be deleted, or be changed in place. */
  appendOnly: 'AU001',
  /** audit_chain would be updated, deleted or truncated. */
  chainAppendOnly: 'AU002',
} as const;

export const auditMigrations: MigrationFolder = {
  directory: fileURLToPath(new URL('./migrations/', import.meta.url)),
  namespace: 'audit',
};

/** Installs the audit tables and triggers; the FHIR engine's own migrations must have run first. */
export function migrateAuditChain(db: Database): Promise<string[]> {
  return migrate(db, auditMigrations);
}

/** The hash of one link; `historySeq` in decimal, `contentText` as PostgreSQL prints the jsonb. */
export function chainHash(prevHash: string, historySeq: string | number, resourceId: string, contentText: string): string {
  return createHash('sha256')
    .update(`${prevHash}\n${historySeq}\n${resourceId}\n${contentText}`, 'utf8')
    .digest('hex');
}
