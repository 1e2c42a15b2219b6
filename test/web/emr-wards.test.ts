// The inpatient workflow in Chromium: a nurse admits a patient from the bed board and transfers them
// to another bed while a second browser context's board follows live (Socket.io /wards, no
// reload); the bed is cleaned; a dose is given on the MAR; the patient is discharged with a summary, and the discharge summary
// prints on one A4 page. A small hospital of its own (one ward, one room, three beds) keeps it fast.
import { existsSync } from 'node:fs';
import test from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Resource } from '../../fhir/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertChromium, chromiumFlags, chromiumPath } from '../helpers/browser.ts';
import { createAccount, testPassword as password } from '../helpers/accounts.ts';
import { makeResidentId } from '../../server/identity/resident-id.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import zhCN from '../../web/src/shared/i18n/zh-CN.ts';
import { messages } from '../../web/src/emr/workflow/messages.ts';

const m = messages['zh-CN'];
type Json = Record<string, any>;
const HOSPITAL = '测试市第一人民医院';
const physical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code }] });
const beds = ['bed-e1', 'bed-e2', 'bed-e3'];

let server: TestServer;
let browser: Browser;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  assertChromium();
  server = await startTestServer();
  const repo = server.app.engine.repo;
  const put = (resource: Json) => repo.update(resource as Resource);
  await put({ resourceType: 'Organization', id: 'org-hospital', active: true, name: HOSPITAL, type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' }] }] });
  await put({ resourceType: 'Organization', id: 'org-resp', active: true, name: '呼吸内科', partOf: { reference: 'Organization/org-hospital' } });
  await put({ resourceType: 'Location', id: 'ward-e', status: 'active', name: '呼吸内科病区', physicalType: physical('wa'), managingOrganization: { reference: 'Organization/org-resp' } });
  await put({ resourceType: 'Location', id: 'room-e1', status: 'active', name: '801病房', physicalType: physical('ro'), partOf: { reference: 'Location/ward-e' } });
  for (const [i, bed] of beds.entries()) {
    await put({ resourceType: 'Location', id: bed, status: 'active', name: `801-${i + 1}床`, physicalType: physical('bd'),
      operationalStatus: { system: 'http://terminology.hl7.org/CodeSystem/v2-0116', code: 'U' }, partOf: { reference: 'Location/room-e1' } });
  }
  for (const [login, role, name] of [['nurse', 'nurse', '王护士'], ['doctor', 'doctor', '李医生'], ['admin', 'admin', '陈管理']] as const) {
    await put({ resourceType: 'Practitioner', id: `prac-${login}`, name: [{ text: name }] });
    await createAccount(server, { login, roles: [role], practitionerId: `prac-${login}` });
  }
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
});
test.after.always(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page in a context of its own (its own cookies: its own session), signed in. */
async function signedIn(login: string, path: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  // The print dialog would wait for a person; the test measures the print layout itself.
  await context.addInitScript(() => { window.print = () => undefined; });
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  const form = page.locator('form[name="staff-sign-in"]');
  await form.getByLabel(zhCN.staff.login).fill(login);
  await form.getByLabel(zhCN.staff.password).fill(password);
  await form.locator('button[type="submit"]').click();
  return page;
}

const read = async (type: string, id: string) => JSON.parse((await server.app.engine.repo.read(type, id)).json!) as Json;
const search = async (type: string, query: Record<string, string>) =>
  (await server.app.engine.repo.search(type, new URLSearchParams(query))).versions.map((v) => JSON.parse(v.json!) as Json);

test('a nurse admits and transfers a patient while another bed board follows live; discharge prints one A4 page', async (t) => {
  const residentId = makeResidentId('330106', '1961-03-02', 707);
  const patient = 'pat-ward-e2e';
  await server.app.engine.repo.update({ resourceType: 'Patient', id: patient, identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: residentId }],
    name: [{ text: '周病区' }], gender: 'male', birthDate: '1961-03-02' } as Resource);
  const [first, second] = [{ id: beds[0]!, name: '801-1床' }, { id: beds[1]!, name: '801-2床' }];

  const watcher = await signedIn('doctor', '/emr/wards');
  await watcher.locator('[data-testid="live"][data-connected="true"]').waitFor();
  await watcher.locator(`[data-bed="${first.id}"][data-status="free"]`).waitFor();
  let reloads = 0;
  watcher.on('load', () => { reloads += 1; });

  const nurse = await signedIn('nurse', '/emr/wards');
  await nurse.locator(`[data-bed="${first.id}"] button`, { hasText: m.admit }).click();
  const dialog = nurse.getByTestId('bed-action-admit');
  await dialog.getByLabel(m.findPatient).fill(residentId);
  await dialog.getByRole('button', { name: m.search }).click();
  await dialog.locator(`[data-patient="${patient}"]`).click();
  await dialog.getByRole('button', { name: m.admitPatientInto.replace('{name}', '周病区').replace('{bed}', first.name) }).click();

  // The other context's board shows the patient in the bed without a reload.
  await watcher.locator(`[data-bed="${first.id}"][data-patient="${patient}"]`).waitFor();
  const [admission] = await search('Encounter', { patient: `Patient/${patient}`, status: 'in-progress' });
  t.is(admission!.class.code, 'IMP');
  t.is(admission!.location[0].location.reference, `Location/${first.id}`);

  await nurse.locator(`[data-bed="${first.id}"] button`, { hasText: m.transfer }).click();
  const move = nurse.getByTestId('bed-action-transfer');
  await move.locator('select[name="bed"]').selectOption(second.id);
  await move.getByRole('button', { name: m.transferConfirm }).click();
  await watcher.locator(`[data-bed="${second.id}"][data-patient="${patient}"]`).waitFor();
  await watcher.locator(`[data-bed="${first.id}"][data-status="cleaning"]`).waitFor();
  const moved = await read('Encounter', admission!.id);
  t.deepEqual(moved.location.map((l: Json) => [l.location.reference, l.status]), [[`Location/${first.id}`, 'completed'], [`Location/${second.id}`, 'active']]);

  // Housekeeping: the old bed is cleaned and free again, on both boards.
  await nurse.locator(`[data-bed="${first.id}"] button`, { hasText: m.markCleaned }).click();
  await watcher.locator(`[data-bed="${first.id}"][data-status="free"]`).waitFor();
  t.is((await read('Location', first.id)).operationalStatus.code, 'U');

  // The ward round: the MAR of an order written for this stay; the nurse gives the first dose of today.
  const order = await server.fhir.create({ resourceType: 'MedicationRequest', body: {
    resourceType: 'MedicationRequest', status: 'active', intent: 'order',
    medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'J01DC02' }], text: '注射用头孢呋辛钠 1.5g' },
    subject: { reference: `Patient/${patient}` }, encounter: { reference: `Encounter/${admission!.id}` }, authoredOn: new Date(Date.now() - 86_400_000).toISOString(),
    dosageInstruction: [{ timing: { repeat: { frequency: 1, period: 8, periodUnit: 'h' } }, doseAndRate: [{ doseQuantity: { value: 1.5, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' } }] }],
  } }) as Json;
  await nurse.locator(`[data-bed="${second.id}"] a`).click();
  await nurse.getByTestId('current-bed').waitFor();
  const dose = nurse.locator(`[data-testid="mar"] tr[data-request="${order.id}"] li[data-scheduled]`).first();
  const scheduled = (await dose.getAttribute('data-scheduled'))!;
  await dose.getByRole('button', { name: m['mar.given'] }).click();
  await nurse.locator(`[data-testid="mar"] li[data-scheduled="${scheduled}"][data-state="given"]`).waitFor();
  const [given] = await search('MedicationAdministration', { request: `MedicationRequest/${order.id}` });
  t.like(given, { status: 'completed', context: { reference: `Encounter/${admission!.id}` }, performer: [{ actor: { reference: 'Practitioner/prac-nurse' } }] });
  t.is(Date.parse(given!.extension.find((e: Json) => e.url === 'https://open-his.example.org/fhir/StructureDefinition/scheduled-time').valueDateTime), Date.parse(scheduled));

  // Discharge from the inpatient page, with a summary.
  const summary = nurse.getByTestId('discharge-summary');
  await summary.getByLabel(m['section.hospitalCourse']).fill('入院后予抗感染、补液治疗，体温正常三天。');
  await summary.getByLabel(m['section.dischargeDiagnosis']).fill('J18.9 肺炎');
  await summary.getByLabel(m['section.followUp']).fill('一周后呼吸内科门诊复诊。');
  await nurse.locator('select[name="disposition"]').selectOption('home');
  await nurse.getByRole('button', { name: m.dischargeConfirm }).click();
  await nurse.getByTestId('discharged').waitFor();
  await watcher.locator(`[data-bed="${second.id}"][data-status="cleaning"]`).waitFor();

  const discharged = await read('Encounter', admission!.id);
  t.is(discharged.status, 'finished');
  t.is(discharged.hospitalization.dischargeDisposition.coding[0].code, 'home');
  const [note] = await search('Composition', { encounter: `Encounter/${admission!.id}`, type: 'http://loinc.org|18842-5' });
  t.truthy(note);
  t.deepEqual(note!.section.map((s: Json) => s.code.coding[0].code), ['8648-8', '11535-2', '18776-5']);
  t.regex(note!.section[0].text.div, /体温正常三天/);
  t.is(reloads, 0, 'the watching board never reloaded');

  // The printed discharge summary: one A4 page with the hospital's name.
  await nurse.getByRole('button', { name: m.printDischarge }).click();
  const sheet = nurse.getByTestId('print-discharge');
  await sheet.locator('.print-hospital', { hasText: HOSPITAL }).waitFor();
  await nurse.emulateMedia({ media: 'print' });
  t.false(await nurse.locator('header.top').isVisible(), 'the app chrome is not printed');
  const pdf = (await nurse.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
  t.is(pdf.match(/\/Type\s*\/Page(?!s)/g)?.length, 1);
  t.true(await sheet.getByText('体温正常三天', { exact: false }).isVisible());

  // The shell still sends /admin to the booking administration.
  await nurse.emulateMedia({ media: 'screen' });
  await nurse.goto(`${server.url}/admin`);
  await nurse.waitForURL(/\/admin\/booking$/);
});

test('the operations dashboard draws its plots for an administrator, with the ward\'s occupancy', async (t) => {
  const page = await signedIn('admin', '/admin/dashboard');
  const occupancy = page.getByTestId('occupancy');
  await occupancy.locator('svg text', { hasText: '呼吸内科病区' }).waitFor();
  for (const figure of ['bookings-per-hour', 'waits', 'admissions']) t.true(await page.getByTestId(figure).locator('svg').isVisible(), figure);
  t.regex((await page.getByTestId('no-show-rate').textContent())!, /\d+\.\d%/);
  await page.context().close();
});
