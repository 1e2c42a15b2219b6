import test from 'ava';
import { createFhirEngine } from '../../../fhir/index.ts';
import { buildDemoBundle } from '../../../server/seed/demo-bundle.ts';
import { createTestDatabase } from '../../helpers/database.ts';
import { responseResource } from '../../../fhir/rest/types.ts';

test('loading the demo bundle twice through the FHIR engine stores each resource once', async (t) => {
  const database = await createTestDatabase();
  try {
    const engine = await createFhirEngine({ db: database.db, timezone: 'Asia/Shanghai' });
    const bundle = buildDemoBundle({ now: new Date('2025-03-15T04:00:00Z'), timezone: 'Asia/Shanghai' });
    const post = () => engine.handle(
      { method: 'POST', path: '', query: new URLSearchParams(), headers: { prefer: 'return=minimal' }, body: bundle },
      'http://localhost/fhir',
    );
    t.is((await post()).status, 200);
    t.is((await post()).status, 200);
    const rows = await database.db.query<{ n: string | number }>('SELECT count(*) AS n FROM fhir_resource WHERE NOT deleted');
    t.is(Number(rows.rows[0]?.n), bundle.entry.length);
    const occupied = await engine.handle(
      { method: 'GET', path: 'Location', query: new URLSearchParams('operational-status=O&_summary=count'), headers: {}, body: undefined },
      'http://localhost/fhir',
    );
    const expected = bundle.entry.filter((e) => (e.resource as { operationalStatus?: { code: string } }).operationalStatus?.code === 'O').length;
    t.is((responseResource(occupied) as { total?: number }).total, expected);
  } finally {
    await database.drop();
  }
});
