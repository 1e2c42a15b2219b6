import http from 'node:http';
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.ts';
import { makeResidentId } from '../../../server/identity/resident-id.ts';
import { hashPassword } from '../../../server/auth/password.ts';
import { RESIDENT_ID_SYSTEM } from '../../../server/seed/systems.ts';

// Sign-up and proxies over real HTTP. The rate limits count per client address, so each test speaks
// from an address of its own in 127.0.0.0/8 (all of it is the loopback interface), as separate
// people would; the test of the limit itself uses one address throughout. Tests run one at a time
// because they compare row counts before and after.
let server: TestServer;
let smtp: TestSmtpServer;
let nextAddress = 10;
const newClient = () => `127.0.0.${nextAddress++}`;
const password = 'plum blossom in the snow';

test.before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ smtpUrl: smtp.url });
});
test.after.always(async () => {
  await server?.stop();
  await smtp?.stop();
});

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: any }

/** A JSON request to the server from `from` (a loopback address), with an optional bearer token and cookie. */
function call(from: string, method: string, path: string, options: { body?: unknown; token?: string; cookie?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(path, server.url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers, localAddress: from }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function askCode(from: string, email: string): Promise<string> {
  const res = await call(from, 'POST', '/auth/signup/code', { body: { email, locale: 'en' } });
  if (res.status !== 202) throw new Error(`code request failed: ${res.status} ${JSON.stringify(res.body)}`);
  const mail = await smtp.waitForMessage(email);
  return /(?<!\d)\d{6}(?!\d)/.exec(mail.text)![0];
}

function signUp(from: string, fields: Record<string, unknown>) {
  return call(from, 'POST', '/auth/signup', { body: { password, documentType: 'resident-id', locale: 'en', ...fields } });
}

async function counts(): Promise<{ accounts: number; patients: number }> {
  return (await server.app.db.query<{ accounts: number; patients: number }>(
    `SELECT (SELECT count(*) FROM auth_account)::integer AS accounts,
            (SELECT count(*) FROM fhir_resource WHERE resource_type = 'Patient')::integer AS patients`)).rows[0]!;
}

const refreshCookieOf = (res: Answer) => /his_refresh=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1];

async function refresh(from: string, cookie: string): Promise<{ token: string; cookie: string }> {
  const res = await call(from, 'POST', '/auth/refresh', { cookie: `his_refresh=${cookie}`, headers: { 'x-requested-with': 'open-his' } });
  if (res.status !== 200) throw new Error(`refresh failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.access_token, cookie: refreshCookieOf(res)! };
}

async function existingPatient(id: string, residentId: string, name: { text: string; family: string; given: string[] }) {
  const res = await request(server, 'PUT', `Patient/${id}`, { body: {
    resourceType: 'Patient', id, identifier: [{ system: RESIDENT_ID_SYSTEM, value: residentId }], name: [{ use: 'official', ...name }], gender: 'female',
  } });
  if (res.status >= 300) throw new Error(`Patient setup failed: ${res.text}`);
}

test.serial('a patient signs up with an e-mail code, gets a session and her own Patient record, and sees no one else\'s', async (t) => {
  const from = newClient();
  const residentId = makeResidentId('110105', '1985-03-14', 122);
  const before = await counts();
  const code = await askCode(from, 'mei@example.org');
  const res = await signUp(from, { email: 'Mei@Example.org', code, name: '王美丽', documentNumber: residentId, phone: '+86 138 0000 1234' });
  t.is(res.status, 201, JSON.stringify(res.body));
  t.is(res.body.token_type, 'Bearer');
  t.truthy(refreshCookieOf(res));
  const patientId = res.body.account.patientId as string;
  t.deepEqual(res.body.account.patients, [patientId]);

  const account = (await server.app.db.query<{ kind: string; email: string; roles: string[]; patient_id: string; document_type: string; document_number: string }>(
    'SELECT kind, email, roles, patient_id, document_type, document_number FROM auth_account WHERE email = $1', ['mei@example.org'])).rows[0]!;
  t.like(account, { kind: 'patient', email: 'mei@example.org', patient_id: patientId, document_type: 'resident-id', document_number: residentId });
  t.deepEqual(account.roles, ['patient']);
  const stored = (await server.app.db.query<{ content: any }>('SELECT content FROM fhir_resource WHERE resource_type = $1 AND id = $2', ['Patient', patientId])).rows[0]!.content;
  t.like(stored.identifier[0], { system: RESIDENT_ID_SYSTEM, value: residentId });
  t.like(stored.name[0], { text: '王美丽', family: '王', given: ['美丽'] });
  t.is(stored.birthDate, '1985-03-14');
  t.is(stored.gender, 'female', 'the 17th digit is even');
  t.deepEqual(stored.telecom.map((c: any) => `${c.system}:${c.value}`), ['email:mei@example.org', 'phone:+8613800001234']);
  t.deepEqual(await counts(), { accounts: before.accounts + 1, patients: before.patients + 1 });

  t.is((await request(server, 'GET', `Patient/${patientId}`, { token: res.body.access_token })).status, 200);
  await existingPatient('someone-else', makeResidentId('310101', '1970-01-01', 201), { text: '赵六', family: '赵', given: ['六'] });
  t.is((await request(server, 'GET', 'Patient/someone-else', { token: res.body.access_token })).status, 404);

  await server.app.audit.flush();
  const events = await server.app.db.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content->>'outcome' = '0'
        AND content->>'outcomeDesc' LIKE 'Signed up%' AND content->'agent'->0->>'altId' = (SELECT id FROM auth_account WHERE email = $1)`, ['mei@example.org']);
  t.is(events.rows[0]!.n, 1, 'the sign-up is audited');
});

