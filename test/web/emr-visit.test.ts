// The outpatient visit in Chromium: the doctor checks a patient in, calls the next one (the lowest
// queue number among those waiting), writes the note, records vitals and a diagnosis, prescribes,
// orders a CT (its accession number shows, and the order waits on the radiology worklist), issues
// a sick note, prints the prescription on one page, signs the note, finishes the visit and admits the
// patient — and the database holds all of it. A clinic of its own: one doctor with three booked
// patients today, and one free bed.
import { existsSync } from 'node:fs';
import test from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Resource } from '../../fhir/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertChromium, chromiumFlags, chromiumPath } from '../helpers/browser.ts';
import { createAccount, testPassword as password } from '../helpers/accounts.ts';
import { createPatient } from '../helpers/booking.ts';
import { QUEUE_NUMBER_EXTENSION } from '../../server/booking/slot-resource.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import zhCN from '../../web/src/shared/i18n/zh-CN.ts';
import { messages } from '../../web/src/emr/workflow/messages.ts';

const m = messages['zh-CN'];
type Json = Record<string, any>;

let server: TestServer;
let browser: Browser;
/** Today's appointments of the doctor, by queue number 1, 2, 3. */
const appointments: string[] = [];

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  assertChromium();
  server = await startTestServer();
  const repo = server.app.engine.repo;
  const put = (resource: Json) => repo.update(resource as Resource);
  await put({ resourceType: 'Organization', id: 'org-hospital', active: true, name: '测试市第一人民医院', type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' }] }] });
  await put({ resourceType: 'Organization', id: 'dept-im', name: '内科', partOf: { reference: 'Organization/org-hospital' } });
  await put({ resourceType: 'Practitioner', id: 'prac-zhang', name: [{ text: '张伟', family: '张', given: ['伟'] }] });
  await put({ resourceType: 'Practitioner', id: 'prac-rad', name: [{ text: '放射科医生' }] });
  await put({ resourceType: 'PractitionerRole', id: 'role-zhang', active: true, practitioner: { reference: 'Practitioner/prac-zhang', display: '张伟' }, organization: { reference: 'Organization/dept-im' } });
  const physical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code }] });
  await put({ resourceType: 'Location', id: 'ward-im', status: 'active', name: '内科病区', physicalType: physical('wa'), managingOrganization: { reference: 'Organization/dept-im' } });
  await put({ resourceType: 'Location', id: 'room-im1', status: 'active', name: '501病房', physicalType: physical('ro'), partOf: { reference: 'Location/ward-im' } });
  await put({ resourceType: 'Location', id: 'bed-im1', status: 'active', name: '501-1床', physicalType: physical('bd'),
    operationalStatus: { system: 'http://terminology.hl7.org/CodeSystem/v2-0116', code: 'U' }, partOf: { reference: 'Location/room-im1' } });
  await createAccount(server, { login: 'doctor', roles: ['doctor'], practitionerId: 'prac-zhang' });
  await createAccount(server, { login: 'radiologist', roles: ['radiologist'], practitionerId: 'prac-rad' });
  const soon = new Date(Date.now() + 30 * 60_000).toISOString();
  for (const number of [1, 2, 3]) {
    const patient = await createPatient(server);
    const created = await repo.create({
      resourceType: 'Appointment', status: 'booked', start: soon, end: soon,
      extension: [{ url: QUEUE_NUMBER_EXTENSION, valuePositiveInt: number }], serviceType: [{ text: '内科' }],
      participant: [
        { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
        { actor: { reference: 'PractitionerRole/role-zhang' }, status: 'accepted' },
      ],
    } as Resource);
    appointments.push(created.version.id);
  }
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
});
test.after.always(async () => {
  await browser?.close();
  await server?.stop();
});

async function token(login: string): Promise<string> {
  const res = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  return (await res.json() as { access_token: string }).access_token;
}
async function get(login: string, path: string): Promise<Json> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${await token(login)}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return await res.json() as Json;
}
const read = async (type: string, id: string) => JSON.parse((await server.app.engine.repo.read(type, id)).json!) as Json;
const search = async (type: string, query: Record<string, string>) =>
  (await server.app.engine.repo.search(type, new URLSearchParams(query))).versions.map((v) => JSON.parse(v.json!) as Json);

async function signedIn(login: string, path: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  const form = page.locator('form[name="staff-sign-in"]');
  await form.getByLabel(zhCN.staff.login).fill(login);
  await form.getByLabel(zhCN.staff.password).fill(password);
  await form.locator('button[type="submit"]').click();
  return page;
}

