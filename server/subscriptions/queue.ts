// The delivery queue in SQL (migrations/001-subscriptions.sql). Rows are claimed with
// FOR UPDATE SKIP LOCKED so that several server processes on one PostgreSQL share the work without
// sending a notification twice; PGlite has one process.
import type { Queryable } from '../../fhir/index.ts';

export interface Change { id: string; resource_type: string; resource_id: string; version_id: number; event: string }
export interface Delivery {
  id: string; subscription_id: string; kind: 'handshake' | 'heartbeat' | 'event';
  resource_type: string | null; resource_id: string | null; event: string | null; attempts: number;
}

export async function appendChanges(tx: Queryable, changes: readonly { resourceType: string; id: string; versionId: number; event: string }[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO sub_change (resource_type, resource_id, version_id, event)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[])`,
    [changes.map((c) => c.resourceType), changes.map((c) => c.id), changes.map((c) => c.versionId), changes.map((c) => c.event)]);
}

/** The oldest changes not yet matched (locked until the transaction ends), at most `limit`. */
export async function claimChanges(tx: Queryable, limit: number): Promise<Change[]> {
  return (await tx.query<Change>(
    'SELECT id::text, resource_type, resource_id, version_id, event FROM sub_change ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED', [limit])).rows;
}

export async function removeChanges(tx: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await tx.query('DELETE FROM sub_change WHERE id = ANY($1::bigint[])', [ids]);
}

export async function enqueue(
  tx: Queryable,
  rows: readonly { subscriptionId: string; kind: Delivery['kind']; resourceType?: string; resourceId?: string; event?: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO sub_delivery (subscription_id, kind, resource_type, resource_id, event)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [rows.map((r) => r.subscriptionId), rows.map((r) => r.kind), rows.map((r) => r.resourceType ?? null),
      rows.map((r) => r.resourceId ?? null), rows.map((r) => r.event ?? null)]);
}

/**
 * Leases the first undelivered notification of each subscription that is due, for `leaseSeconds`:
 * later ones wait behind it, so a subscriber sees its notifications in order, and the lease (not an
 * open transaction) keeps other processes off it while it is being sent.
 */
export async function leaseDue(q: Queryable, limit: number, leaseSeconds: number): Promise<Delivery[]> {
  return (await q.query<Delivery>(
    `UPDATE sub_delivery SET next_at = now() + make_interval(secs => $2)
      WHERE id IN (
        SELECT d.id FROM sub_delivery d
         WHERE d.next_at <= now()
           AND NOT EXISTS (SELECT 1 FROM sub_delivery e WHERE e.subscription_id = d.subscription_id AND e.id < d.id)
         ORDER BY d.id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id::text, subscription_id, kind, resource_type, resource_id, event, attempts`, [limit, leaseSeconds])).rows;
}

export async function delivered(q: Queryable, delivery: Delivery): Promise<void> {
  await q.query('DELETE FROM sub_delivery WHERE id = $1', [delivery.id]);
  await q.query(
    `INSERT INTO sub_state (subscription_id, events_sent, last_sent_at) VALUES ($1, $2, now())
     ON CONFLICT (subscription_id) DO UPDATE SET events_sent = sub_state.events_sent + $2, last_sent_at = now()`,
    [delivery.subscription_id, delivery.kind === 'event' ? 1 : 0]);
}

export async function failed(q: Queryable, delivery: Delivery, error: string, retryInSeconds: number): Promise<void> {
  await q.query(
    `UPDATE sub_delivery SET attempts = attempts + 1, last_error = $2, next_at = now() + make_interval(secs => $3) WHERE id = $1`,
    [delivery.id, error.slice(0, 500), retryInSeconds]);
}

/** Drops what a subscription still owes (it went to error or off, or was deleted). */
export async function dropSubscription(tx: Queryable, subscriptionId: string): Promise<void> {
  await tx.query('DELETE FROM sub_delivery WHERE subscription_id = $1', [subscriptionId]);
}

export async function eventsSent(q: Queryable, subscriptionId: string): Promise<number> {
  const row = (await q.query<{ n: string }>('SELECT events_sent::text AS n FROM sub_state WHERE subscription_id = $1', [subscriptionId])).rows[0];
  return Number(row?.n ?? 0);
}

/** Active subscriptions with a heartbeat period whose last notification is older than it. */
export async function lastSent(q: Queryable, ids: readonly string[]): Promise<Map<string, Date | null>> {
  const rows = (await q.query<{ subscription_id: string; last_sent_at: Date | string | null }>(
    'SELECT subscription_id, last_sent_at FROM sub_state WHERE subscription_id = ANY($1::text[])', [ids])).rows;
  return new Map(rows.map((r) => [r.subscription_id, r.last_sent_at === null ? null : new Date(r.last_sent_at)]));
}
