// The report beside the images, in Chromium: a radiologist saves a preliminary report, signs it as
// final (the worklist then says final), and it becomes read-only with an amend action; the ordering
// doctor finds the patient on /emr/imaging, reads the final report and opens the images read-only.
import { existsSync } from 'node:fs';
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations } from '../helpers/browser.ts';
import { createAccount, logIn } from '../helpers/accounts.ts';
import { goTo, staffSignIn, storeCopy, viewportOutcome } from '../helpers/radiology.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import type { RenamedUids } from '../helpers/dicom-copies.ts';

let server: TestServer;
let token: string;
let study: RenamedUids;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await createAccount(server, { login: 'rad-report', roles: ['radiologist'] });
  await createAccount(server, { login: 'doctor-report', roles: ['doctor'] });
  token = await logIn(server, 'rad-report');
  const stored = await storeCopy(server.url, token, 'ct/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm');
  if (stored.status !== 200) throw new Error(`STOW answered ${stored.status}`);
  study = stored.uids;
  await server.app.imaging.store.idle();
});
test.after.always(async () => {
  await server?.stop();
});

const findings = 'Lungs clear. No pleural effusion. 12 mm nodule, right lower lobe.';
const impression = 'Solitary pulmonary nodule; follow-up CT in 3 months.';

test.serial('preliminary, then final: the worklist says final, the report is read-only with an amend action', async (t) => {
  const browser = await launchBrowser({ locale: 'en', viewport: { width: 1400, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const violations = cspViolations(page);
  await page.goto(`${server.url}/radiology`);
  await staffSignIn(page, 'rad-report');
  await page.locator(`tr[data-study="${study.studyUid}"][data-status="unread"]`).click();
  t.is(await viewportOutcome(page), 'true');

  const panel = page.locator('[data-testid="report-panel"]');
  await panel.locator('textarea[name="findings"]').fill(findings);
  await panel.locator('textarea[name="impression"]').fill(impression);
  await panel.locator('button[name="save"]').click();
  await panel.locator('[data-testid="report-status"][data-status="preliminary"]').waitFor();
  const preliminary = await fetch(`${server.url}/radiology/studies/${study.studyUid}/report`, { headers: { authorization: `Bearer ${token}` } });
  const saved = await preliminary.json() as { report: { status: string; conclusion?: string } | null };
  t.is(saved.report?.status, 'preliminary');
  t.is(saved.report?.conclusion, impression);

  await goTo(page, '/radiology');
  await page.locator(`tr[data-study="${study.studyUid}"][data-status="preliminary"]`).click();
  await panel.locator('textarea[name="impression"]').waitFor();
  t.is(await panel.locator('textarea[name="impression"]').inputValue(), impression, 'the draft comes back');
  t.is(await panel.locator('textarea[name="findings"]').inputValue(), findings);
  await panel.locator('button[name="sign"]').click();
  await panel.locator('[data-testid="report-status"][data-status="final"]').waitFor();
  await panel.locator('[data-testid="signature"]').waitFor();
  t.is(await panel.locator('[data-testid="signature"]').getAttribute('data-verified'), 'true');
  t.false(await panel.locator('textarea').first().isVisible(), 'a final report is read-only');
  t.regex(await panel.locator('[data-testid="report-text"]').innerText(), /follow-up CT in 3 months/);
  t.true(await panel.locator('button[name="amend"]').isVisible());

  await goTo(page, '/radiology');
  await page.locator('select[name="status"]').selectOption('final');
  await page.locator('form[name="worklist-filters"] button[type="submit"]').click();
  await page.locator(`tr[data-study="${study.studyUid}"][data-status="final"]`).waitFor();
  t.deepEqual(violations, []);
});

test.serial('the ordering doctor sees the final report on /emr/imaging and opens the images read-only', async (t) => {
  const browser = await launchBrowser({ locale: 'en', viewport: { width: 1400, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const violations = cspViolations(page);
  await page.goto(`${server.url}/emr/imaging`);
  await staffSignIn(page, 'doctor-report');
  await page.locator('form[name="find-patient"] input[name="patient"]').fill('MISTER');
  await page.locator('form[name="find-patient"] button[type="submit"]').click();
  await page.locator('[data-testid="patients"] a').first().click();
  const report = page.locator(`[data-testid="imaging-reports"] li[data-study="${study.studyUid}"]`);
  await report.waitFor();
  t.is(await report.getAttribute('data-status'), 'final');
  t.is(await report.locator('[data-testid="impression"]').innerText(), impression);
  await report.locator('a.button').click();
  t.is(await viewportOutcome(page), 'true');
  const panel = page.locator('[data-testid="report-panel"]');
  await panel.locator('[data-testid="report-status"][data-status="final"]').waitFor();
  t.false(await panel.locator('textarea').first().isVisible(), 'read-only for the doctor');
  t.false(await panel.locator('button[name="amend"]').isVisible());
  t.deepEqual(violations, []);
});

test.serial('a signed report is amended with a reason: a new signed version, status amended, the old one kept in history', async (t) => {
  const browser = await launchBrowser({ locale: 'en', viewport: { width: 1400, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${server.url}/radiology/studies/${study.studyUid}`);
  await staffSignIn(page, 'rad-report');
  t.is(await viewportOutcome(page), 'true');
  const panel = page.locator('[data-testid="report-panel"]');
  await panel.locator('button[name="amend"]').click();
  await panel.locator('textarea[name="impression"]').fill(`${impression} Addendum: compare with the 2024 study.`);
  t.true(await panel.locator('button[name="sign"]').isDisabled(), 'no amendment without a reason');
  await panel.locator('input[name="reason"]').fill('Prior study found');
  await panel.locator('button[name="sign"]').click();
  await panel.locator('[data-testid="report-status"][data-status="amended"]').waitFor();
  t.is(await panel.locator('[data-testid="signature"]').getAttribute('data-verified'), 'true');

  const answer = await (await fetch(`${server.url}/radiology/studies/${study.studyUid}/report`, { headers: { authorization: `Bearer ${token}` } })).json() as { report: { id: string; status: string; conclusion: string } };
  t.is(answer.report.status, 'amended');
  t.regex(answer.report.conclusion, /Addendum/);
  const history = await (await fetch(`${server.url}/fhir/DiagnosticReport/${answer.report.id}/_history`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } })).json() as { entry?: { resource?: { status?: string } }[] };
  t.true((history.entry ?? []).some((e) => e.resource?.status === 'final'), 'the signed final version stays in history');
});
