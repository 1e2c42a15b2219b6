// Exchange partners on server A pointing at server B (a second real server with its own database):
// the registry keeps credentials out of its answers, and the remote client gets a token from B's
// token endpoint (discovered from B's SMART configuration) and reads B with fhir-kit-client.
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { remoteClient, remoteFailure } from '../../../server/exchange/partners/remote-client.ts';
import { exchangeCodeOf } from '../../../server/exchange/errors.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';

let a: TestServer;
let b: TestServer;

test.before(async () => {
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
});
test.after.always(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** B registers a confidential client_credentials client for A; returns its id and secret. */
async function clientOnB(clientId: string): Promise<string> {
  const res = await request(b, 'POST', '/admin/clients', {
    body: { clientId, name: 'Hospital A', confidential: true, grantTypes: ['client_credentials'], scope: 'system/*.*' },
    headers: { 'content-type': 'application/json' },
  });
  if (res.status !== 201) throw new Error(`client on B: ${res.status} ${res.text}`);
  return res.body.clientSecret as string;
}

test.serial('a client-credentials partner: the admin API never shows the secret, the remote client reads the partner', async (t) => {
  const secret = await clientOnB('hospital-a');
  const saved = await request(a, 'POST', '/admin/exchange/partners', {
    headers: { 'content-type': 'application/json' },
    body: { id: 'hospital-b', name: 'Hospital B', baseUrl: `${b.base}/`, organization: { system: 'https://www.usci.example/', value: 'B-001' },
      auth: { kind: 'client-credentials', clientId: 'hospital-a', secret } },
  });
  t.is(saved.status, 201, saved.text);
  t.false(saved.text.includes(secret));
  t.true(saved.body.hasSecret);
  t.is(saved.body.baseUrl, b.base);
  const row = (await a.app.db.query<{ client_secret: string; organization_value: string }>('SELECT client_secret, organization_value FROM exchange_partner WHERE id = $1', ['hospital-b'])).rows[0];
  t.is(row?.client_secret, secret);
  t.is(row?.organization_value, 'B-001');
  const listed = await request(a, 'GET', '/admin/exchange/partners');
  t.false(listed.text.includes(secret));
  t.deepEqual(listed.body.map((p: { id: string }) => p.id), ['hospital-b']);

  const created = await b.fhir.create({ resourceType: 'Organization', body: { resourceType: 'Organization', name: 'On B' } }) as unknown as { id: string };
  const client = await remoteClient(a.app.exchange.partners, 'hospital-b');
  const read = await client.read({ resourceType: 'Organization', id: created.id }) as unknown as { name: string };
  t.is(read.name, 'On B');
});

test.serial('a wrong secret is partner-auth-failed, an unknown partner partner-unknown, a disabled one partner-disabled', async (t) => {
  await clientOnB('hospital-a-wrong');
  await a.app.exchange.partners.save({ id: 'wrong-secret', name: 'Wrong', baseUrl: b.base, auth: { kind: 'client-credentials', clientId: 'hospital-a-wrong', secret: 'not-it' } });
  const failed = await t.throwsAsync(remoteClient(a.app.exchange.partners, 'wrong-secret'));
  t.is(exchangeCodeOf(failed), 'partner-auth-failed');
  t.is(exchangeCodeOf(await t.throwsAsync(remoteClient(a.app.exchange.partners, 'nobody'))), 'partner-unknown');
  await a.app.exchange.partners.save({ id: 'off', name: 'Off', baseUrl: b.base, enabled: false, auth: { kind: 'client-credentials', clientId: 'x', secret: 'y' } });
  t.is(exchangeCodeOf(await t.throwsAsync(remoteClient(a.app.exchange.partners, 'off'))), 'partner-disabled');
  const answer = await request(a, 'GET', '/admin/exchange/partners/nobody');
  t.is(answer.status, 404);
});

test.serial('a partner nobody answers for is partner-unreachable, and a refused request partner-refused', async (t) => {
  await a.app.exchange.partners.save({ id: 'down', name: 'Down', baseUrl: 'http://127.0.0.1:9/fhir', auth: { kind: 'client-credentials', clientId: 'x', secret: 'y' } });
  t.is(exchangeCodeOf(await t.throwsAsync(remoteClient(a.app.exchange.partners, 'down'))), 'partner-unreachable');
  const client = await remoteClient(a.app.exchange.partners, 'hospital-b');
  const err = await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'not-a-gender' } }).catch((e: unknown) => e);
  const failure = remoteFailure(a.app.exchange.partners, { id: 'hospital-b', name: 'Hospital B' }, err);
  t.is(exchangeCodeOf(failure), 'partner-refused');
});