test.serial('a wrong code is 400 and counts an attempt; after five wrong codes the right one is refused', async (t) => {
  const from = newClient();
  const code = await askCode(from, 'guess@example.org');
  const wrong = code === '000000' ? '000001' : '000000';
  const fields = { email: 'guess@example.org', name: '周杰', documentNumber: makeResidentId('440305', '1990-07-01', 311) };
  const first = await signUp(from, { ...fields, code: wrong });
  t.is(first.status, 400);
  t.is(first.body.code, 'code-invalid');
  const attempts = async () => (await server.app.db.query<{ attempts: number }>(
    'SELECT attempts FROM auth_one_time_code WHERE destination = $1', ['guess@example.org'])).rows[0]!.attempts;
  t.is(await attempts(), 1);
  for (let i = 0; i < 4; i++) t.is((await signUp(from, { ...fields, code: wrong })).status, 400);
  t.is(await attempts(), 5);
  const sixth = await signUp(from, { ...fields, code });
  t.is(sixth.status, 400);
  t.is(sixth.body.code, 'code-invalid');
  t.is((await server.app.db.query('SELECT id FROM auth_account WHERE email = $1', ['guess@example.org'])).rows.length, 0);
});

test.serial('an expired code is refused with code-expired', async (t) => {
  const from = newClient();
  const code = await askCode(from, 'late@example.org');
  await server.app.db.query(`UPDATE auth_one_time_code SET expires_at = now() - interval '1 minute' WHERE destination = $1`, ['late@example.org']);
  const before = await counts();
  const res = await signUp(from, { email: 'late@example.org', code, name: '吴迟', documentNumber: makeResidentId('320102', '1979-11-30', 51) });
  t.is(res.status, 400);
  t.is(res.body.code, 'code-expired');
  t.deepEqual(await counts(), before);
});

