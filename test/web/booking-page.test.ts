// The web app as the server serves it (npm test builds web/dist first), in Debian's Chromium:
// the page and its CSP, the department list in Chinese and in English, keyboard use, 360 px width.
// The whole booking flow against the real API is in booking-flow.test.ts.
import { existsSync } from 'node:fs';
import test from 'ava';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations, type TestBrowser } from '../helpers/browser.ts';
import { seedDemoIfEmpty } from '../../server/seed/load.ts';
import { seedDemoBooking } from '../../server/seed/booking.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import { apiCsp, pageCsp } from '../../server/plugins/security-headers.ts';
import zhCN from '../../web/src/shared/i18n/zh-CN.ts';
import en from '../../web/src/shared/i18n/en.ts';

interface DepartmentView { id: string; name: { zh: string; en: string } }

let server: TestServer;
let browser: TestBrowser;
let departments: DepartmentView[];

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await seedDemoIfEmpty(server.app.engine, { timezone: 'Asia/Shanghai' });
  await seedDemoBooking(server.app.booking);
  const res = await fetch(`${server.url}/booking/departments`);
  departments = await res.json() as DepartmentView[];
  if (departments.length === 0) throw new Error('the demo hospital offers no departments for booking');
  browser = await launchBrowser({ locale: 'zh-CN' });
});
test.after.always(async () => {
  await browser?.close();
  await server?.stop();
});

async function openPage(path = '/book', viewport?: { width: number; height: number }): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const violations = cspViolations(page);
  await page.goto(`${server.url}${path}`);
  return { page, violations };
}

test('GET /book and / serve the app with the page CSP; assets are cached for good; the API keeps its own CSP', async (t) => {
  for (const path of ['/book', '/', '/book/mine']) {
    const res = await fetch(`${server.url}${path}`);
    t.is(res.status, 200, path);
    t.regex(res.headers.get('content-type') ?? '', /^text\/html/, path);
    t.is(res.headers.get('content-security-policy'), pageCsp, path);
    t.is(res.headers.get('cache-control'), 'no-cache', path);
    const html = await res.text();
    t.true(html.includes('<div id="root">'), path);
    t.false(/<script(?![^>]*\bsrc=)[^>]*>/.test(html), `${path}: no inline script (the CSP forbids it)`);
  }
  const html = await (await fetch(`${server.url}/book`)).text();
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  t.truthy(script);
  const asset = await fetch(`${server.url}${script}`);
  t.is(asset.status, 200);
  t.is(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const api = await fetch(`${server.url}/fhir/metadata`);
  t.is(api.headers.get('content-security-policy'), apiCsp);
  t.is((await fetch(`${server.url}/assets/no-such-file.js`)).status, 404);
});

test.serial('the page lists the departments in Chinese, and in English after switching (kept across a reload)', async (t) => {
  const { page, violations } = await openPage('/');
  await page.waitForURL(/\/book$/);
  await page.getByRole('heading', { level: 1, name: zhCN.book.heading }).waitFor();
  t.is(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  const names = async () => (await page.locator('[data-department]').allTextContents()).map((s) => s.trim());
  await page.locator('[data-department]').first().waitFor();
  t.deepEqual(await names(), departments.map((d) => d.name.zh));

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: en.book.heading }).waitFor();
  t.deepEqual(await names(), departments.map((d) => d.name.en));
  t.is(await page.evaluate(() => document.documentElement.lang), 'en');
  t.is(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');

  await page.reload();
  await page.getByRole('heading', { level: 1, name: en.book.heading }).waitFor();
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByRole('heading', { level: 1, name: zhCN.book.heading }).waitFor();
  t.deepEqual(violations, []);
  await page.close();
});

test.serial('keyboard: the skip link, the language switch and the departments are reached with Tab, focus is visible, Enter chooses', async (t) => {
  const { page } = await openPage('/book');
  await page.locator('[data-department]').first().waitFor();
  const focused = () => page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return { tag: el?.tagName, text: el?.textContent?.trim(), department: el?.dataset.department, outline: style?.outlineStyle, width: style?.outlineWidth };
  });
  await page.keyboard.press('Tab');
  t.is((await focused()).text, zhCN.app.skipToContent);
  await page.keyboard.press('Tab');
  t.is((await focused()).text, '中文');
  await page.keyboard.press('Tab');
  t.is((await focused()).text, 'English');
  // On to the first department (past any links of the page's own header).
  let current = await focused();
  for (let i = 0; i < 10 && !current.department; i++) {
    await page.keyboard.press('Tab');
    current = await focused();
  }
  t.is(current.department, departments[0]!.id);
  t.is(current.tag, 'BUTTON');
  t.not(current.outline, 'none', 'focus is visible');
  t.not(current.width, '0px');
  await page.keyboard.press('Enter');
  const chosen = page.locator(`[data-department="${departments[0]!.id}"]`);
  t.is(await chosen.getAttribute('aria-pressed'), 'true');
  // The next step's heading takes the focus.
  await page.waitForFunction(() => document.activeElement?.id === 'step-doctor');
  t.pass();
  await page.close();
});

test.serial('at 360 px wide nothing overflows sideways', async (t) => {
  const { page } = await openPage('/book', { width: 360, height: 740 });
  await page.locator('[data-department]').first().waitFor();
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  t.true(scroll <= client, `${scroll} > ${client}`);
  await page.close();
});
