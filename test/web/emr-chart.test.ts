// The doctors' chart in Chromium, on the seeded demo hospital: the doctor finds a demo patient by name
// prefix and by MRN, opens the chart (problems, the allergies badge, vitals), draws a trend whose
// points are the Observations in the database, reads a result flagged H beside its previous value, and
// writes a note: draft → edited → signed (read-only, signature verified) → amended with a reason, both
// signed versions in the history, the note under its encounter on the timeline.
import { existsSync } from 'node:fs';
import test from 'ava';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations, type TestBrowser } from '../helpers/browser.ts';
import { testPassword } from '../helpers/accounts.ts';
import { staffSignIn } from '../helpers/radiology.ts';
import { seedDemoIfEmpty } from '../../server/seed/load.ts';
import { seedDemoAccounts } from '../../server/seed/accounts.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';

/** A demo patient (htn-dm, penicillin allergy) with HbA1c high twice: a flagged result with a previous value. */
const patientId = 'demo-pat-025';
const MRN = 'https://open-his.example.org/fhir/sid/mrn';
const HBA1C = '4548-4';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let violations: string[];

interface Json { [key: string]: any }
const search = async (query: string): Promise<Json[]> => {
  const bundle = await server.fhir.search({ resourceType: query.split('?')[0]!, searchParams: Object.fromEntries(new URLSearchParams(query.split('?')[1])) }) as Json;
  return (bundle.entry ?? []).filter((e: Json) => e.search?.mode !== 'include').map((e: Json) => e.resource);
};

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await seedDemoIfEmpty(server.app.engine, { timezone: 'Asia/Shanghai' });
  await seedDemoAccounts(server.app.engine, server.app.auth.accounts, testPassword);
  browser = await launchBrowser({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  page = await browser.newPage();
  violations = cspViolations(page);
  await page.goto(`${server.url}/emr`);
  await staffSignIn(page, 'doctor');
});
test.after.always(async () => {
  await browser?.close();
  await server?.stop();
});

async function find(text: string): Promise<string[]> {
  const form = page.locator('form[name="patient-search"]');
  await form.locator('input[name="q"]').fill(text);
  await form.locator('button[type="submit"]').click();
  // The answer to this query (the list of the previous one stays until it comes).
  const answered = `[data-testid="patient-results"][data-query="${text}"], [data-testid="no-patients"][data-query="${text}"]`;
  await page.locator(answered).first().waitFor();
  await page.waitForFunction((q) => new URLSearchParams(location.search).get('q') === q, text);
  return page.locator(`[data-testid="patient-results"][data-query="${text}"] a[data-patient]`).evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.patient!));
}

test.serial('a doctor finds a demo patient by name prefix and by MRN', async (t) => {
  const patient = (await server.fhir.read({ resourceType: 'Patient', id: patientId })) as Json;
  const family: string = patient.name[0].family;
  const byName = await find(family);
  t.true(byName.includes(patientId), 'the family name is a prefix of the name');
  t.is(byName.length, (await search(`Patient?name=${encodeURIComponent(family)}&_count=20`)).length);

  const mrn = patient.identifier.find((i: Json) => i.system === MRN).value as string;
  t.deepEqual(await find(mrn), [patientId]);
  const row = page.locator('[data-testid="patient-results"] li').first();
  t.regex(await row.innerText(), /\*{8}/, 'the resident ID is masked');
  t.false((await row.innerText()).includes(patient.identifier[0].value));
});