test.serial('a code works once', async (t) => {
  const from = newClient();
  const code = await askCode(from, 'once@example.org');
  t.is((await signUp(from, { email: 'once@example.org', code, name: '郑一', documentNumber: makeResidentId('330106', '1992-02-29', 17) })).status, 201);
  const before = await counts();
  const again = await signUp(from, { email: 'once@example.org', code, name: '郑二', documentNumber: makeResidentId('330106', '1993-03-01', 19) });
  t.is(again.status, 400);
  t.is(again.body.code, 'code-invalid');
  t.deepEqual(await counts(), before);
});

test.serial('one resident ID, one account: signing up with it again is 409 and writes nothing', async (t) => {
  const from = newClient();
  const residentId = makeResidentId('510104', '1968-09-09', 73);
  t.is((await signUp(from, { email: 'first@example.org', code: await askCode(from, 'first@example.org'), name: '孙立', documentNumber: residentId })).status, 201);
  const code = await askCode(from, 'second@example.org');
  const before = await counts();
  const res = await signUp(from, { email: 'second@example.org', code, name: '孙立', documentNumber: residentId });
  t.is(res.status, 409);
  t.is(res.body.code, 'duplicate');
  t.deepEqual(await counts(), before);
  t.is((await server.app.db.query('SELECT id FROM auth_account WHERE document_number = $1', [residentId])).rows.length, 1);
});

test.serial('a resident ID with a wrong check digit is 422, writes nothing and leaves the code usable', async (t) => {
  const from = newClient();
  const residentId = makeResidentId('420102', '2000-12-12', 88);
  const typo = residentId.slice(0, 17) + (residentId[17] === '1' ? '2' : '1');
  const code = await askCode(from, 'typo@example.org');
  const before = await counts();
  const res = await signUp(from, { email: 'typo@example.org', code, name: '冯雪', documentNumber: typo });
  t.is(res.status, 422);
  t.is(res.body.code, 'invalid-document');
  t.regex(res.body.message, /check digit/);
  t.deepEqual(await counts(), before);
  t.is((await signUp(from, { email: 'typo@example.org', code, name: '冯雪', documentNumber: residentId })).status, 201);
});

test.serial('an existing Patient with the same resident ID but another name: 422 identity-mismatch and no account', async (t) => {
  const from = newClient();
  const residentId = makeResidentId('210102', '1955-06-06', 34);
  await existingPatient('mismatch-patient', residentId, { text: '陈国华', family: '陈', given: ['国华'] });
  const code = await askCode(from, 'impostor@example.org');
  const before = await counts();
  const res = await signUp(from, { email: 'impostor@example.org', code, name: '陈国强', documentNumber: residentId });
  t.is(res.status, 422);
  t.is(res.body.code, 'identity-mismatch');
  t.deepEqual(await counts(), before);
});

test.serial('an existing Patient with the same resident ID and name is linked to the new account, not duplicated', async (t) => {
  const from = newClient();
  const residentId = makeResidentId('370102', '1960-10-01', 46);
  await existingPatient('known-patient', residentId, { text: '欧阳春', family: '欧阳', given: ['春'] });
  const code = await askCode(from, 'chun@example.org');
  const before = await counts();
  // Spacing and full-width input do not make another name.
  const res = await signUp(from, { email: 'chun@example.org', code, name: '欧阳　春', documentNumber: residentId });
  t.is(res.status, 201, JSON.stringify(res.body));
  t.is(res.body.account.patientId, 'known-patient');
  t.deepEqual(await counts(), { accounts: before.accounts + 1, patients: before.patients });
  t.is((await request(server, 'GET', 'Patient/known-patient', { token: res.body.access_token })).status, 200);
});

