import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, which CI installs; the page test fails loudly without it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `the web page test needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium); it is missing`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** The page's <audio> element, typed structurally: the tests are compiled without the DOM library. */
export interface AudioLike {
  readyState: number;
  currentTime: number;
  pause(): void;
  addEventListener(type: string, fn: () => void, opts: { once: boolean }): void;
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
