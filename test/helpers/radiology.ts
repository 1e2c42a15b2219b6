// Browser steps of the radiology tests: staff sign-in, waiting for the viewer's image, reading the
// canvas, and STOW-RS of renamed fixture copies.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { testPassword } from './accounts.ts';
import { renameUids, stow, type RenamedUids } from './dicom-copies.ts';

export const fixtureDir = new URL('../fixtures/dicom/', import.meta.url).pathname;

export interface FixtureEntry {
  path: string;
  modality?: string;
  transferSyntaxUID?: string;
  rows?: number;
  columns?: number;
  numberOfFrames?: number | null;
  hasPixelData: boolean;
  photometricInterpretation?: string;
  studyInstanceUID?: string;
}

export const fixtureManifest = (): FixtureEntry[] =>
  (JSON.parse(readFileSync(`${fixtureDir}manifest.json`, 'utf8')) as { files: FixtureEntry[] }).files;

/** The manifest's image-bearing files that are not in malformed/. */
export const imageFixtures = (): FixtureEntry[] => fixtureManifest().filter((f) => f.hasPixelData && !f.path.startsWith('malformed/'));

/** Signs in on the staff sign-in form the page shows. */
export async function staffSignIn(page: Page, login: string): Promise<void> {
  const form = page.locator('form[name="staff-sign-in"]');
  await form.locator('input[name="login"]').fill(login);
  await form.locator('input[name="password"]').fill(testPassword);
  await form.locator('button[type="submit"]').click();
  await form.waitFor({ state: 'detached' });
}

/** Client-side navigation (what a link does), keeping the in-memory session. */
export async function goTo(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new Event('open-his:navigate')); }, path);
}

/** Waits until the viewport shows the first image of the study at the URL, or its error; 'true' or 'error'. */
export async function viewportOutcome(page: Page, timeout = 20_000): Promise<string> {
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLElement>('[data-testid="viewport"]');
    const study = decodeURIComponent(location.pathname.split('/').pop() ?? '');
    return v?.dataset.shownStudy === study && (v.dataset.loaded === 'true' || v.dataset.loaded === 'error');
  }, null, { timeout });
  return (await page.locator('[data-testid="viewport"]').getAttribute('data-loaded'))!;
}

export interface CanvasStats { width: number; height: number; nonBlack: number; distinct: number; hash: number }

/** What the viewport's canvas shows: size, non-black pixels, distinct red levels, a checksum. */
export function canvasStats(page: Page): Promise<CanvasStats> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let nonBlack = 0;
    let hash = 0;
    const levels = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] || data[i + 1] || data[i + 2]) nonBlack++;
      levels.add(data[i]!);
      hash = (hash * 31 + data[i]! + data[i + 1]! * 7 + data[i + 2]! * 13) >>> 0;
    }
    return { width: canvas.width, height: canvas.height, nonBlack, distinct: levels.size, hash };
  });
}

/** Stores a copy of a fixture under new UIDs (so it is a study of its own); the new UIDs and the STOW answer. */
export async function storeCopy(url: string, token: string, path: string): Promise<{ uids: RenamedUids; status: number; body: any }> {
  const { bytes, uids } = renameUids(readFileSync(`${fixtureDir}${path}`));
  const answer = await stow(url, token, [bytes]);
  return { uids, ...answer };
}