test.serial('a passport holder signs up with its issuing country and a birth date; the account keeps the number with the country', async (t) => {
  const from = newClient();
  const code = await askCode(from, 'jane@example.org');
  const fields = { email: 'jane@example.org', code, name: 'Jane  Doe', documentType: 'passport', documentNumber: 'x1234567 8', issuingCountry: 'usa' };
  const undated = await signUp(from, fields);
  t.is(undated.status, 400);
  t.is(undated.body.code, 'invalid-request');
  const res = await signUp(from, { ...fields, birthDate: '1990-01-02', gender: 'female' });
  t.is(res.status, 201, JSON.stringify(res.body));
  const stored = (await server.app.db.query<{ content: any }>('SELECT content FROM fhir_resource WHERE resource_type = $1 AND id = $2', ['Patient', res.body.account.patientId])).rows[0]!.content;
  t.like(stored.identifier[0], { system: 'http://hl7.org/fhir/sid/passport-USA', value: 'X12345678' });
  t.deepEqual(stored.name, [{ use: 'official', text: 'Jane Doe' }]);
  t.is(stored.birthDate, '1990-01-02');
  const account = (await server.app.db.query<{ document_type: string; document_number: string }>(
    'SELECT document_type, document_number FROM auth_account WHERE email = $1', ['jane@example.org'])).rows[0]!;
  t.deepEqual({ ...account }, { document_type: 'passport', document_number: 'USA:X12345678' });
});

test.serial('a code request for an e-mail that has an account answers the same and mails a notice instead of a code', async (t) => {
  const from = newClient();
  await server.app.auth.accounts.create({ kind: 'patient', email: 'holder@example.org', passwordHash: await hashPassword(password), roles: ['patient'] });
  const taken = await call(from, 'POST', '/auth/signup/code', { body: { email: 'HOLDER@example.org', locale: 'en' } });
  const fresh = await call(from, 'POST', '/auth/signup/code', { body: { email: 'nobody@example.org', locale: 'en' } });
  t.is(taken.status, 202);
  t.deepEqual(taken.body, fresh.body);
  const notice = await smtp.waitForMessage('holder@example.org');
  t.regex(notice.text, /already has an account/);
  t.notRegex(notice.text, /\d{6}/);
  t.regex((await smtp.waitForMessage('nobody@example.org')).text, /verification code is \d{6}/);
});

test.serial('a second code for one address within a minute is 429; a phone number is 501 sms-unavailable', async (t) => {
  const from = newClient();
  await askCode(from, 'hasty@example.org');
  const again = await call(from, 'POST', '/auth/signup/code', { body: { email: 'hasty@example.org' } });
  t.is(again.status, 429);
  t.is(again.body.code, 'code-throttled');
  t.truthy(again.headers['retry-after']);
  t.is(smtp.messages.filter((m) => m.to.includes('hasty@example.org')).length, 1);
  const sms = await call(from, 'POST', '/auth/signup/code', { body: { phone: '+86 139 0000 0001' } });
  t.is(sms.status, 501);
  t.is(sms.body.code, 'sms-unavailable');
});

test.serial('the sixth code request from one client address within ten minutes is 429', async (t) => {
  const from = newClient();
  for (let i = 1; i <= 5; i++) t.is((await call(from, 'POST', '/auth/signup/code', { body: { email: `burst${i}@example.org` } })).status, 202);
  const sixth = await call(from, 'POST', '/auth/signup/code', { body: { email: 'burst6@example.org' } });
  t.is(sixth.status, 429);
  t.truthy(sixth.headers['retry-after']);
  t.is((await call(newClient(), 'POST', '/auth/signup/code', { body: { email: 'burst6@example.org' } })).status, 202, 'another client is not held up');
});