test('a doctor checks in, calls next, charts, prescribes, orders a CT, signs, finishes the visit and admits the patient', async (t) => {
  const catalogue = await get('doctor', '/emr/catalogue');
  const diagnosis = catalogue.diagnoses[0] as Json;
  const drug = catalogue.drugs[0] as Json;
  const ct = (catalogue.imaging as Json[]).find((x) => x.modality === 'CT')!;
  t.truthy(ct, 'the catalogue has a CT');

  // Queue number 1 checked in at the desk already; the doctor checks in number 3 from the list.
  const desk = await fetch(`${server.base}/Appointment/${appointments[0]}/$check-in`, {
    method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Parameters', parameter: [] }),
  });
  t.is(desk.status, 200);
  const page = await signedIn('doctor', '/emr/clinic');
  const list = page.getByTestId('clinic-list');
  await list.waitFor();
  t.deepEqual(await list.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state'))), ['arrived', 'booked', 'booked']);
  await list.locator(`tr[data-appointment="${appointments[2]}"]`).getByRole('button', { name: new RegExp(`^${m.checkIn}`) }).click();
  await list.locator(`tr[data-appointment="${appointments[2]}"][data-state="arrived"]`).waitFor();
  const [checkedIn] = await search('Encounter', { appointment: `Appointment/${appointments[2]}` });
  t.like(checkedIn, { status: 'arrived', class: { code: 'AMB' } });

  // Call next: the lowest queue number among the arrived patients goes in.
  const [first] = await search('Encounter', { appointment: `Appointment/${appointments[0]}` });
  const encounter = first!.id as string;
  await page.getByRole('button', { name: m.callNext }).click();
  await page.waitForURL(new RegExp(`/emr/visits/${encounter}$`));
  await page.getByTestId('encounter-status').filter({ hasText: m['enc.in-progress'] }).waitFor();

  const note = page.getByTestId('visit-note');
  await note.getByLabel(m['section.chiefComplaint']).fill('咳嗽、发热3天');
  await note.getByLabel(m['section.history']).fill('3天前受凉后出现咳嗽，咳黄痰，最高体温38.6℃。');
  await note.getByLabel(m['section.examination']).fill('右下肺可闻及湿啰音。');
  await note.getByRole('button', { name: m.saveDraft }).click();
  await page.getByTestId('visit-note-status').filter({ hasText: m.noteDraft }).waitFor();

  const vitals = page.locator('form[name="vitals"]');
  for (const [name, value] of [['temperature', '38.2'], ['pulse', '96'], ['respiration', '20'], ['systolic', '128'], ['diastolic', '82'], ['spo2', '96'], ['pain', '2'], ['weight', '68.5']]) {
    await vitals.locator(`input[name="${name}"]`).fill(value!);
  }
  await vitals.getByRole('button', { name: m.saveVitals }).click();
  await page.getByTestId('vitals-saved').waitFor();

  await page.locator('input[name="diagnosis-search"]').fill(diagnosis.code);
  await page.locator(`button[data-code="${diagnosis.code}"]`).click();
  await page.getByRole('button', { name: m.addDiagnosis }).click();
  await page.locator(`[data-testid="diagnoses"] [data-code="${diagnosis.code}"]`).waitFor();
  // The diagnosis is written into the note's assessment too.
  await page.waitForFunction((code) => document.querySelector<HTMLTextAreaElement>('[data-testid="visit-note"] textarea[name="assessment"]')?.value.includes(code), diagnosis.code);

  const rx = page.getByTestId('prescriptions-outpatient');
  await rx.locator('select[name="drug"]').selectOption(drug.key);
  await rx.getByRole('button', { name: m.prescribe }).click();
  await rx.locator('li[data-request]').waitFor();

  await page.locator('select[name="order-kind"]').selectOption('imaging');
  await page.locator('select[name="order-code"]').selectOption(ct.code);
  await page.getByRole('button', { name: m.placeOrder }).click();
  const placed = page.getByTestId('order-placed');
  await placed.waitFor();
  const accession = (await placed.getAttribute('data-accession'))!;
  t.regex(accession, /\S/, 'the accession number the server assigned is shown');
  t.true((await placed.textContent())!.includes(accession));

  // A sick note: a second Composition, signed when issued.
  await page.locator('input[name="sick-days"]').fill('3');
  await page.getByRole('button', { name: m.issueSickNote }).click();
  await page.locator('[data-testid="sick-note"][data-status="final"]').waitFor();

  // The prescription prints on one A4 page.
  await page.evaluate(() => { window.print = () => undefined; });
  await page.getByRole('button', { name: m.printPrescription }).click();
  const sheet = page.getByTestId('print-prescription');
  await sheet.getByText(drug.zh, { exact: false }).first().waitFor();
  await page.emulateMedia({ media: 'print' });
  const pdf = (await page.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
  t.is(pdf.match(/\/Type\s*\/Page(?!s)/g)?.length, 1);
  await page.emulateMedia({ media: 'screen' });
  await sheet.getByRole('button', { name: m.closePrint }).click();

  await note.getByRole('button', { name: m.signNote }).click();
  await page.getByTestId('visit-note-status').filter({ hasText: m.noteSigned }).waitFor();
  await page.getByRole('button', { name: m.finishVisit }).click();
  await page.getByTestId('encounter-status').filter({ hasText: m['enc.finished'] }).waitFor();

  // The patient is admitted from this visit into the free bed, with the diagnosis.
  await page.locator('select[name="bed"]').selectOption('bed-im1');
  await page.getByRole('button', { name: m.admitToBed }).click();
  await page.getByTestId('admitted').waitFor();

  // What the database holds.
  const byEncounter = { encounter: `Encounter/${encounter}` };
  const observations = await search('Observation', { ...byEncounter, category: 'vital-signs' });
  const code = (o: Json) => o.code.coding[0].code as string;
  t.deepEqual(observations.map(code).sort(), ['2708-6', '29463-7', '72514-3', '8310-5', '85354-9', '8867-4', '9279-1']);
  const temperature = observations.find((o) => code(o) === '8310-5')!;
  t.like(temperature.valueQuantity, { value: 38.2, system: 'http://unitsofmeasure.org', code: 'Cel' });
  const bp = observations.find((o) => code(o) === '85354-9')!;
  t.deepEqual(bp.component.map((c: Json) => [c.code.coding[0].code, c.valueQuantity.value, c.valueQuantity.code]), [['8480-6', 128, 'mm[Hg]'], ['8462-4', 82, 'mm[Hg]']]);

  const [condition] = await search('Condition', byEncounter);
  t.is(condition!.code.coding[0].system, 'http://hl7.org/fhir/sid/icd-10');
  t.is(condition!.code.coding[0].code, diagnosis.code);
  t.is(condition!.clinicalStatus.coding[0].code, 'active');
  t.is(condition!.verificationStatus.coding[0].code, 'confirmed');
  t.is(condition!.category[0].coding[0].code, 'encounter-diagnosis');

  const [request] = await search('MedicationRequest', byEncounter);
  t.is(request!.medicationCodeableConcept.coding[0].code, drug.atc);
  t.is(request!.dispenseRequest.expectedSupplyDuration.value, drug.days);
  t.true(request!.dispenseRequest.quantity.value > 0);
  t.truthy(request!.dosageInstruction[0].timing);
  t.is(request!.dosageInstruction[0].route.coding[0].code, drug.route.code);

  const [order] = await search('ServiceRequest', byEncounter);
  t.is(order!.category[0].coding[0].code, '363679005');
  t.is(order!.code.coding[0].code, ct.code);
  t.is(order!.identifier.find((i: Json) => i.system === 'https://open-his.example.org/fhir/sid/accession-number').value, accession);
  const worklist = await get('radiologist', '/radiology/worklist');
  t.true((worklist.ordered as Json[]).some((o) => o.accessionNumber === accession && o.orderId === order!.id), 'the CT waits on the worklist as ordered');

  const [composition] = await search('Composition', { ...byEncounter, type: 'http://loinc.org|34108-1' });
  t.is(composition!.status, 'final');
  t.deepEqual(composition!.section.map((s: Json) => s.code.coding[0].code), ['10154-3', '10164-2', '29545-1', '51848-0']);
  t.regex(composition!.section[3].text.div, new RegExp(diagnosis.code.replace('.', '\\.')));
  t.is((await search('Provenance', { target: `Composition/${composition!.id}` })).length, 1);
  const [sick] = await search('Composition', { ...byEncounter, type: 'https://open-his.example.org/fhir/CodeSystem/document-type|sick-note' });
  t.is(sick!.status, 'final');
  t.is(sick!.extension.find((e: Json) => e.url === 'https://open-his.example.org/fhir/StructureDefinition/sick-leave-days').valueUnsignedInt, 3);

  t.is((await read('Encounter', encounter)).status, 'finished');
  const [admission] = await search('Encounter', { patient: first!.subject.reference, class: 'IMP' });
  t.is(admission!.hospitalization.admitSource.coding[0].code, 'outp');
  t.is(admission!.location[0].location.reference, 'Location/bed-im1');
  t.true(JSON.stringify(admission!.extension).includes(`Encounter/${encounter}`), 'admitted from this visit');
  t.is(admission!.diagnosis?.[0]?.condition.reference, `Condition/${condition!.id}`);
  const visitAppointment = (await read('Encounter', encounter)).appointment[0].reference.split('/')[1];
  t.is((await read('Appointment', visitAppointment)).status, 'fulfilled');
});
