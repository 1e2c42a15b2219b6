// On an empty database, `npm start` loads the demo hospital (SEED_DEMO, default on) in one
// transaction through the FHIR engine, so the demo data passes the same validation as any write.
import type { FhirEngine } from '../../fhir/index.ts';
import type { Config } from '../config.ts';
import { buildDemoBundle } from './demo-bundle.ts';

export async function seedDemoIfEmpty(engine: FhirEngine, config: Pick<Config, 'timezone'>, now = new Date()): Promise<number> {
  const existing = await engine.db.query('SELECT 1 FROM fhir_resource LIMIT 1');
  if (existing.rows.length > 0) return 0;
  const bundle = buildDemoBundle({ now, timezone: config.timezone });
  await engine.handle(
    { method: 'POST', path: '', query: new URLSearchParams(), headers: { prefer: 'return=minimal' }, body: bundle },
    'http://localhost/fhir',
  );
  return Array.isArray(bundle.entry) ? bundle.entry.length : 0;
}
