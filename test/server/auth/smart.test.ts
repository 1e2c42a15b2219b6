// SMART on FHIR / OAuth 2.0 as an outside client sees it, driven by openid-client: discovery,
// client_credentials for system clients, and scopes (v1 and v2) bounding what a token may do.
import test from 'ava';
import * as client from 'openid-client';
import { startTestServer, request, testClient, type TestServer } from '../../helpers/server.ts';
import { loggedIn, patientAccount, staffAccount } from '../../helpers/login.ts';
import { discover, launch } from '../../helpers/smart.ts';

let server: TestServer;
let redirectUri: string;

const observation = (id: string, patient: string) => ({
  resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 72, unit: '/min' },
});

test.before(async () => {
  server = await startTestServer();
  redirectUri = `${server.url}/callback`;
  for (const resource of [
    { resourceType: 'Patient', id: 'sm-a', name: [{ family: 'Chen' }] }, observation('sm-a-o1', 'sm-a'),
    { resourceType: 'Patient', id: 'sm-b', name: [{ family: 'Liu' }] }, observation('sm-b-o1', 'sm-b'),
  ]) {
    const res = await request(server, 'PUT', `${resource.resourceType}/${resource.id}`, { body: resource });
    if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
  }
  await staffAccount(server, 'sm-admin', ['admin']);
  await patientAccount(server, 'chen@example.org', 'sm-a');
  const admin = (await loggedIn(server, 'sm-admin')).token;
  const registered = await request(server, 'POST', '/admin/clients', { token: admin, body: {
    clientId: 'v2-app', name: 'Heart rate app', grantTypes: ['authorization_code'], redirectUris: [redirectUri], scope: 'launch/patient patient/*.read offline_access',
  } });
  if (registered.status !== 201) throw new Error(`client: ${registered.status} ${registered.text}`);
});

test.after.always(async () => {
  await server?.stop();
});

test('discovery: /.well-known/smart-configuration (root and /fhir) is public and lists the endpoints and S256', async (t) => {
  for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
    const res = await fetch(`${server.url}${path}`);
    t.is(res.status, 200, path);
    const body = await res.json() as Record<string, unknown>;
    t.is(body.issuer, server.url);
    t.is(body.authorization_endpoint, `${server.url}/oauth2/authorize`);
    t.is(body.token_endpoint, `${server.url}/oauth2/token`);
    t.is(body.revocation_endpoint, `${server.url}/oauth2/revoke`);
    t.deepEqual(body.code_challenge_methods_supported, ['S256']);
    t.true((body.capabilities as string[]).includes('launch-standalone'));
    t.true((body.grant_types_supported as string[]).includes('authorization_code'));
  }
  const config = await discover(server, testClient.id, testClient.secret);
  const metadata = config.serverMetadata();
  t.is(metadata.token_endpoint, `${server.url}/oauth2/token`);
  t.true(metadata.supportsPKCE());
});

