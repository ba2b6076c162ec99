import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, which CI installs; without it the page tests are skipped, saying why. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM_PATH);
if (!HAS_CHROMIUM)
  console.warn(`skipping the web page tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

/** Screenshots of the page tests (gitignored). */
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
}

export interface PageProblems {
  /** Console errors, uncaught exceptions and CSP violations, in order. */
  list: string[];
}

/**
 * Records everything a user would see as "the page is broken": console errors (failed loads
 * included), uncaught exceptions, and Content-Security-Policy violations (reported by an init
 * script, which runs outside the page's CSP).
 */
export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { list: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.list.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.list.push(`exception: ${err.message}`));
  await page.exposeFunction('__reportCsp', (text: string) => problems.list.push(`csp: ${text}`));
  // A string, because this file is type-checked without the DOM library.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => {
      void window.__reportCsp(e.violatedDirective + ' blocked ' + e.blockedURI);
    });`,
  });
  return problems;
}

/** The page's audio clock (player.js `position()`), in seconds of what plays. */
export function pageClock(page: Page): Promise<number> {
  // A string, because this file is type-checked without the DOM library.
  return page.evaluate(`import('/web/player.js').then((p) => p.position())`);
}

/** Waits until the page has decoded the audio it starts with: play enabled, duration known. */
export async function audioReady(page: Page): Promise<void> {
  await page.locator('#play:not([disabled])').waitFor();
  await page.waitForFunction(`Number(document.getElementById('seek')?.max) > 0`);
}