test.serial('when the Patient cannot be written, the account written before it is removed again', async (t) => {
  const from = newClient();
  const residentId = makeResidentId('120101', '1988-08-08', 65);
  // A trigger stands for any failure of the Patient write (database error, engine refusal).
  await server.app.db.query(`CREATE FUNCTION refuse_patient() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.resource_type = 'Patient' AND NEW.content::text LIKE '%${residentId}%' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
  await server.app.db.query('CREATE TRIGGER refuse_patient BEFORE INSERT ON fhir_resource FOR EACH ROW EXECUTE FUNCTION refuse_patient()');
  try {
    const code = await askCode(from, 'broken@example.org');
    const before = await counts();
    const res = await signUp(from, { email: 'broken@example.org', code, name: '何平', documentNumber: residentId });
    t.is(res.status, 500);
    t.deepEqual(await counts(), before);
    t.is((await server.app.db.query('SELECT id FROM auth_account WHERE email = $1', ['broken@example.org'])).rows.length, 0);
  } finally {
    await server.app.db.query('DROP TRIGGER refuse_patient ON fhir_resource');
    await server.app.db.query('DROP FUNCTION refuse_patient()');
  }
});

test.serial('a linked child\'s record is readable after a refresh, and no longer after unlinking and refreshing', async (t) => {
  const from = newClient();
  const signed = await signUp(from, { email: 'parent@example.org', code: await askCode(from, 'parent@example.org'), name: '林海', documentNumber: makeResidentId('350102', '1982-04-04', 91) });
  t.is(signed.status, 201);
  let session = { token: signed.body.access_token as string, cookie: refreshCookieOf(signed)! };
  const childId = makeResidentId('350102', '2019-06-01', 92);
  const before = await counts();
  const linked = await call(from, 'POST', '/auth/proxies', { token: session.token, body: { name: '林小雨', documentType: 'resident-id', documentNumber: childId, relationship: 'child' } });
  t.is(linked.status, 201, JSON.stringify(linked.body));
  const child = linked.body.patientId as string;
  t.deepEqual(await counts(), { accounts: before.accounts, patients: before.patients + 1 });
  t.deepEqual((await call(from, 'GET', '/auth/proxies', { token: session.token })).body, [{ patientId: child, relationship: 'child', name: '林小雨' }]);
  t.is((await request(server, 'GET', `Patient/${child}`, { token: session.token })).status, 404, 'the old token does not know the child yet');

  session = await refresh(from, session.cookie);
  t.is((await request(server, 'GET', `Patient/${child}`, { token: session.token })).status, 200);
  t.is((await request(server, 'GET', 'Patient/someone-else', { token: session.token })).status, 404);
  const self = await call(from, 'POST', '/auth/proxies', { token: session.token, body: { name: '林海', documentType: 'resident-id', documentNumber: makeResidentId('350102', '1982-04-04', 91), relationship: 'other' } });
  t.is(self.status, 400);

  t.is((await call(from, 'DELETE', `/auth/proxies/${child}`, { token: session.token })).status, 204);
  t.is((await call(from, 'DELETE', `/auth/proxies/${child}`, { token: session.token })).status, 404);
  t.deepEqual((await call(from, 'GET', '/auth/proxies', { token: session.token })).body, []);
  session = await refresh(from, session.cookie);
  t.is((await request(server, 'GET', `Patient/${child}`, { token: session.token })).status, 404);
});

test.serial('staff accounts get 403 on the proxy routes', async (t) => {
  const from = newClient();
  await server.app.auth.accounts.create({ kind: 'staff', username: 'clerk', passwordHash: await hashPassword(password), roles: ['registrar'] });
  const login = await call(from, 'POST', '/auth/login', { body: { login: 'clerk', password } });
  t.is(login.status, 200);
  const token = login.body.access_token as string;
  const get = await call(from, 'GET', '/auth/proxies', { token });
  t.is(get.status, 403);
  t.is(get.body.code, 'forbidden');
  const body = { name: '林小雨', documentType: 'resident-id', documentNumber: makeResidentId('350102', '2019-06-01', 92), relationship: 'child' };
  t.is((await call(from, 'POST', '/auth/proxies', { token, body })).status, 403);
  t.is((await call(from, 'DELETE', '/auth/proxies/someone-else', { token })).status, 403);
  t.is((await call(from, 'GET', '/auth/proxies')).status, 401, 'and callers without a token 401');
});
