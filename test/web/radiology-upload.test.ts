// The upload page in Chromium: files chosen (a folder's worth) go to the server with STOW-RS; each
// file ends stored or failed with the server's reason, and the stored ones are really there (QIDO).
import { existsSync, readFileSync } from 'node:fs';
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createAccount, logIn } from '../helpers/accounts.ts';
import { fixtureDir, staffSignIn } from '../helpers/radiology.ts';
import { renameUids } from '../helpers/dicom-copies.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';

let server: TestServer;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await createAccount(server, { login: 'rad-upload', roles: ['radiologist'] });
  await createAccount(server, { login: 'nurse-upload', roles: ['nurse'] });
});
test.after.always(async () => {
  await server?.stop();
});

test('files go up with STOW-RS: good ones stored (and found by QIDO), a truncated one failed with the server\'s reason', async (t) => {
  const good = ['mr/MR_small.dcm', 'ct/CT_small.dcm'].map((path) => ({ path, ...renameUids(readFileSync(`${fixtureDir}${path}`)) }));
  const browser = await launchBrowser({ locale: 'en' });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${server.url}/radiology/upload`);
  await staffSignIn(page, 'rad-upload');
  await page.locator('input[name="files"]').setInputFiles([
    ...good.map((g) => ({ name: g.path.split('/')[1]!, mimeType: 'application/dicom', buffer: g.bytes })),
    { name: 'MR_truncated.dcm', mimeType: 'application/dicom', buffer: readFileSync(`${fixtureDir}malformed/MR_truncated.dcm`) },
  ]);
  await page.locator('[data-testid="upload-results"] li[data-state="waiting"]').first().waitFor({ state: 'detached', timeout: 30_000 });
  const states = Object.fromEntries(await page.locator('[data-testid="upload-results"] li').evaluateAll((items) =>
    items.map((li) => [(li as HTMLElement).dataset.file, (li as HTMLElement).dataset.state])));
  t.deepEqual(states, { 'MR_small.dcm': 'stored', 'CT_small.dcm': 'stored', 'MR_truncated.dcm': 'failed' });
  t.regex(await page.locator('li[data-file="MR_truncated.dcm"]').innerText(), /failed: .+/);
  t.regex(await page.locator('[data-testid="upload-summary"]').innerText(), /2 stored, 1 failed, of 3/);

  const token = await logIn(server, 'rad-upload');
  for (const g of good) {
    const res = await fetch(`${server.url}/dicomweb/studies?StudyInstanceUID=${g.uids.studyUid}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/dicom+json' } });
    t.is(res.status, 200, g.path);
    t.is((await res.json() as unknown[]).length, 1, `${g.path} is stored`);
  }
});

test('the upload page is for radiologists and administrators: a nurse is refused', async (t) => {
  const browser = await launchBrowser({ locale: 'en' });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${server.url}/radiology/upload`);
  await staffSignIn(page, 'nurse-upload');
  await page.locator('[data-testid="refusal"]').waitFor();
  t.false(await page.locator('input[name="files"]').isVisible());
});
