import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

// Behind a reverse proxy the audit trail and the rate limits must see the client, not the proxy.
async function auditedAddress(server: TestServer, patient: string): Promise<string | undefined> {
  await server.app.audit.flush();
  const rows = await server.app.db.query<{ address: string }>(`SELECT content->'agent'->0->'network'->>'address' AS address FROM fhir_resource
    WHERE resource_type = 'AuditEvent' AND content->'entity' @> $1::text::jsonb`, [JSON.stringify([{ what: { reference: `Patient/${patient}` } }])]);
  return rows.rows[0]?.address;
}

test('with TRUST_PROXY the last X-Forwarded-For entry is the client in audit records and rate limits', async (t) => {
  const server = await startTestServer({ trustProxy: true });
  try {
    await request(server, 'PUT', 'Patient/ca-1', { body: { resourceType: 'Patient', id: 'ca-1' }, headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' } });
    t.is(await auditedAddress(server, 'ca-1'), '203.0.113.7', 'the entry the proxy added, not the one the client claimed');
    // 25 failed log-ins from 25 clients behind the proxy: nobody is throttled for the others.
    for (let i = 0; i < 25; i++) {
      const res = await request(server, 'POST', '/auth/login', { token: null, body: { login: `nobody-${i}`, password: 'wrong password here' }, headers: { 'x-forwarded-for': `203.0.113.${i + 10}`, 'content-type': 'application/json' } });
      t.is(res.status, 401);
    }
  } finally {
    await server.stop();
  }
});

test('without TRUST_PROXY X-Forwarded-For is ignored: the socket peer is the client', async (t) => {
  const server = await startTestServer();
  try {
    await request(server, 'PUT', 'Patient/ca-2', { body: { resourceType: 'Patient', id: 'ca-2' }, headers: { 'x-forwarded-for': '203.0.113.7' } });
    t.is(await auditedAddress(server, 'ca-2'), '127.0.0.1');
  } finally {
    await server.stop();
  }
});
