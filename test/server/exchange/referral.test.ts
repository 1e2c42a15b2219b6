// Referral out between two real servers: a doctor on A refers a patient to B; the summary document
// is stored in B's database and A's Task is completed with the remote Bundle's URL. With a wrong
// secret the Task fails with the reason; fixed, the same Task is sent again and completes.
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';

let a: TestServer;
let b: TestServer;
let patientId: string;
let doctorToken: string;
let secret: string;

test.before(async () => {
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  const registered = await request(b, 'POST', '/admin/clients', {
    headers: { 'content-type': 'application/json' },
    body: { clientId: 'hospital-a', name: 'Hospital A', confidential: true, grantTypes: ['client_credentials'], scope: 'system/*.*' },
  });
  secret = registered.body.clientSecret;
  await a.app.exchange.partners.save({ id: 'hospital-b', name: 'Hospital B', baseUrl: b.base, organization: { system: 'urn:oid:2.16.156', value: 'B-1' },
    auth: { kind: 'client-credentials', clientId: 'hospital-a', secret: 'wrong' } });
  patientId = (await request(a, 'POST', '/Patient', { body: { resourceType: 'Patient', name: [{ text: '王芳' }], gender: 'female' } })).body.id;
  const practitioner = (await request(a, 'POST', '/Practitioner', { body: { resourceType: 'Practitioner', name: [{ text: '张医生' }] } })).body.id;
  await createAccount(a, { login: 'dr.zhang', roles: ['doctor'], practitionerId: practitioner });
  doctorToken = await logIn(a, 'dr.zhang');
});
test.after.always(async () => { await Promise.all([a?.stop(), b?.stop()]); });

const refer = (body: unknown) => request(a, 'POST', `/Patient/${patientId}/$refer`, { token: doctorToken, body });

test.serial('a refused referral fails with the reason; retried after the fix, the same Task completes and B holds the document', async (t) => {
  const failed = await refer({ resourceType: 'Parameters', parameter: [{ name: 'partner', valueString: 'hospital-b' }, { name: 'reason', valueString: '心内科会诊 Cardiology' }] });
  t.is(failed.status, 201, failed.text);
  t.is(failed.body.status, 'failed');
  t.is(failed.body.statusReason.coding[0].code, 'partner-auth-failed');
  const request0 = (await request(a, 'GET', `/${failed.body.focus.reference}`)).body;
  t.is(request0.category[0].coding[0].code, '3457005');
  t.is(request0.performer[0].identifier.value, 'B-1');
  t.is(request0.reasonCode[0].text, '心内科会诊 Cardiology');

  await a.app.exchange.partners.save({ id: 'hospital-b', name: 'Hospital B', baseUrl: b.base, organization: { system: 'urn:oid:2.16.156', value: 'B-1' },
    auth: { kind: 'client-credentials', clientId: 'hospital-a', secret } });
  const retried = await refer({ resourceType: 'Parameters', parameter: [{ name: 'task', valueReference: { reference: `Task/${failed.body.id}` } }] });
  t.is(retried.status, 200, retried.text);
  t.is(retried.body.id, failed.body.id);
  t.is(retried.body.status, 'completed');
  const url = retried.body.output[0].valueUrl as string;
  const bundleId = url.split('/').pop();
  const stored = (await b.app.db.query<{ content: any }>(`SELECT content FROM fhir_resource WHERE resource_type = 'Bundle' AND id = $1`, [bundleId])).rows[0];
  t.is(stored?.content.type, 'document');
  t.is(stored?.content.entry[0].resource.resourceType, 'Composition');
  const onA = (await a.app.db.query<{ status: string }>(`SELECT content->>'status' AS status FROM fhir_resource WHERE resource_type = 'Task' AND id = $1`, [failed.body.id])).rows[0];
  t.is(onA?.status, 'completed');
  const again = await refer({ resourceType: 'Parameters', parameter: [{ name: 'task', valueReference: { reference: `Task/${failed.body.id}` } }] });
  t.is(again.status, 409);
});

test.serial('a partner that is down fails the Task as partner-unreachable', async (t) => {
  await a.app.exchange.partners.save({ id: 'down', name: 'Down', baseUrl: 'http://127.0.0.1:9/fhir', auth: { kind: 'client-credentials', clientId: 'x', secret: 'y' } });
  const res = await refer({ resourceType: 'Parameters', parameter: [{ name: 'partner', valueString: 'down' }] });
  t.is(res.body.status, 'failed');
  t.is(res.body.statusReason.coding[0].code, 'partner-unreachable');
  const unknown = await refer({ resourceType: 'Parameters', parameter: [{ name: 'partner', valueString: 'nobody' }] });
  t.is(unknown.status, 404);
});