test.serial('only administrators manage partners', async (t) => {
  const res = await request(a, 'GET', '/admin/exchange/partners', { token: null });
  t.is(res.status, 401);
  await createAccount(a, { login: 'dr.wang', roles: ['doctor'] });
  const doctor = await request(a, 'GET', '/admin/exchange/partners', { token: await logIn(a, 'dr.wang') });
  t.is(doctor.status, 403);
});

test.serial('staff see the directory of enabled partners — names and identifiers, no credentials; patients and anonymous callers do not', async (t) => {
  await a.app.exchange.partners.save({ id: 'dir-on', name: '市第三医院', baseUrl: 'http://127.0.0.1:9/fhir', organization: { system: 'urn:example', value: 'C-3' },
    auth: { kind: 'client-credentials', clientId: 'x', secret: 'directory-secret' } });
  await a.app.exchange.partners.save({ id: 'dir-off', name: '停用医院', baseUrl: 'http://127.0.0.1:9/fhir', enabled: false,
    auth: { kind: 'client-credentials', clientId: 'x', secret: 'directory-secret' } });
  await createAccount(a, { login: 'nurse.zhou', roles: ['nurse'] });
  const listed = await request(a, 'GET', '/exchange/partners', { token: await logIn(a, 'nurse.zhou') });
  t.is(listed.status, 200, listed.text);
  const entry = (listed.body as { id: string }[]).find((p) => p.id === 'dir-on');
  t.deepEqual(entry, { id: 'dir-on', name: '市第三医院', organization: { system: 'urn:example', value: 'C-3' } });
  t.false((listed.body as { id: string }[]).some((p) => p.id === 'dir-off'));
  t.false(listed.text.includes('directory-secret'));
  t.false(listed.text.includes('127.0.0.1:9'), 'no addresses either');

  t.is((await request(a, 'GET', '/exchange/partners', { token: null })).status, 401);
  const patientId = (await request(a, 'POST', '/Patient', { body: { resourceType: 'Patient', name: [{ text: '周一' }] } })).body.id;
  await createAccount(a, { login: 'zhou.yi@example.org', roles: ['patient'], patientId });
  t.is((await request(a, 'GET', '/exchange/partners', { token: await logIn(a, 'zhou.yi@example.org') })).status, 403);
});

test.serial('a smart-backend partner gets a key pair; its public JWK is published, the private one never', async (t) => {
  const saved = await request(a, 'POST', '/admin/exchange/partners', {
    headers: { 'content-type': 'application/json' },
    body: { id: 'jwt-partner', name: 'JWT partner', baseUrl: b.base, auth: { kind: 'smart-backend', clientId: 'hospital-a-jwt' } },
  });
  t.is(saved.status, 201, saved.text);
  const key = saved.body.jwks.keys[0];
  t.is(key.kty, 'EC');
  t.is(key.crv, 'P-384');
  t.is(key.d, undefined);
  t.is(saved.body.auth.keyId, key.kid);
  const jwks = await (await fetch(`${a.url}/exchange/jwks`)).json() as { keys: { kid: string; d?: string }[] };
  t.true(jwks.keys.some((k) => k.kid === key.kid));
  t.true(jwks.keys.every((k) => k.d === undefined));
  const row = (await a.app.db.query<{ private_jwk: { d?: string } }>('SELECT private_jwk FROM exchange_partner WHERE id = $1', ['jwt-partner'])).rows[0];
  t.is(typeof row?.private_jwk.d, 'string');
});
