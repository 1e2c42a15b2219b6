import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const mrn = 'https://open-his.example.org/fhir/sid/mrn';
const patient = (value: string, family = 'Cond') => ({
  resourceType: 'Patient', identifier: [{ system: mrn, value }], name: [{ family }],
});

async function countByIdentifier(value: string): Promise<number> {
  const r = await server.database.db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM fhir_sp_token WHERE resource_type = 'Patient' AND param = 'identifier' AND system = $1 AND code = $2`, [mrn, value]);
  return Number(r.rows[0].n);
}

test('conditional create with If-None-Exist returns the existing resource instead of a copy', async (t) => {
  const first = await request(server, 'POST', 'Patient', { body: patient('C-1'), headers: { 'if-none-exist': `identifier=${mrn}|C-1` } });
  t.is(first.status, 201);
  const second = await request(server, 'POST', 'Patient', { body: patient('C-1'), headers: { 'if-none-exist': `identifier=${mrn}|C-1` } });
  t.is(second.status, 200);
  t.is(second.body.id, first.body.id);
  t.is(await countByIdentifier('C-1'), 1);
});

test('concurrent conditional creates of the same identifier produce exactly one resource', async (t) => {
  const results = await Promise.all(Array.from({ length: 10 }, () => request(server, 'POST', 'Patient', {
    body: patient('RACE-1'), headers: { 'if-none-exist': `identifier=${mrn}|RACE-1` },
  })));
  t.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
  t.is(new Set(results.map((r) => r.body.id)).size, 1);
  t.is(await countByIdentifier('RACE-1'), 1);
});

test('If-None-Exist matching several resources is 412', async (t) => {
  await request(server, 'POST', 'Patient', { body: patient('MULTI') });
  await request(server, 'POST', 'Patient', { body: patient('MULTI') });
  const res = await request(server, 'POST', 'Patient', { body: patient('MULTI'), headers: { 'if-none-exist': `identifier=${mrn}|MULTI` } });
  t.is(res.status, 412);
  t.is(await countByIdentifier('MULTI'), 2);
});

test('If-None-Exist with an unknown search parameter is a 400, not a blind create', async (t) => {
  const res = await request(server, 'POST', 'Patient', { body: patient('UNK'), headers: { 'if-none-exist': 'no-such-param=1' } });
  t.is(res.status, 400);
  t.is(await countByIdentifier('UNK'), 0);
});

test('conditional update creates when nothing matches and updates the one match afterwards', async (t) => {
  const created = await request(server, 'PUT', `Patient?identifier=${encodeURIComponent(`${mrn}|CU-1`)}`, { body: patient('CU-1', 'First') });
  t.is(created.status, 201);
  const updated = await request(server, 'PUT', `Patient?identifier=${encodeURIComponent(`${mrn}|CU-1`)}`, { body: patient('CU-1', 'Second') });
  t.is(updated.status, 200);
  t.is(updated.body.id, created.body.id);
  t.is(updated.body.meta.versionId, '2');
  t.is(await countByIdentifier('CU-1'), 1);
});

test('conditional delete removes the one match; several matches are 412', async (t) => {
  const created = await request(server, 'POST', 'Patient', { body: patient('CD-1') });
  const del = await request(server, 'DELETE', `Patient?identifier=${encodeURIComponent(`${mrn}|CD-1`)}`);
  t.is(del.status, 200);
  t.is((await request(server, 'GET', `Patient/${created.body.id}`)).status, 410);
  await request(server, 'POST', 'Patient', { body: patient('CD-2') });
  await request(server, 'POST', 'Patient', { body: patient('CD-2') });
  t.is((await request(server, 'DELETE', `Patient?identifier=${encodeURIComponent(`${mrn}|CD-2`)}`)).status, 412);
  t.is(await countByIdentifier('CD-2'), 2);
});

test('a transaction resolves conditional references and conditional creates inside the bundle', async (t) => {
  await request(server, 'POST', 'Patient', { body: patient('TX-REF') });
  const res = await request(server, 'POST', '', {
    body: {
      resourceType: 'Bundle', type: 'transaction', entry: [
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient?identifier=${mrn}|TX-REF` } },
          request: { method: 'POST', url: 'Observation' },
        },
        { fullUrl: 'urn:uuid:6a1c1d2e-1111-4000-8000-000000000001', resource: patient('TX-NEW'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${mrn}|TX-NEW` } },
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'temp' }, subject: { reference: 'urn:uuid:6a1c1d2e-1111-4000-8000-000000000001' } },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    },
  });
  t.is(res.status, 200, JSON.stringify(res.body));
  const [refId] = (await server.database.db.query<{ id: string }>(
    `SELECT id FROM fhir_sp_token WHERE resource_type = 'Patient' AND param = 'identifier' AND code = 'TX-REF'`)).rows.map((r) => r.id);
  t.is(res.body.entry[0].resource.subject.reference, `Patient/${refId}`);
  t.is(res.body.entry[2].resource.subject.reference, `Patient/${res.body.entry[1].resource.id}`);
  // Running the same bundle again reuses the conditionally created patient.
  const again = await request(server, 'POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [res.body.entry[1] && {
    fullUrl: 'urn:uuid:6a1c1d2e-1111-4000-8000-000000000001', resource: patient('TX-NEW'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${mrn}|TX-NEW` },
  }] } });
  t.is(again.body.entry[0].response.status, '200 OK');
  t.is(await countByIdentifier('TX-NEW'), 1);
});

test('a conditional reference that matches nothing fails the whole transaction', async (t) => {
  const res = await request(server, 'POST', '', {
    body: {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: patient('TX-NONE-OK'), request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient?identifier=${mrn}|NOBODY` } }, request: { method: 'POST', url: 'Observation' } },
      ],
    },
  });
  t.true(res.status >= 400 && res.status < 500);
  t.is(await countByIdentifier('TX-NONE-OK'), 0);
});
