import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

test('a value too long for the search index is a 422 and stores nothing', async (t) => {
  const res = await request(server, 'POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'x'.repeat(1_000_000) }] } });
  t.is(res.status, 422);
  t.is(res.body.resourceType, 'OperationOutcome');
  const rows = await server.database.db.query(`SELECT 1 FROM fhir_resource WHERE resource_type = 'Patient'`);
  t.is(rows.rows.length, 0);
});
