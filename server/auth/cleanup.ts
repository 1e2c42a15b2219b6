// Expired log-in records are deleted a day after they expire: sessions, authorization codes and
// one-time codes are only kept while they can matter (the AuditEvents keep the history of log-ins).
import type { Queryable } from '../../fhir/index.ts';

export async function purgeExpired(db: Queryable): Promise<{ sessions: number; codes: number; oneTimeCodes: number }> {
  const count = async (sql: string) => (await db.query<{ n: number }>(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`)).rows[0]!.n;
  return {
    // Codes first: they name the sessions they bought.
    codes: await count(`DELETE FROM auth_code WHERE expires_at < now() - interval '1 day'`),
    sessions: await count(`DELETE FROM auth_session s WHERE (s.expires_at < now() - interval '1 day' OR s.revoked_at < now() - interval '1 day')
      AND NOT EXISTS (SELECT 1 FROM auth_code c WHERE c.session_id = s.id)`),
    oneTimeCodes: await count(`DELETE FROM auth_one_time_code WHERE expires_at < now() - interval '1 day'`),
  };
}

/** Purges every `intervalMs` (timer unref'd; failures logged and retried at the next tick). */
export function startPurging(db: Queryable, options: { intervalMs?: number; log: { error(obj: object, msg: string): void } }): { stop(): void } {
  const timer = setInterval(() => {
    purgeExpired(db).catch((err: Error) => options.log.error({ err: { message: err.message } }, 'Purging expired sessions failed'));
  }, options.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
