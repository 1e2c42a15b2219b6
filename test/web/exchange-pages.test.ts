// The exchange pages in Chromium, between two running servers (A, the hospital under test, and B, a
// partner with its own database): a patient downloads and prints her health summary from the portal;
// an administrator registers B on /admin/exchange (the secret never shown back); a doctor refers the
// patient to B from the chart (refused first: the Task reads failed, with the reason; sent again: B
// holds the document); the doctor records the patient's consent and brings B's record in — the
// imported problem carries the source badge on the summary, and a withdrawn consent stops fetches.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import test, { type ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { startTestServer, request, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations } from '../helpers/browser.ts';
import { createAccount, logIn, testPassword } from '../helpers/accounts.ts';
import { staffSignIn } from '../helpers/radiology.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import { makeResidentId } from '../../server/identity/resident-id.ts';
import { localIdOf } from '../../server/exchange/records-in/reconcile.ts';
import zhCN from '../../web/src/shared/i18n/zh-CN.ts';
import { exchangeMessages } from '../../web/src/emr/chart/exchange-messages.ts';
import { summaryMessages } from '../../web/src/book/summary-messages.ts';

const RESIDENT_ID = 'urn:oid:2.16.156.10011.1.3';
const residentId = makeResidentId('110105', '1984-03-04', 26);
const patientLogin = 'han.meimei@example.org';

let a: TestServer;
let b: TestServer;
let patientId: string;
let clientSecret: string;

interface Json { [key: string]: any }

