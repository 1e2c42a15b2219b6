// Availability in a table of a shared PostgreSQL database: what two server processes in the
// cross-process push test both read.
import type { Queryable } from '../../fhir/index.ts';
import type { AvailabilityTime } from '../../server/push/events.ts';
import type { AvailabilityProvider } from '../../server/push/push.ts';

export async function createAvailabilityTable(db: Queryable): Promise<void> {
  await db.query('CREATE TABLE push_test_availability (service text NOT NULL, date text NOT NULL, times jsonb NOT NULL, PRIMARY KEY (service, date))');
}

export async function setAvailability(db: Queryable, service: string, date: string, times: AvailabilityTime[]): Promise<void> {
  await db.query(
    `INSERT INTO push_test_availability (service, date, times) VALUES ($1, $2, $3::text::jsonb)
     ON CONFLICT (service, date) DO UPDATE SET times = EXCLUDED.times`,
    [service, date, JSON.stringify(times)],
  );
}

export function tableAvailability(db: Queryable): AvailabilityProvider {
  return async (service, date) => {
    const { rows } = await db.query<{ times: AvailabilityTime[] }>('SELECT times FROM push_test_availability WHERE service = $1 AND date = $2', [service, date]);
    return rows[0]?.times ?? [];
  };
}
