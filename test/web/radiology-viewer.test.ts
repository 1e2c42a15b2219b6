// The radiology worklist and viewer in Chromium against the real server: studies stored with STOW-RS,
// the worklist's filters, a CT drawn at its own size, window/level by drag, a length in mm saved with
// the study, presets and the stack of a multi-frame file; the pages' CSP (the viewer's codecs need
// WebAssembly and a blob: worker; the booking page keeps the strict policy).
import { existsSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations } from '../helpers/browser.ts';
import { createAccount, logIn } from '../helpers/accounts.ts';
import { canvasStats, goTo, staffSignIn, storeCopy, viewportOutcome } from '../helpers/radiology.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import { pageCsp, viewerPageCsp } from '../../server/plugins/security-headers.ts';
import type { RenamedUids } from '../helpers/dicom-copies.ts';

let server: TestServer;
let token: string;
const radiologist = 'rad-viewer';
let ct: RenamedUids;
let mr: RenamedUids;
let cine: RenamedUids;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await createAccount(server, { login: radiologist, roles: ['radiologist'] });
  await createAccount(server, { login: 'registrar-viewer', roles: ['registrar'] });
  token = await logIn(server, radiologist);
  for (const [path, set] of [
    ['ct/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm', (u: RenamedUids) => { ct = u; }],
    ['mr/MR_small.dcm', (u: RenamedUids) => { mr = u; }],
    ['mr/cine-test.dcm', (u: RenamedUids) => { cine = u; }],
  ] as const) {
    const stored = await storeCopy(server.url, token, path);
    if (stored.status !== 200) throw new Error(`STOW of ${path} answered ${stored.status}: ${JSON.stringify(stored.body)}`);
    set(stored.uids);
  }
  await server.app.imaging.store.idle();
});
test.after.always(async () => {
  await server?.stop();
});

