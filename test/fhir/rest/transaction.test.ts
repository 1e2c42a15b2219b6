import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });


const txn = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });

test('transaction resolves urn:uuid references to the new ids', async (t) => {
  const res = await request(server, 'POST', '', {
    body: txn([
      { fullUrl: 'urn:uuid:9d1f3c1e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', name: [{ family: 'Uuid' }] }, request: { method: 'POST', url: 'Patient' } },
      {
        fullUrl: 'urn:uuid:9d1f3c1e-0000-4000-8000-000000000002',
        resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: 'urn:uuid:9d1f3c1e-0000-4000-8000-000000000001' } },
        request: { method: 'POST', url: 'Observation' },
      },
    ]),
  });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.type, 'transaction-response');
  t.is(res.body.entry[0].response.status, '201 Created');
  const patientId = res.body.entry[0].resource.id;
  t.is(res.body.entry[1].resource.subject.reference, `Patient/${patientId}`);
  const stored = await server.database.db.query<{ content: any }>('SELECT content FROM fhir_resource WHERE resource_type = $1 AND id = $2', ['Observation', res.body.entry[1].resource.id]);
  t.is(stored.rows[0].content.subject.reference, `Patient/${patientId}`);
});

test('a transaction with one invalid entry leaves nothing behind and names the entry', async (t) => {
  const res = await request(server, 'POST', '', {
    body: txn([
      { resource: { resourceType: 'Organization', name: 'Rolled back' }, request: { method: 'POST', url: 'Organization' } },
      { resource: { resourceType: 'Patient', id: 'tx-ok', name: [{ family: 'Fine' }] }, request: { method: 'PUT', url: 'Patient/tx-ok' } },
      { resource: { resourceType: 'Patient', gender: 'robot' }, request: { method: 'POST', url: 'Patient' } },
    ]),
  });
  t.is(res.status, 400);
  t.is(res.body.resourceType, 'OperationOutcome');
  t.true(res.body.issue.some((i: any) => (i.expression ?? []).some((e: string) => e.startsWith('Bundle.entry[2]'))), JSON.stringify(res.body));
  const left = await server.database.db.query(
    `SELECT id FROM fhir_resource_history WHERE id = 'tx-ok' OR content->>'name' = 'Rolled back'`);
  t.deepEqual(left.rows, []);
});

test('transaction processes DELETE, then POST, then PUT, then GET, answering in entry order', async (t) => {
  await request(server, 'PUT', 'Organization/order-del', { body: { resourceType: 'Organization', id: 'order-del', name: 'to delete' } });
  const res = await request(server, 'POST', '', {
    body: txn([
      { request: { method: 'GET', url: 'Organization/order-put' } },
      { resource: { resourceType: 'Organization', id: 'order-put', name: 'put' }, request: { method: 'PUT', url: 'Organization/order-put' } },
      { resource: { resourceType: 'Organization', name: 'posted' }, request: { method: 'POST', url: 'Organization' } },
      { request: { method: 'DELETE', url: 'Organization/order-del' } },
    ]),
  });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body.entry.map((e: any) => e.response.status), ['200 OK', '201 Created', '201 Created', '200 OK']);
  // The GET ran last, so it sees the PUT of the same transaction.
  t.is(res.body.entry[0].resource.name, 'put');
  t.is((await request(server, 'GET', 'Organization/order-del')).status, 410);
});

test('a reference to a urn:uuid that no entry declares fails the transaction', async (t) => {
  const res = await request(server, 'POST', '', {
    body: txn([{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:00000000-0000-4000-8000-00000000dead' } }, request: { method: 'POST', url: 'Observation' } }]),
  });
  t.is(res.status, 400);
});

test('batch entries succeed or fail independently', async (t) => {
  const res = await request(server, 'POST', '', {
    body: {
      resourceType: 'Bundle', type: 'batch', entry: [
        { resource: { resourceType: 'Organization', name: 'batch ok' }, request: { method: 'POST', url: 'Organization' } },
        { resource: { resourceType: 'Organization', name: 1 }, request: { method: 'POST', url: 'Organization' } },
        { request: { method: 'GET', url: 'Organization/does-not-exist' } },
        { request: { method: 'BREW', url: 'Organization' } },
      ],
    },
  });
  t.is(res.status, 200);
  t.is(res.body.type, 'batch-response');
  t.deepEqual(res.body.entry.map((e: any) => e.response.status.slice(0, 3)), ['201', '400', '404', '400']);
  t.is(res.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
  const stored = await server.database.db.query<{ n: number | string }>(`SELECT count(*) AS n FROM fhir_resource WHERE resource_type = 'Organization' AND content->>'name' = 'batch ok'`);
  t.is(Number(stored.rows[0].n), 1);
});

test('a Bundle that is neither batch nor transaction is a 400', async (t) => {
  const res = await request(server, 'POST', '', { body: { resourceType: 'Bundle', type: 'collection', entry: [] } });
  t.is(res.status, 400);
  t.is((await request(server, 'POST', '', { body: { resourceType: 'Patient' } })).status, 400);
});

test('two entries writing the same resource are rejected', async (t) => {
  const res = await request(server, 'POST', '', {
    body: txn([
      { resource: { resourceType: 'Organization', id: 'dup', name: 'a' }, request: { method: 'PUT', url: 'Organization/dup' } },
      { resource: { resourceType: 'Organization', id: 'dup', name: 'b' }, request: { method: 'PUT', url: 'Organization/dup' } },
    ]),
  });
  t.is(res.status, 400);
  t.is((await request(server, 'GET', 'Organization/dup')).status, 404);
});
