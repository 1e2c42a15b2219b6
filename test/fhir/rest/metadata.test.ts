import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

test('the CapabilityStatement lists every R4 resource type with the interactions that work', async (t) => {
  const cs = await server.fhir.capabilityStatement() as any;
  t.is(cs.resourceType, 'CapabilityStatement');
  t.is(cs.fhirVersion, '4.0.1');
  const types = cs.rest[0].resource.map((r: any) => r.type);
  t.is(types.length, 146);
  const patient = cs.rest[0].resource.find((r: any) => r.type === 'Patient');
  const interactions = patient.interaction.map((i: any) => i.code).sort();
  t.deepEqual(interactions, ['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread']);
  t.true(patient.searchParam.some((p: any) => p.name === 'identifier' && p.type === 'token'));
  t.true(patient.operation.some((o: any) => o.name === 'validate'));
  t.true(patient.operation.some((o: any) => o.name === 'everything'));
  t.false(cs.rest[0].resource.find((r: any) => r.type === 'Observation').operation.some((o: any) => o.name === 'everything'));
  t.deepEqual(cs.rest[0].interaction.map((i: any) => i.code).sort(), ['batch', 'history-system', 'search-system', 'transaction']);
});

const sample: Record<string, string> = { date: '2000-01-01', reference: 'Patient/x', number: '1', quantity: '1', string: 'x', token: 'x', uri: 'http://x' };

test('every search parameter the CapabilityStatement lists is accepted by a strict search', async (t) => {
  const cs = (await request(server, 'GET', 'metadata')).body;
  const registry = server.app.engine.registry;
  for (const type of ['Patient', 'Observation', 'Encounter', 'Condition', 'Appointment', 'ImagingStudy']) {
    const listed = cs.rest[0].resource.find((r: any) => r.type === type);
    for (const p of listed.searchParam) {
      const value = p.type === 'composite'
        ? registry.get(type, p.name)!.components.map((c) => sample[registry.getByUrl(c.definition)!.type]).join('$')
        : sample[p.type];
      const res = await request(server, 'GET', `${type}?${p.name}=${encodeURIComponent(value)}`, { headers: { prefer: 'handling=strict' } });
      t.is(res.status, 200, `${type}.${p.name}: ${JSON.stringify(res.body?.issue)}`);
    }
  }
});

test('$validate reports the problems of a resource without storing it', async (t) => {
  const bad = await request(server, 'POST', 'Patient/$validate', { body: { resourceType: 'Patient', gender: 'robot' } });
  t.is(bad.status, 200);
  t.is(bad.body.resourceType, 'OperationOutcome');
  t.true(bad.body.issue.some((i: any) => i.severity === 'error' && (i.expression ?? []).includes('Patient.gender')));
  const good = await request(server, 'POST', 'Patient/$validate', { body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', gender: 'female' } }] } });
  t.is(good.body.issue[0].severity, 'information');
  const stored = await server.database.db.query(`SELECT 1 FROM fhir_resource WHERE resource_type = 'Patient'`);
  t.is(stored.rows.length, 0);
});

test('$validate on an instance validates the stored resource', async (t) => {
  await request(server, 'PUT', 'Organization/val-1', { body: { resourceType: 'Organization', id: 'val-1', name: 'Valid' } });
  const res = await request(server, 'GET', 'Organization/val-1/$validate');
  t.is(res.status, 200);
  t.is(res.body.issue[0].severity, 'information');
});

test('an unknown operation is 404', async (t) => {
  t.is((await request(server, 'POST', 'Patient/$no-such-op', { body: { resourceType: 'Parameters' } })).status, 404);
});

test('the CapabilityStatement is public and names the SMART OAuth endpoints, which answer', async (t) => {
  const res = await request(server, 'GET', 'metadata', { token: null });
  t.is(res.status, 200);
  const security = res.body.rest[0].security;
  t.is(security.service[0].coding[0].code, 'SMART-on-FHIR');
  const uris = Object.fromEntries(security.extension[0].extension.map((e: { url: string; valueUri: string }) => [e.url, e.valueUri]));
  t.is(uris.token, `${server.url}/oauth2/token`);
  const token = await fetch(uris.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  t.is(token.status, 401, 'the token endpoint is there and wants a client');
});