const stored = async (server: TestServer, type: string, where = 'TRUE', params: unknown[] = []) =>
  (await server.app.db.query<{ id: string; content: Json }>(`SELECT id, content FROM fhir_resource WHERE resource_type = $1 AND ${where}`, [type, ...params])).rows;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  // B registers A as a client; A's administrator will enter the secret on the page.
  const registered = await request(b, 'POST', '/admin/clients', {
    headers: { 'content-type': 'application/json' },
    body: { clientId: 'hospital-a', name: 'Hospital A', confidential: true, grantTypes: ['client_credentials'], scope: 'system/*.*' },
  });
  clientSecret = registered.body.clientSecret;
  const remote = (await request(b, 'POST', '/Patient', { body: {
    resourceType: 'Patient', name: [{ text: '韩梅梅' }], gender: 'female', birthDate: '1984-03-04', identifier: [{ system: RESIDENT_ID, value: residentId }],
  } })).body;
  await request(b, 'POST', '/Condition', { body: {
    resourceType: 'Condition', subject: { reference: `Patient/${remote.id}` }, code: { text: '2型糖尿病' },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  } });

  patientId = (await request(a, 'POST', '/Patient', { body: {
    resourceType: 'Patient', name: [{ text: '韩梅梅' }], gender: 'female', birthDate: '1984-03-04', identifier: [{ system: RESIDENT_ID, value: residentId }],
  } })).body.id;
  await request(a, 'POST', '/Condition', { body: {
    resourceType: 'Condition', subject: { reference: `Patient/${patientId}` }, code: { text: '原发性高血压' },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  } });
  await request(a, 'POST', '/AllergyIntolerance', { body: { resourceType: 'AllergyIntolerance', patient: { reference: `Patient/${patientId}` }, code: { text: '青霉素' } } });
  const practitioner = (await request(a, 'POST', '/Practitioner', { body: { resourceType: 'Practitioner', name: [{ text: '李医生' }] } })).body.id;
  await Promise.all([
    createAccount(a, { login: patientLogin, roles: ['patient'], patientId }),
    createAccount(a, { login: 'dr.li', roles: ['doctor'], practitionerId: practitioner }),
    createAccount(a, { login: 'it.admin', roles: ['admin'] }),
  ]);
});
test.after.always(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function openPage(t: ExecutionContext, path: string): Promise<{ page: Page; violations: string[] }> {
  const browser = await launchBrowser({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const violations = cspViolations(page);
  await page.goto(`${a.url}${path}`);
  return { page, violations };
}

const zhSummary = summaryMessages['zh-CN'];
const zhExchange = exchangeMessages['zh-CN'];

test.serial('a patient reads her health summary on the portal, downloads the FHIR document and prints it', async (t) => {
  const { page, violations } = await openPage(t, '/book/summary');
  await page.getByLabel(zhCN.auth.login).fill(patientLogin);
  await page.getByLabel(zhCN.auth.password).fill(testPassword);
  await page.locator('form[name="sign-in"] button[type="submit"]').click();
  const document = page.locator('[data-testid="summary-document"]');
  await document.waitFor();
  t.is(await page.locator('h1').textContent(), zhCN.book.mySummary);
  t.true((await document.locator('[data-section="11450-4"]').textContent())!.includes('原发性高血压'));
  t.true((await document.locator('[data-section="48765-2"]').textContent())!.includes('青霉素'));

  const download = page.waitForEvent('download');
  await page.locator('button[name="download"]').click();
  const file = await download;
  t.regex(file.suggestedFilename(), new RegExp(`^health-summary-${patientId}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
  const bundle = JSON.parse(await readFile((await file.path())!, 'utf8')) as Json;
  t.is(bundle.resourceType, 'Bundle');
  t.is(bundle.type, 'document');
  t.is(bundle.entry[0].resource.resourceType, 'Composition');
  t.is(bundle.identifier.value, await document.getAttribute('data-bundle'), 'the file is the document shown');
  t.true(bundle.entry.some((e: Json) => e.resource.resourceType === 'Condition' && e.resource.code.text === '原发性高血压'));

  // The print style keeps the document only.
  await page.emulateMedia({ media: 'print' });
  t.false(await page.locator('header.top').isVisible());
  t.false(await page.locator('button[name="download"]').isVisible());
  t.false(await page.locator('.book-nav').isVisible());
  t.true(await document.isVisible());
  t.is(await page.locator('.health-summary > p.note').first().isVisible(), false, 'the introduction is not printed');
  await page.emulateMedia({ media: 'screen' });

  // The summary was read by the patient herself: audited as hers.
  await a.app.audit.flush();
  const audits = await a.app.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content::text LIKE '%$summary%' AND content::text LIKE $1`, [`%Patient/${patientId}%`]);
  t.true(Number(audits.rows[0]!.n) >= 1);
  t.deepEqual(violations, []);
  t.is(zhSummary.heading, zhCN.book.mySummary);
});

test.serial('an administrator registers the partner hospital; its secret is stored and never shown back', async (t) => {
  const { page, violations } = await openPage(t, '/admin/exchange');
  await staffSignIn(page, 'it.admin');
  await page.locator('button[name="add-partner"]').click();
  const form = page.locator('form[name="partner"]');
  await form.locator('input[name="id"]').fill('city-second');
  await form.locator('input[name="name"]').fill('市第二医院');
  await form.locator('input[name="baseUrl"]').fill(b.base);
  await form.locator('input[name="orgValue"]').fill('12110000MB0000002X');
  await form.locator('input[name="clientId"]').fill('hospital-a');
  await form.locator('input[name="secret"]').fill(clientSecret);
  await form.locator('button[type="submit"]').click();
  const item = page.locator('[data-partner="city-second"]');
  await item.waitFor();
  t.is(await item.getAttribute('data-enabled'), 'true');
  t.false((await page.content()).includes(clientSecret), 'the secret is not on the page');
  const row = (await a.app.db.query<Json>('SELECT name, base_url, client_id, client_secret, organization_value, enabled FROM exchange_partner WHERE id = $1', ['city-second'])).rows[0]!;
  t.like(row, { name: '市第二医院', base_url: b.base, client_id: 'hospital-a', client_secret: clientSecret, organization_value: '12110000MB0000002X', enabled: true });

  // Disabled, the doctors' directory no longer lists it; enabled again, it does.
  await item.locator('button[name="toggle"]').click();
  await page.locator('[data-partner="city-second"][data-enabled="false"]').waitFor();
  t.false((await a.app.db.query<Json>('SELECT enabled FROM exchange_partner WHERE id = $1', ['city-second'])).rows[0]!.enabled);
  await item.locator('button[name="toggle"]').click();
  await page.locator('[data-partner="city-second"][data-enabled="true"]').waitFor();
  t.is((await a.app.db.query<Json>('SELECT client_secret FROM exchange_partner WHERE id = $1', ['city-second'])).rows[0]!.client_secret, clientSecret, 'the secret survives a change without one');

  // A second partner under the same id is refused with the reason on the page; nothing changes.
  await page.locator('button[name="add-partner"]').click();
  await form.locator('input[name="id"]').fill('city-second');
  await form.locator('input[name="name"]').fill('冒名医院');
  await form.locator('input[name="baseUrl"]').fill('http://127.0.0.1:9/fhir');
  await form.locator('input[name="clientId"]').fill('x');
  await form.locator('input[name="secret"]').fill('y');
  await form.locator('button[type="submit"]').click();
  await form.locator('[role="alert"]').waitFor();
  t.is(await form.locator('[role="alert"] p').textContent(), zhCN.errors['partner-exists']);
  t.is((await a.app.db.query<Json>('SELECT name FROM exchange_partner WHERE id = $1', ['city-second'])).rows[0]!.name, '市第二医院');
  t.is(Number((await a.app.db.query<{ n: string }>('SELECT count(*) AS n FROM exchange_partner')).rows[0]!.n), 1);
  t.deepEqual(violations, []);
});

test.serial('a doctor refers the patient to the partner from the chart; refused, the Task reads failed with the reason; sent again, the partner holds the summary', async (t) => {
  const partners = a.app.exchange.partners;
  const partner = (await partners.get('city-second'))!;
  const withSecret = (secret: string) => partners.save({ id: partner.id, name: partner.name, baseUrl: partner.baseUrl, organization: partner.organization,
    auth: { kind: 'client-credentials', clientId: partner.auth.clientId, secret } });
  await withSecret('not-the-secret');

  const { page, violations } = await openPage(t, `/emr/patients/${patientId}/exchange`);
  await staffSignIn(page, 'dr.li');
  const form = page.locator('form[name="refer"]');
  await form.locator('select[name="partner"] option[value="city-second"]').waitFor({ state: 'attached' });
  await form.locator('select[name="partner"]').selectOption('city-second');
  await form.locator('input[name="reason"]').fill('内分泌科会诊');
  await form.locator('textarea[name="note"]').fill('血糖控制不佳');
  await form.locator('button[type="submit"]').click();
  const row = page.locator('[data-testid="referrals"] tr[data-task]').first();
  await row.waitFor();
  t.is(await row.getAttribute('data-status'), 'failed');
  t.is(await row.locator('.failure').textContent(), zhCN.errors['partner-auth-failed'], 'the failure in our words');
  const taskId = await row.getAttribute('data-task');
  t.is((await stored(a, 'Task', 'id = $2', [taskId]))[0]!.content.status, 'failed');

  await withSecret(clientSecret);
  await row.locator('button[name="retry"]').click();
  await page.locator(`[data-testid="referrals"] tr[data-task="${taskId}"][data-status="completed"]`).waitFor();
  t.true((await row.textContent())!.includes('内分泌科会诊'));
  t.is(await page.locator('[data-testid="referrals"] tr[data-task]').count(), 1, 'sent again on the same Task');
  t.is(await page.locator('[data-testid="refer-notice"]').textContent(), zhExchange.referSent.replace('{partner}', '市第二医院'));

  const task = (await stored(a, 'Task', 'id = $2', [taskId]))[0]!.content;
  t.is(task.status, 'completed');
  const bundleId = (task.output[0].valueUrl as string).split('/').pop();
  const document = (await stored(b, 'Bundle', 'id = $2', [bundleId]))[0]?.content;
  t.is(document?.type, 'document');
  t.true(JSON.stringify(document).includes('原发性高血压'), 'the partner holds the summary with our problem list');
  t.deepEqual(violations, []);
});

test.serial('a doctor records the patient\'s consent and brings the partner\'s record in; the imported problem carries the source badge', async (t) => {
  const { page, violations } = await openPage(t, `/emr/patients/${patientId}/exchange`);
  await staffSignIn(page, 'dr.li');
  const fetchButton = page.locator('[data-testid="fetch-partners"] [data-partner="city-second"] button[name="fetch"]');
  await fetchButton.waitFor();
  t.true(await fetchButton.isDisabled(), 'no fetch without consent');

  const consent = page.locator('form[name="consent"]');
  await consent.locator('select[name="consent-partner"]').selectOption('city-second');
  await consent.locator('input[name="confirmed"]').check();
  await consent.locator('button[type="submit"]').click();
  await page.locator('[data-testid="external-records"] tr[data-consent][data-status="active"]').waitFor();
  const consents = await stored(a, 'Consent', `content->'patient'->>'reference' = $2`, [`Patient/${patientId}`]);
  t.is(consents.length, 1);
  t.is(consents[0]!.content.provision.actor[0].reference.identifier.value, '12110000MB0000002X');

  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-partner="city-second"] button[name="fetch"]')?.disabled);
  await fetchButton.click();
  const notice = page.locator('[data-testid="records-notice"]');
  await page.waitForFunction(() => (document.querySelector('[data-testid="records-notice"]')?.textContent ?? '').length > 0);
  t.is(await notice.textContent(), zhExchange.fetchDone.replace('{partner}', '市第二医院').replace('{created}', '1').replace('{updated}', '0').replace('{unchanged}', '0'));
  const remoteCondition = (await stored(b, 'Condition'))[0]!;
  const imported = (await stored(a, 'Condition', 'id = $2', [localIdOf(`${b.base}/Condition/${remoteCondition.id}`)]))[0]?.content;
  t.is(imported?.subject.reference, `Patient/${patientId}`);
  t.is(imported?.meta.source, `${b.base}/Condition/${remoteCondition.id}`);
  t.is((await stored(a, 'Provenance', `content->'policy'->>0 = $2`, [`Consent/${consents[0]!.id}`])).length, 1);

  // The summary tab marks what came from the other hospital, and only that.
  await page.locator('[data-tab="summary"]').first().click();
  const problems = page.locator('[data-testid="problems"]');
  await problems.locator('.badge.imported').waitFor();
  t.is(await problems.locator(`[data-problem="${imported!.id}"] .badge.imported`).count(), 1);
  t.is(await problems.locator('.badge.imported').count(), 1);

  // Withdrawn, the consent no longer allows a fetch (the page and the server agree).
  await page.locator('[data-tab="exchange"]').first().click();
  await page.locator('[data-testid="external-records"] button[name="withdraw"]').click();
  await page.locator('[data-testid="external-records"] tr[data-consent][data-status="inactive"]').waitFor();
  t.true(await fetchButton.isDisabled());
  t.is((await stored(a, 'Consent', 'id = $2', [consents[0]!.id]))[0]!.content.status, 'inactive');
  const refused = await request(a, 'POST', `/Patient/${patientId}/$fetch-external`, {
    token: await logIn(a, 'dr.li'), body: { resourceType: 'Parameters', parameter: [{ name: 'partner', valueString: 'city-second' }] },
  });
  t.is(refused.status, 403);
  t.regex(refused.text, /consent-required/);
  t.deepEqual(violations, []);
});