test.serial('the chart shows the problems, a red allergies badge and the latest vitals', async (t) => {
  await page.locator(`a[data-patient="${patientId}"]`).click();
  await page.locator('[data-testid="problems"]').waitFor();
  t.is(new URL(page.url()).pathname, `/emr/patients/${patientId}`);
  const problems = await search(`Condition?patient=${patientId}&clinical-status=active&_count=50`);
  t.true(problems.length > 0);
  t.is(await page.locator('[data-testid="problems"] li').count(), problems.length);

  const allergies = await search(`AllergyIntolerance?patient=${patientId}`);
  t.true(allergies.length > 0);
  const badge = page.locator('[data-testid="allergy-badge"]');
  t.is(await badge.getAttribute('data-count'), String(allergies.length));
  t.is(await badge.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(179, 38, 30)');
  t.true((await badge.innerText()).includes(allergies[0]!.code.text));

  const [bp] = await search(`Observation?patient=${patientId}&code=http://loinc.org|85354-9&_sort=-date&_count=1`);
  const part = (code: string) => bp!.component.find((c: Json) => c.code.coding[0].code === code).valueQuantity.value;
  t.regex(await page.locator('[data-testid="vitals"] tr[data-vital="bp"]').innerText(), new RegExp(`${part('8480-6')}/${part('8462-4')}`));
});

test.serial('a trend chart draws one point per Observation in the database, with a reference band', async (t) => {
  await page.locator('a[data-tab="trends"]').click();
  const pulse = page.locator('[data-testid="trend"][data-series="8867-4"]');
  await pulse.locator('svg circle.point').first().waitFor();
  const inDb = await search(`Observation?patient=${patientId}&code=http://loinc.org|8867-4&_count=1000`);
  t.true(inDb.length > 1);
  t.is(await pulse.locator('svg circle.point').count(), inDb.length);
  t.is(await pulse.locator('svg polyline.line').count(), 1);
  t.is(await pulse.locator('svg rect.band').count(), 1);

  const bp = page.locator('[data-testid="trend"][data-series="85354-9"]');
  await bp.locator('svg circle.point').first().waitFor();
  const panels = await search(`Observation?patient=${patientId}&code=http://loinc.org|85354-9&_count=1000`);
  t.is(await bp.locator('[data-line="systolic"] circle.point').count(), panels.length);
  t.is(await bp.locator('[data-line="diastolic"] circle.point').count(), panels.length);
  const high = panels.filter((o) => o.component.find((c: Json) => c.code.coding[0].code === '8480-6').valueQuantity.value > 139).length;
  t.is(await bp.locator('[data-line="systolic"] circle.point.abnormal').count(), high, 'systolic above 139 is marked');

  // A lab series is picked by its LOINC code.
  await page.locator(`input[name="series"][value="${HBA1C}"]`).check();
  const lab = page.locator(`[data-testid="trend"][data-series="${HBA1C}"]`);
  await lab.locator('svg circle.point').first().waitFor();
  const labs = await search(`Observation?patient=${patientId}&code=http://loinc.org|${HBA1C}&_count=1000`);
  t.is(await lab.locator('svg circle.point').count(), labs.length);
  t.is(await lab.locator('svg circle.point.abnormal').count(), labs.filter((o) => o.interpretation[0].coding[0].code === 'H').length);
});

test.serial('a result flagged H shows the previous value of the same test', async (t) => {
  await page.locator('a[data-tab="results"]').click();
  await page.locator('[data-testid="reports"]').waitFor();
  const [latest, previous] = await search(`Observation?patient=${patientId}&code=http://loinc.org|${HBA1C}&_sort=-date&_count=2`);
  t.is(latest!.interpretation[0].coding[0].code, 'H');
  const row = page.locator(`tr[data-observation="${latest!.id}"]`);
  t.is(await row.getAttribute('data-flag'), 'H');
  t.is(await row.locator('[data-testid="flag"]').getAttribute('data-flag'), 'H');
  t.is(await row.locator('[data-previous]').getAttribute('data-previous'), String(previous!.valueQuantity.value));
  const direction = latest!.valueQuantity.value > previous!.valueQuantity.value ? '↑' : latest!.valueQuantity.value < previous!.valueQuantity.value ? '↓' : '→';
  t.is(await row.locator('.direction').innerText(), direction);
});

const noteText = async () => page.locator('[data-testid="note-text"]').innerText();

test.serial('a draft note is signed (then read-only and verified), amended with a reason, and both signed versions are in the history', async (t) => {
  await page.locator('a[data-tab="notes"]').click();
  await page.locator('[data-testid="new-note"]').click();
  const editor = page.locator('form[name="note-editor"]');
  await editor.locator('select[name="type"]').selectOption('11506-3');
  await editor.locator('textarea[name="history"]').fill('咳嗽三天，无发热。<script>alert(1)</script>');
  await editor.locator('textarea[name="assessment"]').fill('急性支气管炎');
  await editor.locator('textarea[name="plan"]').fill('多饮水，一周后复诊。');
  await editor.locator('button[name="save"]').click();
  const note = page.locator('[data-testid="note"][data-status="preliminary"]');
  await note.waitFor();
  const id = (await note.getAttribute('data-note'))!;
  const draft = (await server.fhir.read({ resourceType: 'Composition', id })) as Json;
  t.is(draft.status, 'preliminary');
  t.is(draft.subject.reference, `Patient/${patientId}`);
  t.regex(draft.author[0].reference, /^Practitioner\//);
  t.is(draft.type.coding[0].code, '11506-3');
  t.deepEqual(draft.section.map((s: Json) => s.code.coding[0].code), ['10164-2', '51848-0', '18776-5']);
  t.true((await noteText()).includes('<script>alert(1)</script>'), 'markup typed in a note is shown as text');
  t.is(await page.locator('[data-testid="note-text"] script').count(), 0);

  // A draft is still the author's to change: a plain update, still preliminary.
  await note.locator('button[name="edit"]').click();
  await editor.locator('textarea[name="plan"]').fill('多饮水，三天后复诊。');
  await editor.locator('button[name="save"]').click();
  await page.locator('[data-testid="note"][data-status="preliminary"] [role="status"]').waitFor();
  const edited = (await server.fhir.read({ resourceType: 'Composition', id })) as Json;
  t.is(edited.status, 'preliminary');
  t.is(edited.meta.versionId, '2');
  t.true(JSON.stringify(edited.section).includes('三天后复诊'));

  await note.locator('button[name="sign"]').click();
  const signed = page.locator('[data-testid="note"][data-status="final"]');
  await signed.waitFor();
  await signed.locator('[data-testid="signature"]').waitFor();
  t.is(await signed.locator('[data-testid="signature"]').getAttribute('data-verified'), 'true');
  t.is(await signed.locator('button[name="edit"], button[name="sign"], textarea').count(), 0, 'a signed note is read-only');
  t.is(((await server.fhir.read({ resourceType: 'Composition', id })) as Json).status, 'final');

  await signed.locator('button[name="amend"]').click();
  await editor.locator('textarea[name="assessment"]').fill('急性支气管炎（病毒性）');
  await editor.locator('input[name="reason"]').fill('诊断补充病因');
  await editor.locator('button[name="save"]').click();
  const amended = page.locator('[data-testid="note"][data-status="amended"]');
  await amended.waitFor();
  await amended.locator('[data-testid="signature"][data-verified="true"]').waitFor();
  t.true((await noteText()).includes('急性支气管炎（病毒性）'));
  const stored = (await server.fhir.read({ resourceType: 'Composition', id })) as Json;
  t.is(stored.status, 'amended');

  const versions = amended.locator('[data-testid="versions"] li');
  const history = await server.fhir.resourceHistory({ resourceType: 'Composition', id }) as Json;
  t.is(await versions.count(), history.entry.length);
  const statuses = await versions.evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.status));
  t.deepEqual(statuses.filter((s) => s === 'final' || s === 'amended'), ['amended', 'final'], 'both signed versions, newest first');
  t.true((await amended.locator('[data-testid="versions"]').innerText()).includes('诊断补充病因'));

  // The signed version before the amendment is still readable as it was.
  const finalVersion = amended.locator('[data-testid="versions"] li[data-status="final"]');
  await finalVersion.locator('button[name="view-version"]').click();
  await amended.locator('[data-testid="shown-version"]').waitFor();
  t.true((await noteText()).includes('急性支气管炎'));
  t.false((await noteText()).includes('病毒性'));

  // The timeline lists every encounter, with the note under the one it was written in.
  await page.locator('a[data-tab="timeline"]').click();
  await page.locator('[data-testid="timeline"]').waitFor();
  t.is(await page.locator('[data-testid="timeline"] > li').count(), (await search(`Encounter?patient=${patientId}&_count=100`)).length);
  const encounterId = (stored.encounter.reference as string).split('/')[1];
  t.is(await page.locator(`[data-encounter="${encounterId}"] a[href$="/notes/${id}"]`).count(), 1);
  t.deepEqual(violations, []);
});
