// Debian's Chromium (/usr/bin/chromium, apt-get install chromium) driven by playwright-core; no
// browser is ever downloaded. Each browser gets a fresh profile directory, removed on close. Only the
// web tests import this, so the other tests do not need Chromium.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumFlags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export function assertChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The browser tests need Chromium at ${chromiumPath}: apt-get install -y --no-install-recommends chromium `
      + '(.ci/run installs it), or set CHROMIUM_PATH');
  }
}

/**
 * A fresh browser. Playwright refuses --user-data-dir among the launch arguments, so the fresh
 * profile is given the way it accepts one: a persistent context on a new temporary directory.
 */
export async function launchBrowser(options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  assertChromium();
  const profile = await mkdtemp(join(tmpdir(), 'open-his-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumFlags,
      locale: options.locale ?? 'zh-CN',
      viewport: options.viewport ?? { width: 1024, height: 768 },
      acceptDownloads: true,
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Collects Content-Security-Policy violations the page reports in its console. */
export function cspViolations(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) found.push(message.text());
  });
  return found;
}
