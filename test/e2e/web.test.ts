import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hanging, slow } from '../helpers/fake-stages.js';
import { startTestService, type TestService } from '../helpers/services.js';
import { tmpDir, toneWav } from '../helpers/audio.js';
import {
  ARTIFACTS_DIR,
  HAS_CHROMIUM,
  audioReady,
  launchChromium,
  pageClock,
  watchProblems,
  type PageProblems,
} from './web-helpers/browser.js';
import {
  BEATS_PER_BAR,
  BEAT_PERIOD_S,
  NO_MODEL_REASON,
  pageTestHandlers,
  wordTiming,
} from './web-helpers/fake-engines.js';

/**
 * The player page in a real browser against a real server (fake engines): upload, live progress,
 * downloads, lyric highlighting in sync with the audio, the beat indicator, degraded stages.
 */
const SONG_SECONDS = 6;
/** The page's arrow-key step. */
const KEY_SEEK_S = 5;
const LYRICS = 'hello bright world\nsing along with me';
const WORDS = LYRICS.split(/\s+/);
const SCREENSHOT = path.join(ARTIFACTS_DIR, 'web-desktop.png');
const UI_TIMEOUT_MS = 10_000;
/** A variant or a video is a real ffmpeg render: generous on a loaded machine. */
const RENDER_TIMEOUT_MS = 120_000;
const API_KEY = 'web-test-key';
/** The slow separation runs SLOW_STEPS × SLOW_STEP_MS: several polls see it part-way. */
const SLOW_STEPS = 12;
const SLOW_STEP_MS = 150;

