// SMART Backend Services on our token endpoint: a client registered with its public keys gets a
// token for a client assertion signed by its key (A's remote client does this against B), and
// every bad assertion is refused: wrong key, expired, replayed jti, wrong audience.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { remoteClient } from '../../../server/exchange/partners/remote-client.ts';

let a: TestServer;
let b: TestServer;
let ours: { privateKey: CryptoKey; publicJwk: JWK };

test.before(async () => {
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  const pair = await generateKeyPair('ES384');
  ours = { privateKey: pair.privateKey, publicJwk: { ...await exportJWK(pair.publicKey), kid: 'k1', alg: 'ES384' } };
  const res = await request(b, 'POST', '/admin/clients', {
    headers: { 'content-type': 'application/json' },
    body: { clientId: 'jwt-client', name: 'Backend', confidential: true, grantTypes: ['client_credentials'], scope: 'system/*.read', jwks: { keys: [ours.publicJwk] } },
  });
  if (res.status !== 201) throw new Error(res.text);
});
test.after.always(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function assertion(options: { key?: CryptoKey; aud?: string; exp?: number; jti?: string; iss?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iss = options.iss ?? 'jwt-client';
  return new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'k1' }).setIssuer(iss).setSubject(iss)
    .setAudience(options.aud ?? `${b.url}/oauth2/token`).setJti(options.jti ?? randomUUID()).setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 240).sign(options.key ?? ours.privateKey);
}

async function token(jwt: string) {
  const res = await fetch(`${b.url}/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.read', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }),
  });
  return { status: res.status, body: await res.json() as { access_token?: string; error?: string; error_description?: string } };
}

test('the SMART configuration advertises private_key_jwt with ES384 and RS384', async (t) => {
  const config = await (await fetch(`${b.url}/.well-known/smart-configuration`)).json() as Record<string, string[]>;
  t.true(config.token_endpoint_auth_methods_supported!.includes('private_key_jwt'));
  t.deepEqual(config.token_endpoint_auth_signing_alg_values_supported, ['ES384', 'RS384']);
  t.true(config.capabilities!.includes('client-confidential-asymmetric'));
});

test('a good assertion buys a token; the same jti again is refused', async (t) => {
  const jwt = await assertion();
  const first = await token(jwt);
  t.is(first.status, 200, JSON.stringify(first.body));
  t.is(typeof first.body.access_token, 'string');
  const read = await fetch(`${b.base}/Patient`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
  t.is(read.status, 200);
  const again = await token(jwt);
  t.is(again.status, 401);
  t.regex(again.body.error_description ?? '', /jti/);
  const rows = (await b.app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM auth_client_assertion WHERE client_id = 'jwt-client'")).rows[0];
  t.true(rows!.n >= 1);
});

test('an assertion signed by another key, expired, for another audience or too long-lived is refused', async (t) => {
  const other = await generateKeyPair('ES384');
  const now = Math.floor(Date.now() / 1000);
  for (const [why, jwt] of [
    ['wrong key', await assertion({ key: other.privateKey })],
    ['expired', await assertion({ exp: now - 120 })],
    ['wrong aud', await assertion({ aud: `${a.url}/oauth2/token` })],
    ['exp too far', await assertion({ exp: now + 3600 })],
    ['unknown client', await assertion({ iss: 'nobody' })],
  ] as const) {
    const res = await token(jwt);
    t.is(res.status, 401, why);
    t.is(res.body.error, 'invalid_client', why);
    t.is(res.body.access_token, undefined, why);
  }
});

test('a smart-backend partner on A authenticates to B with its generated key and reads B', async (t) => {
  const saved = await request(a, 'POST', '/admin/exchange/partners', {
    headers: { 'content-type': 'application/json' },
    body: { id: 'b-jwt', name: 'Hospital B', baseUrl: b.base, scope: 'system/*.read', auth: { kind: 'smart-backend', clientId: 'hospital-a-keys' } },
  });
  t.is(saved.status, 201, saved.text);
  const registered = await request(b, 'POST', '/admin/clients', {
    headers: { 'content-type': 'application/json' },
    body: { clientId: 'hospital-a-keys', name: 'Hospital A', confidential: true, grantTypes: ['client_credentials'], scope: 'system/*.read', jwks: saved.body.jwks },
  });
  t.is(registered.status, 201, registered.text);
  t.is(registered.body.clientSecret, undefined);
  const client = await remoteClient(a.app.exchange.partners, 'b-jwt');
  const bundle = await client.search({ resourceType: 'Patient', searchParams: { _count: '1' } }) as unknown as { resourceType: string };
  t.is(bundle.resourceType, 'Bundle');
});
