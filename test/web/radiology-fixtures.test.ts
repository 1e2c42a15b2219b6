// Every image-bearing shared fixture (manifest.json: hasPixelData, not in malformed/) stored with
// STOW-RS (as a copy under new UIDs, so the transfer-syntax variants of one instance are studies of
// their own) and opened in the viewer in Chromium: it is drawn at its own size with non-blank pixels,
// or the viewer says clearly why it cannot be — for exactly the files listed below, with the reason.
import { existsSync } from 'node:fs';
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations } from '../helpers/browser.ts';
import { createAccount, logIn } from '../helpers/accounts.ts';
import { canvasStats, goTo, imageFixtures, staffSignIn, storeCopy, viewportOutcome } from '../helpers/radiology.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';

/**
 * Files the bundled codecs cannot decode, and the message that says so. rtdose_rle.dcm: RLE Lossless
 * with 32 bits allocated — the loader's RLE decoder handles 8 and 16 bits only (PS3.5 §G allows 32).
 */
const expectedMessages: Record<string, RegExp> = {
  'other/rtdose_rle.dcm': /RLE/,
};
/**
 * Files the server refuses at STOW-RS, so there is nothing to view: they lack the Study and Series
 * Instance UIDs every stored instance must have (PS3.3 C.7.2.1, C.7.3.1; failure 0xA900/0xC000).
 */
const refusedAtStow = ['other/SC_rgb_jls_lossy_line.dcm', 'other/JPEGLSNearLossless_16.dcm', 'other/HTJ2KLossless_08_RGB.dcm'];

let server: TestServer;
let token: string;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await createAccount(server, { login: 'rad-fixtures', roles: ['radiologist'] });
  token = await logIn(server, 'rad-fixtures');
});
test.after.always(async () => {
  await server?.stop();
});

test('every image-bearing fixture renders at its size, or shows a clear message (only for the files listed)', async (t) => {
  const fixtures = imageFixtures();
  t.true(fixtures.length >= 50, `fixtures: ${fixtures.length}`);
  const stored: { path: string; studyUid: string; rows: number; columns: number }[] = [];
  const refused: string[] = [];
  for (const fixture of fixtures) {
    const answer = await storeCopy(server.url, token, fixture.path);
    if (answer.status === 200 && answer.uids.studyUid) stored.push({ path: fixture.path, studyUid: answer.uids.studyUid, rows: fixture.rows ?? 0, columns: fixture.columns ?? 0 });
    else refused.push(fixture.path);
  }
  await server.app.imaging.store.idle();
  t.deepEqual(refused.sort(), [...refusedAtStow].sort(), 'only the files without Study/Series UIDs are refused');

  const browser = await launchBrowser({ locale: 'en', viewport: { width: 1200, height: 800 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const violations = cspViolations(page);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}/radiology`);
  await staffSignIn(page, 'rad-fixtures');

  const rendered: string[] = [];
  const messages: Record<string, string> = {};
  for (const file of stored) {
    await goTo(page, `/radiology/studies/${file.studyUid}`);
    // Wait for this study's viewport (the previous one is gone once the study loads).
    await page.waitForFunction((uid) => location.pathname.endsWith(uid), file.studyUid);
    const outcome = await viewportOutcome(page);
    if (outcome === 'true') {
      const viewport = page.locator('[data-testid="viewport"]');
      const stats = await canvasStats(page);
      t.true(stats.nonBlack > 0, `${file.path}: pixels drawn`);
      t.is(Number(await viewport.getAttribute('data-rows')), file.rows, `${file.path}: rows`);
      t.is(Number(await viewport.getAttribute('data-columns')), file.columns, `${file.path}: columns`);
      rendered.push(file.path);
    } else {
      messages[file.path] = await page.locator('[data-testid="image-error"]').innerText();
    }
    await goTo(page, '/radiology');
    await page.locator('[data-testid="viewport"]').waitFor({ state: 'detached' });
  }
  t.log(`rendered ${rendered.length}: ${rendered.join(', ')}`);
  t.log(`messages: ${JSON.stringify(messages)}`);
  t.log(`refused at STOW: ${refused.join(', ')}`);
  t.deepEqual(Object.keys(messages).sort(), Object.keys(expectedMessages).sort(), 'only the listed files show a message');
  for (const [path, text] of Object.entries(messages)) {
    t.regex(text, /cannot be displayed/, path);
    t.regex(text, expectedMessages[path]!, path);
  }
  t.is(rendered.length + Object.keys(messages).length + refused.length, fixtures.length);
  t.deepEqual(violations, []);
  t.deepEqual(pageErrors, []);
});