async function openPage(t: ExecutionContext, path: string): Promise<{ page: Page; violations: string[]; errors: string[] }> {
  const browser = await launchBrowser({ locale: 'zh-CN', viewport: { width: 1400, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const violations = cspViolations(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}${path}`);
  return { page, violations, errors };
}

test('/radiology… and /emr… get the viewer CSP; /book keeps the strict page CSP; the radiology API stays an API', async (t) => {
  for (const path of ['/radiology', '/radiology/studies/1.2.3', '/radiology/upload', '/emr/imaging', '/emr/imaging/studies/1.2.3']) {
    const res = await fetch(`${server.url}${path}`);
    t.is(res.status, 200, path);
    t.regex(res.headers.get('content-type') ?? '', /^text\/html/, path);
    t.is(res.headers.get('content-security-policy'), viewerPageCsp, path);
  }
  const book = await fetch(`${server.url}/book`);
  t.is(book.headers.get('content-security-policy'), pageCsp);
  t.false(pageCsp.includes('wasm-unsafe-eval'));
  t.false(pageCsp.includes('unsafe-eval'));
  const api = await fetch(`${server.url}/radiology/worklist`);
  t.is(api.status, 401);
  t.notRegex(api.headers.get('content-type') ?? '', /html/);
});

test('a radiologist filters the worklist and opens a CT: 512×512 drawn, W/L drag changes it, a length in mm is saved with the study', async (t) => {
  const { page, violations, errors } = await openPage(t, '/radiology');
  await staffSignIn(page, radiologist);
  const rows = page.locator('[data-testid="worklist"] tbody tr');
  await page.locator(`tr[data-study="${ct.studyUid}"]`).waitFor();
  t.true(await page.locator(`tr[data-study="${mr.studyUid}"]`).isVisible());
  t.is(await page.locator(`tr[data-study="${ct.studyUid}"]`).getAttribute('data-status'), 'unread');

  // Modality filter: the MR goes, the CT stays.
  await page.locator('select[name="modality"]').selectOption('CT');
  await page.locator('form[name="worklist-filters"] button[type="submit"]').click();
  await page.locator(`tr[data-study="${mr.studyUid}"]`).waitFor({ state: 'detached' });
  t.true(await page.locator(`tr[data-study="${ct.studyUid}"]`).isVisible());
  // Patient ID search, then a date range that excludes the study (2001-01-05) and one that holds it.
  await page.locator('select[name="modality"]').selectOption('');
  await page.locator('input[name="q"]').fill('2178309');
  await page.locator('form[name="worklist-filters"] button[type="submit"]').click();
  await page.locator(`tr[data-study="${mr.studyUid}"]`).waitFor({ state: 'detached' });
  t.is(await rows.count(), 1);
  await page.locator('input[name="from"]').fill('2001-01-06');
  await page.locator('form[name="worklist-filters"] button[type="submit"]').click();
  await page.locator(`tr[data-study="${ct.studyUid}"]`).waitFor({ state: 'detached' });
  await page.locator('input[name="from"]').fill('2001-01-01');
  await page.locator('input[name="to"]').fill('2001-01-31');
  await page.locator('form[name="worklist-filters"] button[type="submit"]').click();
  await page.locator(`tr[data-study="${ct.studyUid}"]`).click();

  await page.waitForURL(new RegExp(`/radiology/studies/${ct.studyUid!.replace(/\./g, '\\.')}$`));
  t.is(await viewportOutcome(page), 'true');
  const viewport = page.locator('[data-testid="viewport"]');
  t.is(await viewport.getAttribute('data-rows'), '512');
  t.is(await viewport.getAttribute('data-columns'), '512');
  const before = await canvasStats(page);
  t.true(before.nonBlack > before.width * before.height * 0.2, 'the CT fills a good part of the canvas');
  t.true(before.distinct > 100, 'with many grey levels');
  // The file's own window (400/40) is shown, as are the patient and the position in the stack.
  t.regex(await page.locator('[data-overlay="wl"]').innerText(), /400.*40/);
  t.regex(await page.locator('[data-overlay="patient"]').innerText(), /MISTER CT/);
  t.regex(await page.locator('[data-overlay="position"]').innerText(), /1\/1/);

  // W/L drag (the default left-button tool).
  const box = (await viewport.boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 120, cy + 60, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => !/400.*40/.test(document.querySelector('[data-overlay="wl"]')!.textContent ?? ''));
  const after = await canvasStats(page);
  t.not(after.hash, before.hash, 'the drag changed the pixels');

  // Lung preset: the overlay tells W 1500 L -600.
  await page.locator('button[data-preset="lung"]').click();
  await page.waitForFunction(() => /1500.*-600/.test(document.querySelector('[data-overlay="wl"]')!.textContent ?? ''));
  t.not((await canvasStats(page)).hash, after.hash);

  // A length: 150 screen pixels across the image.
  await page.locator('button[data-tool="Length"]').click();
  await page.mouse.move(cx - 75, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 75, cy, { steps: 10 });
  await page.mouse.up();
  const drawn = page.locator('[data-testid="drawn-measurements"] li[data-kind="length"]');
  await drawn.waitFor();
  t.is(await drawn.getAttribute('data-unit'), 'mm');
  const value = Number(await drawn.getAttribute('data-value'));
  t.true(value > 10 && value < 346, `a length in mm within the 346 mm field of view (${value})`);
  t.regex(await drawn.innerText(), /\d+(\.\d)? mm/);
  await page.locator('button[name="save-measurements"]').click();
  await page.locator('[data-testid="saved-measurements"] li[data-kind="length"]').waitFor();

  const stored = await fetch(`${server.url}/radiology/studies/${ct.studyUid}/measurements`, { headers: { authorization: `Bearer ${token}` } });
  t.is(stored.status, 200);
  const body = await stored.json() as unknown;
  const list = (Array.isArray(body) ? body : (body as { items?: unknown[] }).items ?? []) as { kind: string; value: number; unit: string; sopInstanceUid: string }[];
  const length = list.find((m) => m.kind === 'length');
  t.truthy(length, 'the length is stored with the study');
  t.is(length?.unit, 'mm');
  t.is(length?.sopInstanceUid, ct.sopUid);
  t.true(Math.abs((length?.value ?? 0) - value) < 0.05);

  t.deepEqual(violations, []);
  t.deepEqual(errors, []);
});

test('a multi-frame MR scrolls by keys and scrollbar and plays as cine', async (t) => {
  const { page, violations } = await openPage(t, '/radiology');
  await staffSignIn(page, radiologist);
  await goTo(page, `/radiology/studies/${cine.studyUid}`);
  t.is(await viewportOutcome(page), 'true');
  const position = page.locator('[data-overlay="position"]');
  const total = Number(/\/(\d+)/.exec(await position.innerText())?.[1]);
  t.true(total > 1, `frames: ${total}`);
  const first = await canvasStats(page);
  await page.locator('[data-testid="viewport"]').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /2\//.test(document.querySelector('[data-overlay="position"]')!.textContent ?? ''));
  t.not((await canvasStats(page)).hash, first.hash, 'the second frame differs from the first');
  await page.keyboard.press('End');
  await page.waitForFunction((n) => document.querySelector('[data-overlay="position"]')!.textContent!.includes(`${n}/${n}`), total);
  await page.locator('input.stack-scrollbar').fill('1');
  await page.waitForFunction(() => /\b1\//.test(document.querySelector('[data-overlay="position"]')!.textContent ?? ''));
  await page.locator('button[data-action="cine"]').click();
  await page.waitForFunction(() => !/\b1\//.test(document.querySelector('[data-overlay="position"]')!.textContent ?? ''));
  await page.locator('button[data-action="cine"]').click();
  t.deepEqual(violations, []);
});

test('the viewer refuses other staff: a registrar is told the page is for radiologists', async (t) => {
  const { page } = await openPage(t, `/radiology/studies/${ct.studyUid}`);
  await staffSignIn(page, 'registrar-viewer');
  await page.locator('[data-testid="refusal"]').waitFor();
  t.false(await page.locator('[data-testid="viewport"]').isVisible());
});

test('the viewer renews a short-lived access token itself (the image loader cannot refresh on a 401)', async (t) => {
  const short = await startTestServer({ accessTokenSeconds: 100 });
  t.teardown(() => short.stop());
  await createAccount(short, { login: 'rad-short', roles: ['radiologist'] });
  const stored = await storeCopy(short.url, await logIn(short, 'rad-short'), 'ct/CT_small.dcm');
  t.is(stored.status, 200);
  await short.app.imaging.store.idle();
  const browser = await launchBrowser({ locale: 'en' });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${short.url}/radiology/upload`);
  await staffSignIn(page, 'rad-short');
  const refreshes: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/auth/refresh')) refreshes.push(r.url()); });
  await goTo(page, `/radiology/studies/${stored.uids.studyUid}`);
  t.is(await viewportOutcome(page), 'true');
  t.true(refreshes.length >= 1, 'a token with less than two minutes left is renewed when the viewer opens');
});
