import test from 'ava';
import { createFhirEngine, openDatabase } from '../../../fhir/index.ts';

test('on PGlite the engine gathers planner statistics itself once enough data was written', async (t) => {
  const db = await openDatabase({});
  try {
    const engine = await createFhirEngine({ db, timezone: 'Asia/Shanghai' });
    const stats = () => db.query(`SELECT 1 FROM pg_stats WHERE tablename = 'fhir_resource' LIMIT 1`);
    t.is((await stats()).rows.length, 0);
    const entry = Array.from({ length: 2500 }, (_, i) => ({
      resource: { resourceType: 'Basic', id: `b${i}`, code: { text: `n${i}` } }, request: { method: 'PUT', url: `Basic/b${i}` },
    }));
    await engine.handle({ method: 'POST', path: '', query: new URLSearchParams(), headers: { prefer: 'return=minimal' },
      body: { resourceType: 'Bundle', type: 'transaction', entry } }, 'http://localhost/fhir');
    await engine.idle();
    t.is((await stats()).rows.length, 1);
  } finally {
    await db.close();
  }
});