test('client_credentials with system/*.read: the token reads but a write is 403', async (t) => {
  const config = await discover(server, testClient.id, testClient.secret);
  const tokens = await client.clientCredentialsGrant(config, { scope: 'system/*.read' });
  t.is(tokens.token_type, 'bearer');
  t.is(tokens.scope, 'system/*.read');
  t.is(tokens.refresh_token, undefined, 'no refresh token for a system client');
  t.true(tokens.expiresIn()! > 0);
  const read = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${server.base}/Patient/sm-a`), 'GET');
  t.is(read.status, 200);
  const write = await request(server, 'POST', 'Patient', { token: tokens.access_token, body: { resourceType: 'Patient', name: [{ family: 'New' }] } });
  t.is(write.status, 403);
  t.is(write.body.resourceType, 'OperationOutcome');
  t.is((await request(server, 'GET', '/admin/accounts', { token: tokens.access_token })).status, 403, 'read-only system scope does not administer');
});

test('client_credentials with system/*.* (HTTP Basic client authentication) can write', async (t) => {
  const config = await discover(server, testClient.id, testClient.secret, client.ClientSecretBasic(testClient.secret));
  const tokens = await client.clientCredentialsGrant(config, { scope: 'system/*.*' });
  t.is(tokens.scope, 'system/*.*');
  const write = await request(server, 'POST', 'Patient', { token: tokens.access_token, body: { resourceType: 'Patient', name: [{ family: 'Written' }] } });
  t.is(write.status, 201, write.text);
});

test('client_credentials with a wrong secret is invalid_client (401), and asking beyond the client scope is invalid_scope', async (t) => {
  const config = await discover(server, testClient.id, 'not-the-secret-of-this-client');
  const err = await t.throwsAsync(client.clientCredentialsGrant(config, { scope: 'system/*.read' })) as Error & { status?: number; error?: string; response?: Response };
  t.is(err.status, 401);
  const body = err.response ? await err.response.json() as { error: string } : { error: err.error };
  t.is(body.error, 'invalid_client');
  const unknown = await discover(server, 'no-such-client', 'whatever-secret-value');
  t.is((await t.throwsAsync(client.clientCredentialsGrant(unknown, { scope: 'system/*.read' })) as Error & { status?: number }).status, 401);
  const good = await discover(server, testClient.id, testClient.secret);
  const scope = await t.throwsAsync(client.clientCredentialsGrant(good, { scope: 'user/*.*' })) as Error & { error?: string };
  t.is(scope.error, 'invalid_scope');
});

test('client_credentials is refused to a public client', async (t) => {
  const config = await discover(server, 'v2-app');
  const err = await t.throwsAsync(client.clientCredentialsGrant(config, { scope: 'patient/*.read' })) as Error & { status?: number };
  t.is(err.status, 401);
});

test('v2 scope patient/Observation.rs: the app searches and reads Observations only', async (t) => {
  const config = await discover(server, 'v2-app');
  const tokens = await launch(config, { redirectUri, scope: 'launch/patient patient/Observation.rs', login: 'chen@example.org' });
  t.is(tokens.scope, 'launch/patient patient/Observation.rs');
  t.is(tokens.patient, 'sm-a');
  const token = tokens.access_token;
  const search = await request(server, 'GET', 'Observation', { token });
  t.is(search.status, 200);
  t.deepEqual(search.body.entry.map((e: { resource: { id: string } }) => e.resource.id), ['sm-a-o1']);
  t.is((await request(server, 'GET', 'Observation/sm-a-o1', { token })).status, 200);
  const patient = await request(server, 'GET', 'Patient/sm-a', { token });
  t.is(patient.status, 403, 'not even their own Patient resource: the scope names Observation only');
  t.is(patient.body.resourceType, 'OperationOutcome');
  t.is((await request(server, 'GET', 'Condition', { token })).status, 403);
});

test('v1 scope patient/Observation.read grants what .rs grants, and no scope the client lacks is given', async (t) => {
  const config = await discover(server, 'v2-app');
  const tokens = await launch(config, { redirectUri, scope: 'launch/patient patient/Observation.read patient/*.write user/*.*', login: 'chen@example.org' });
  t.is(tokens.scope, 'launch/patient patient/Observation.read', 'scopes beyond the registered ones are dropped');
  t.is((await request(server, 'GET', 'Observation/sm-a-o1', { token: tokens.access_token })).status, 200);
  t.is((await request(server, 'GET', 'Patient/sm-a', { token: tokens.access_token })).status, 403);
});

test('a malformed client authentication header is invalid_client, never a 500', async (t) => {
  for (const credentials of ['%E0%A4%A:secret', 'no-colon-at-all', ':']) {
    const res = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.read' }),
    });
    t.is(res.status, 401, credentials);
    t.is(((await res.json()) as { error: string }).error, 'invalid_client');
  }
});