describe.skipIf(!HAS_CHROMIUM)('the web page', () => {
  let svc: TestService;
  let browser: Browser;
  let base: string;
  let songFile: string;
  const dir = tmpDir('karaoke-web-');

  beforeAll(async () => {
    browser = await launchChromium();
    svc = await startTestService({ handlers: pageTestHandlers() });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    songFile = path.join(dir, 'my song.wav');
    fs.writeFileSync(songFile, toneWav(SONG_SECONDS));
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function openPage(
    opts: { url?: string; before?: (page: Page) => Promise<unknown> } = {},
  ): Promise<{ page: Page; problems: PageProblems }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const problems = await watchProblems(page);
    await opts.before?.(page);
    await page.goto(opts.url ?? base);
    return { page, problems };
  }

  async function upload(page: Page, opts: { lyrics?: string; engine?: string }): Promise<void> {
    await page.setInputFiles('#file', songFile);
    await expect
      .poll(() => page.textContent('#file-name'), { timeout: UI_TIMEOUT_MS })
      .toContain('my song.wav');
    if (opts.lyrics) await page.fill('#lyrics', opts.lyrics);
    if (opts.engine) await page.selectOption('#engine', opts.engine);
    await page.click('#submit');
  }

  /** Seeks the player (its position slider); the seek lands at once on the page's audio clock. */
  async function seek(page: Page, t: number): Promise<void> {
    await audioReady(page);
    await page.fill('#seek', String(t));
  }

  describe('web page', () => {
    it('uploads a song with lyrics, follows it to the end, plays it with highlighted words and beats', async () => {
      const { page, problems } = await openPage();
      await expect.poll(() => page.title(), { timeout: UI_TIMEOUT_MS }).toBe('Karaoke');
      await upload(page, { lyrics: LYRICS });

      await page.locator('#job-badge', { hasText: 'Completed' }).waitFor();
      expect(await page.textContent('#job-title')).toBe('my song.wav');
      expect(await page.title()).toBe('my song.wav · Completed — Karaoke');
      expect(await page.getAttribute('#job-progress', 'value')).toBe('100');
      for (const s of ['separation', 'transcription', 'beats']) {
        expect(await page.textContent(`.stage[data-stage="${s}"] .badge`)).toBe('Completed');
      }
      expect(await page.textContent('.stage[data-stage="separation"] .engine')).toContain('htdemucs-onnx');
      expect(await page.locator('.tag.fallback').count()).toBe(0);
      // The job list shows it, marked as the open job.
      const listed = page.locator('.job-item[aria-current="true"]', { hasText: 'my song.wav' });
      await listed.waitFor();
      expect(await listed.textContent()).toMatch(/^my song\.wavCompleted\S.*0:06$/);
      // Left on "Server default", the form sends no engine, so the server's SEPARATION_ENGINE decides.
      const jobId = /#job=([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
      expect((await svc.services.backends.store.get(jobId))?.options.separationEngine).toBeUndefined();

      // Every stem, the lyrics and the analysis are downloadable, and the links work.
      await page.locator('#results').waitFor();
      const links = await page.$$eval('#files a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
      for (const stem of ['vocals', 'drums', 'bass', 'other', 'instrumental'])
        expect(links.some((h) => h.endsWith(`stems/${stem}.wav`))).toBe(true);
      expect(links.some((h) => h.endsWith('transcription/transcription.json'))).toBe(true);
      expect(links.some((h) => h.endsWith('beat_analysis/beats.json'))).toBe(true);
      expect(links.some((h) => /original\.wav$/.test(h))).toBe(true);
      await page.locator('#files a', { hasText: 'report.json' }).waitFor();
      for (const href of links) expect((await fetch(base + href, { method: 'HEAD' })).status, href).toBe(200);

      // "Started." under the upload button went when the job ended.
      expect(await page.textContent('#upload-status')).toBe('');
      // The mixer: a guide vocal level, and the other stems behind a disclosure.
      expect(await page.locator('#vocal-control').isVisible()).toBe(true);
      for (const stem of ['drums', 'bass', 'other'])
        expect(await page.getAttribute(`#stem-row-${stem}`, 'hidden')).toBeNull();

      // Lyrics by line, each word highlighted while it is sung.
      expect(await page.$$eval('#lyrics-view .line', (ls) => ls.length)).toBe(2);
      expect(await page.$$eval('#lyrics-view .word', (ws) => ws.map((w) => w.textContent))).toEqual(WORDS);
      const target = 4; // "sing", the first word of the second line
      await seek(page, wordTiming(target).start + 0.1);
      await expect
        .poll(() => page.textContent('.word.active'), { timeout: UI_TIMEOUT_MS })
        .toBe(WORDS[target]);
      expect(await page.$$eval('.word.sung', (ws) => ws.length)).toBe(target + 1);
      expect(await page.textContent('.line.current')).toContain('sing along with me');

      // The beat indicator follows the bar position of the beat just passed.
      await page.locator('#beat').waitFor();
      expect(await page.$$eval('#beat-dots .dot', (ds) => ds.length)).toBe(BEATS_PER_BAR);
      const t = wordTiming(target).start + 0.1;
      const expectedPos = (Math.floor(t / BEAT_PERIOD_S) % BEATS_PER_BAR) + 1;
      await expect
        .poll(() => page.textContent('#beat-num'), { timeout: UI_TIMEOUT_MS })
        .toBe(String(expectedPos));
      expect(
        await page.$$eval('#beat-dots .dot', (ds) => ds.findIndex((d) => d.classList.contains('on'))),
      ).toBe(expectedPos - 1);

      // Clicking a word (in the full list) seeks there and plays; the arrow keys step.
      await page.click('#all-lyrics summary');
      await page.click('#lyrics-view .word >> nth=1');
      expect(await pageClock(page)).toBeGreaterThanOrEqual(wordTiming(1).start - 0.01);
      await expect
        .poll(() => page.getAttribute('#play', 'aria-label'), { timeout: UI_TIMEOUT_MS })
        .toBe('Pause');
      await page.click('#play');
      const paused = await pageClock(page);
      expect(paused).toBeGreaterThanOrEqual(wordTiming(1).start - 0.01);
      await page.locator('#stage-title').click();
      await page.keyboard.press('ArrowLeft');
      await expect
        .poll(() => pageClock(page), { timeout: UI_TIMEOUT_MS })
        .toBe(Math.max(0, paused - KEY_SEEK_S));

      // Summary facts from the beat analysis and the lyrics.
      const summary = await page.textContent('#summary');
      expect(summary).toContain('120.0 BPM');
      expect(summary).toContain('4/4');

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(problems.list).toEqual([]);
      await page.close();
    });

    it(
      'changes the key, makes a karaoke video, and lists both among the downloads',
      async () => {
        const { page, problems } = await openPage();
        await upload(page, { lyrics: LYRICS });
        await page.locator('#job-badge', { hasText: 'Completed' }).waitFor();
        await page.locator('#variant-controls').waitFor();
        // Two semitones down: the page asks for the instrumental and the guide mix, then plays them.
        await page.click('#key-down');
        await page.click('#key-down');
        expect(await page.textContent('#key-value')).toContain('2');
        await page.click('#variant-apply');
        await expect.poll(() => page.textContent('#variant-status'), { timeout: RENDER_TIMEOUT_MS }).toBe('');
        expect(await page.getAttribute('#variant-reset', 'hidden')).toBeNull();
        // The video of the song: progress, then a download link.
        await page.click('#video-make');
        const videoLink = page.locator('#video-status a', { hasText: 'karaoke video' });
        await videoLink.waitFor({ timeout: RENDER_TIMEOUT_MS });
        const videoUrl = (await videoLink.getAttribute('href')) ?? '';
        const mp4 = await fetch(base + videoUrl);
        expect(mp4.status).toBe(200);
        expect(mp4.headers.get('content-type')).toContain('video/mp4');
        expect(
          Buffer.from(await mp4.arrayBuffer())
            .subarray(4, 8)
            .toString('latin1'),
        ).toBe('ftyp');

        // Opened again, the job's downloads list the variants, named by what they are, and the video.
        const jobUrl = page.url();
        await page.goto('about:blank');
        await page.goto(jobUrl);
        await page.locator('#results').waitFor();
        const group = (title: string) =>
          page.locator('#files .file-group', { has: page.locator('h3', { hasText: title }) }).locator('a');
        await group('Key & tempo variants').first().waitFor();
        const variantLabels = await group('Key & tempo variants').allTextContents();
        expect(variantLabels.some((l) => l.startsWith('−2 st: instrumental'))).toBe(true);
        expect(variantLabels.some((l) => l.startsWith('−2 st · guide'))).toBe(true);
        const videoHrefs = await group('Karaoke video').evaluateAll((as) =>
          as.map((a) => a.getAttribute('href') ?? ''),
        );
        expect(videoHrefs).toHaveLength(1);
        const hrefs = await page.$$eval('#files a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
        for (const href of hrefs)
          expect((await fetch(base + href, { method: 'HEAD' })).status, href).toBe(200);
        expect(problems.list).toEqual([]);
        await page.close();
      },
      4 * RENDER_TIMEOUT_MS,
    );

    it('takes a dropped file and shows why the upload was refused', async () => {
      const { page, problems } = await openPage();
      // A string, because this file is type-checked without the DOM library.
      const dropped = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['these are not the sounds you are looking for'], 'notes.mp3', { type: 'audio/mpeg' }));
      return dt;
    })()`);
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
      expect(await page.textContent('#file-name')).toContain('notes.mp3');
      await page.click('#submit');
      const error = page.locator('#upload-error');
      await error.waitFor();
      expect(await error.textContent()).toBe('the file is not a recognised audio file (NOT_AUDIO)');
      expect(await page.locator('#job').isHidden()).toBe(true);
      // Chromium logs the refused request itself; nothing else may go wrong.
      expect(problems.list.filter((p) => !p.includes('/api/process'))).toEqual([]);
      await page.close();
    });

    it('shows an unavailable stage with its reason and labels a fallback engine', async () => {
      const { page, problems } = await openPage();
      await upload(page, { engine: 'dsp' });

      await page.locator('#job-badge', { hasText: 'Partly done' }).waitFor();
      // The form forgets the song but keeps the options for the next one.
      expect(await page.inputValue('#engine')).toBe('dsp');
      expect(await page.locator('#file').evaluate((i: { files: { length: number } }) => i.files.length)).toBe(
        0,
      );
      const lyricsStage = page.locator('.stage[data-stage="transcription"]');
      expect(await lyricsStage.locator('.badge').textContent()).toBe('Unavailable');
      expect(await lyricsStage.locator('.stage-error').textContent()).toContain(NO_MODEL_REASON);
      const sep = page.locator('.stage[data-stage="separation"]');
      expect(await sep.locator('.tag.fallback').textContent()).toBe('fallback');
      expect(await sep.locator('.stage-warnings summary').textContent()).toBe('1 warning');
      await sep.locator('.stage-warnings summary').click();
      await sep.locator('.warnings', { hasText: 'bleed' }).waitFor();
      await page.locator('#no-lyrics').waitFor();
      expect(await page.textContent('#no-lyrics')).toContain(NO_MODEL_REASON);
      // Stems are still playable and downloadable.
      await audioReady(page);
      expect(await page.locator('#job-live').textContent()).toContain('Partly done');

      // The page reopens the job from its address.
      const url = page.url();
      expect(url).toMatch(/#job=[0-9a-f-]{36}$/);
      const again = await browser.newPage();
      await again.goto(url);
      await again.locator('#job-badge', { hasText: 'Partly done' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await again.close();

      expect(problems.list).toEqual([]);
      await page.close();
    });

    it('falls back to polling when the event stream is blocked, and shows progress on the way', async () => {
      const handlers = pageTestHandlers();
      const slowSvc = await startTestService({
        handlers: { ...handlers, separation: slow(SLOW_STEPS, SLOW_STEP_MS, handlers.separation) },
      });
      try {
        await slowSvc.app.listen({ port: 0, host: '127.0.0.1' });
        const url = `http://127.0.0.1:${(slowSvc.app.server.address() as AddressInfo).port}`;
        const { page, problems } = await openPage({
          url,
          before: (p) => p.route('**/api/jobs/*/events', (route) => route.abort()),
        });
        await upload(page, { lyrics: LYRICS });
        const stemsPct = page.locator('.stage[data-stage="separation"] .pct');
        await expect.poll(() => stemsPct.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^[1-9]\d? %$/);
        await page.locator('#job-badge', { hasText: 'Completed' }).waitFor();
        await expect
          .poll(() => page.locator('#lyrics-view .word').count(), { timeout: UI_TIMEOUT_MS })
          .toBe(WORDS.length);
        // The blocked stream itself is the only error.
        expect(problems.list.filter((p) => !p.includes('/events'))).toEqual([]);
        await page.close();
      } finally {
        await slowSvc.close();
      }
    });

    it('cancels a running job and deletes it', async () => {
      const stuck = hanging();
      const stuckSvc = await startTestService({ handlers: { ...pageTestHandlers(), separation: stuck } });
      try {
        await stuckSvc.app.listen({ port: 0, host: '127.0.0.1' });
        const url = `http://127.0.0.1:${(stuckSvc.app.server.address() as AddressInfo).port}`;
        const { page, problems } = await openPage({ url });
        page.on('dialog', (d) => void d.accept());
        await upload(page, {});
        await stuck.started;
        await page.locator('.stage[data-stage="separation"] .badge', { hasText: 'Running' }).waitFor();
        await page.click('#job-cancel');
        await page.locator('#job-badge', { hasText: 'Cancelled' }).waitFor();
        expect(await page.locator('#job-cancel').isHidden()).toBe(true);
        expect(await page.locator('#results').isHidden()).toBe(true);

        await page.click('#job-delete');
        await page.locator('#welcome').waitFor();
        expect(await page.locator('#job').isHidden()).toBe(true);
        await expect.poll(() => page.locator('.job-item').count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
        expect((await stuckSvc.services.backends.store.list({ limit: 10, offset: 0 })).total).toBe(0);
        expect(problems.list).toEqual([]);
        await page.close();
      } finally {
        await stuckSvc.close();
      }
    });

    it('works against a server with API keys once the key is entered', async () => {
      const keyed = await startTestService({ handlers: pageTestHandlers(), config: { apiKeys: [API_KEY] } });
      try {
        await keyed.app.listen({ port: 0, host: '127.0.0.1' });
        const url = `http://127.0.0.1:${(keyed.app.server.address() as AddressInfo).port}`;
        const { page, problems } = await openPage({ url });
        await page.locator('#jobs-empty', { hasText: 'needs an API key' }).waitFor();

        await page.click('.apikey summary');
        await page.fill('#api-key', API_KEY);
        await page.click('#key-form button');
        await expect
          .poll(() => page.textContent('#jobs-empty'), { timeout: UI_TIMEOUT_MS })
          .toBe('No jobs yet.');
        await upload(page, { lyrics: LYRICS });
        await page.locator('#job-badge', { hasText: 'Completed' }).waitFor();
        // The mixer fetches the stems with the key header; download links cannot send a header, so
        // they get short-lived signed URLs, and the key never appears in a URL.
        await audioReady(page);
        await expect.poll(() => page.getAttribute('#files a >> nth=0', 'href')).toMatch(/[?&]sig=/);
        expect(await page.getAttribute('#files a >> nth=0', 'href')).not.toContain(API_KEY);
        await page.locator('#beat').waitFor();
        // The only errors are the list requests refused before the key was entered.
        expect(problems.list.filter((p) => !/401 \(Unauthorized\).*\/api\/jobs\?/.test(p))).toEqual([]);
        await page.close();
      } finally {
        await keyed.close();
      }
    });
  });
});
