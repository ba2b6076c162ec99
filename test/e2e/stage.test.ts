import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';
import { toneWav } from '../helpers/audio.js';
import {
  ARTIFACTS_DIR,
  HAS_CHROMIUM,
  audioReady,
  launchChromium,
  watchProblems,
  type PageProblems,
} from './web-helpers/browser.js';
import {
  LOW_CONFIDENCE_WORD,
  STAGE_SONG_S,
  STAGE_WORDS,
  TONE_AMPLITUDE,
  stageTestHandlers,
} from './web-helpers/stage-engines.js';

/**
 * The stage view, the mixer, key/tempo variants, full screen and the phone layout, in a real
 * browser against a real server with fake engines. Timing is read from the page's own audio
 * clock (player.js `position()`), never from the wall clock.
 */
const UI_TIMEOUT_MS = 15_000;
/** The sweep must match the audio clock this closely. */
const CLOCK_TOLERANCE_S = 0.1;
const LINE_1 = 'hello bright world';
const LINE_2 = 'rising slowly up';
/** Count-in beats of line 2 (beats every 0.5 s, 4 per bar, line 2 at 5.2 s after a rest). */
const COUNT_IN = [3.5, 4.0, 4.5, 5.0];
const PHONE = { width: 390, height: 844 };

describe.skipIf(!HAS_CHROMIUM)('the stage page', () => {
  let svc: TestService;
  let browser: Browser;
  let base: string;
  let jobId: string;

  async function createJob(fields: Record<string, string> = {}): Promise<string> {
    const { payload, headers } = multipart([
      { name: 'lyrics', value: `${LINE_1}\n${LINE_2}` },
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      { name: 'file', value: toneWav(STAGE_SONG_S), filename: 'stage song.wav' },
    ]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode).toBe(202);
    const id = res.json().job_id as string;
    await waitForJob(svc.services, id, undefined, 30_000);
    return id;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    svc = await startTestService({ handlers: stageTestHandlers() });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    jobId = await createJob();
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  async function openJobPage(
    opts: {
      viewport?: { width: number; height: number };
      before?: (p: Page) => Promise<unknown>;
      id?: string;
    } = {},
  ): Promise<{ page: Page; problems: PageProblems }> {
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const problems = await watchProblems(page);
    await opts.before?.(page);
    await page.goto(`${base}/#job=${opts.id ?? jobId}`);
    await page
      .locator('#stage-lines .stage-line.current')
      .waitFor()
      .catch(async (err: unknown) => {
        throw new Error(
          `${String(err)}\n${problems.list.join('\n')}\n${await page.locator('#job').innerText()}`.slice(
            0,
            3000,
          ),
        );
      });
    await audioReady(page);
    return { page, problems };
  }

  /** What the stage shows and what the audio clock says, read in the same instant. */
  interface StageSample {
    clock: number;
    active: string | null;
    /** The time the sweep shows: the active word's start + its fill × its duration. */
    sweptTo: number | null;
    current: string;
    next: string;
  }

  /**
   * `afterFrame`: read just after the page has drawn a frame (its frame loop's callback is queued
   * before ours, so by our timeout it has run), so the drawing is at most a few ms old.
   */
  function sample(page: Page, afterFrame = false): Promise<StageSample> {
    // A string, because this file is type-checked without the DOM library.
    return page.evaluate(`(async () => {
    const player = await import('/web/player.js');
    if (${afterFrame}) await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const w = document.querySelector('.sw.active');
    const text = (sel) => (document.querySelector(sel)?.textContent ?? '').replace(/\\s+/g, ' ').trim();
    let sweptTo = null;
    if (w) {
      const fill = parseFloat(w.style.getPropertyValue('--fill')) / 100;
      const start = Number(w.dataset.start), end = Number(w.dataset.end);
      sweptTo = start + fill * (end - start);
    }
    return {
      clock: player.position(),
      active: w ? w.textContent : null,
      sweptTo,
      current: text('.stage-line.current'),
      next: text('.stage-line.next'),
    };
  })()`);
  }

  async function seekBar(page: Page, t: number): Promise<void> {
    await page.fill('#seek', String(t));
  }

  function currentLineFontPx(page: Page): Promise<number> {
    return page.evaluate(
      `parseFloat(getComputedStyle(document.querySelector('.stage-line.current')).fontSize)`,
    );
  }

  function outputRms(page: Page): Promise<number> {
    return page.evaluate(`import('/web/player.js').then((p) => p.outputLevel())`);
  }

  describe('stage view', () => {
    it('sweeps the word the audio clock is in, after a seek and while playing; count-in, low confidence, pitch lane', async () => {
      const { page, problems } = await openJobPage();
      expect(await page.textContent('#stage-title')).toBe('stage song.wav');

      // Paused, after a seek: the sweep stands exactly where the clock is.
      await seekBar(page, 1.2);
      let s = await sample(page);
      expect(s.clock).toBeCloseTo(1.2, 2);
      expect(s.active).toBe('bright');
      expect(Math.abs((s.sweptTo ?? NaN) - s.clock)).toBeLessThan(CLOCK_TOLERANCE_S);
      expect(s.current).toBe(LINE_1);
      expect(s.next).toBe(LINE_2);
      expect(
        await page.$$eval('.stage-line.current .sw', (ws) => ws.map((w) => w.getAttribute('style'))),
      ).toEqual(['--fill: 100.00%;', expect.stringMatching(/^--fill: 50\.\d+%;$/), '--fill: 0.00%;']);

      // In the rest before line 2: the line waits on stage, with a count-in from the beat grid.
      await seekBar(page, 4.1);
      s = await sample(page);
      expect(s.current).toContain(LINE_2);
      expect(s.active).toBeNull();
      expect(await page.locator('#count-in .cdot').count()).toBe(COUNT_IN.length);
      expect(await page.locator('#count-in .cdot.on').count()).toBe(COUNT_IN.filter((b) => b <= 4.1).length);
      // Line 2 is flagged low-confidence; its unsure word is marked.
      expect(await page.locator('.stage-line.current.low-conf .conf-note').textContent()).toBe(
        'timing uncertain',
      );
      expect(await page.locator('.sw.unsure').textContent()).toBe(LOW_CONFIDENCE_WORD);
      await seekBar(page, 5.5);
      expect(await page.locator('#count-in .cdot').count()).toBe(0);

      // The pitch lane: drawn, with the note under the clock lit.
      expect(await page.locator('#pitch-lane').isVisible()).toBe(true);
      expect(await page.getAttribute('#pitch-lane', 'data-current')).toBe('3');
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'stage-desktop.png') });

      // Playing: seek, then compare the sweep with the clock read at the same instant.
      await seekBar(page, 0.5);
      await page.click('#play');
      await expect
        .poll(async () => (await sample(page)).clock, { timeout: UI_TIMEOUT_MS })
        .toBeGreaterThan(0.95);
      await seekBar(page, 5.3);
      await expect
        .poll(async () => (await sample(page)).clock, { timeout: UI_TIMEOUT_MS })
        .toBeGreaterThan(5.35);
      s = await sample(page, true);
      const sung = STAGE_WORDS.find((w) => s.clock >= w.start && s.clock < w.end);
      if (sung && s.active === sung.word) {
        expect(Math.abs((s.sweptTo ?? NaN) - s.clock)).toBeLessThan(CLOCK_TOLERANCE_S);
      } else if (sung) {
        // The clock crossed into this word after the frame was drawn: that frame is < 100 ms old.
        expect(s.clock - sung.start).toBeLessThan(CLOCK_TOLERANCE_S);
      }
      await page.click('#play');
      const stopped = (await sample(page)).clock;
      expect((await sample(page)).clock).toBe(stopped);
      expect(problems.list).toEqual([]);
      await page.close();
    });

    it('full screen shows the stage alone in large type, and leaves it again', async () => {
      const { page, problems } = await openJobPage();
      await seekBar(page, 1.2);
      const normal = await currentLineFontPx(page);
      await page.click('#fullscreen');
      await expect
        .poll(() => page.evaluate('document.fullscreenElement?.id ?? null'), { timeout: UI_TIMEOUT_MS })
        .toBe('stage');
      // The label follows the fullscreenchange event, which may come after the element is set.
      await expect
        .poll(() => page.textContent('#fullscreen'), { timeout: UI_TIMEOUT_MS })
        .toBe('Exit full screen');
      const big = await currentLineFontPx(page);
      expect(big).toBeGreaterThan(normal * 1.4);
      // The transport is part of the stage, so it stays usable in full screen.
      expect(await page.locator('#stage #play').isVisible()).toBe(true);
      expect(await page.locator('#stage #vocal-level').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'stage-fullscreen.png') });
      await page.click('#fullscreen');
      await expect
        .poll(() => page.evaluate('document.fullscreenElement?.id ?? null'), { timeout: UI_TIMEOUT_MS })
        .toBeNull();
      expect(problems.list).toEqual([]);
      await page.close();
    });

    it('opens a finished job on a phone with the stage first, nothing wider than the screen', async () => {
      const { page, problems } = await openJobPage({ viewport: PHONE });
      await seekBar(page, 1.2);
      const stage = await page.locator('#stage').boundingBox();
      const form = await page.locator('#upload-form').boundingBox();
      expect(stage).not.toBeNull();
      expect(form).not.toBeNull();
      // The stage starts on the first screen, the upload form comes after it.
      expect(stage!.y).toBeLessThan(PHONE.height / 2);
      expect(form!.y).toBeGreaterThan(stage!.y);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      expect(await page.locator('#play').isVisible()).toBe(true);
      expect(await page.locator('#vocal-level').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'stage-phone.png') });
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'stage-phone-full.png'), fullPage: true });
      expect(problems.list).toEqual([]);
      await page.close();
    });

    it('warns that lyric timing may be off when separation fell back to DSP', async () => {
      const dspJob = await createJob({ separation_engine: 'dsp' });
      const { page, problems } = await openJobPage({ id: dspJob });
      expect(await page.locator('#dsp-warning').isVisible()).toBe(true);
      expect(await page.textContent('#dsp-warning')).toContain('lyric timing');
      expect(problems.list).toEqual([]);
      await page.close();
    });
  });

  describe('mixer', () => {
    it('the vocal level changes what plays; the other stems mix live; the position is kept', async () => {
      const { page, problems } = await openJobPage();
      await page.fill('#vocal-level', '100');
      expect(await page.textContent('#vocal-level-text')).toBe('Full');
      await page.click('#play');
      // Vocal and instrumental tones at TONE_AMPLITUDE each: together an RMS of 0.3, alone 0.3/√2.
      const both = TONE_AMPLITUDE;
      const alone = TONE_AMPLITUDE / Math.SQRT2;
      await expect.poll(() => outputRms(page), { timeout: UI_TIMEOUT_MS }).toBeCloseTo(both, 1);
      await page.fill('#vocal-level', '0');
      expect(await page.textContent('#vocal-level-text')).toBe('Off');
      await expect.poll(() => outputRms(page), { timeout: UI_TIMEOUT_MS }).toBeLessThan((both + alone) / 2);
      expect(await outputRms(page)).toBeCloseTo(alone, 1);

      // The other stems: drums + bass + other replace the instrumental; muting them all leaves silence.
      const before = (await sample(page)).clock;
      await page.click('#more-stems summary');
      for (const s of ['drums', 'bass', 'other']) await page.fill(`#level-${s}`, '0');
      await expect.poll(() => outputRms(page), { timeout: UI_TIMEOUT_MS }).toBeLessThan(0.01);
      await page.fill('#level-bass', '100');
      await expect.poll(() => outputRms(page), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(alone / 6);
      // Mixing never moved the position: the clock only went forward.
      expect((await sample(page)).clock).toBeGreaterThanOrEqual(before);
      await page.click('#play');
      expect(problems.list).toEqual([]);
      await page.close();
    });
  });

  describe('key and tempo', () => {
    it('requests a variant, follows it, and switches to it keeping the place in the song and the lyrics in time', async () => {
      const TEMPO = 0.8;
      const posts: unknown[] = [];
      const polls = new Map<string, number>();
      const stems = `/api/files/${jobId}/stems`;
      const retimed = {
        words: STAGE_WORDS.map((w) => ({ word: w.word, start: w.start / TEMPO, end: w.end / TEMPO })),
      };
      const fakeVariants = async (p: Page) => {
        await p.route('**/api/jobs/*/variants', async (route: Route) => {
          const body = route.request().postDataJSON() as { vocal_db: number | null };
          posts.push(body);
          const id = body.vocal_db === null ? 'v-inst' : 'v-guide';
          await route.fulfill({
            status: 202,
            json: { variant_id: id, status: 'queued', links: { self: `/api/jobs/${jobId}/variants/${id}` } },
          });
        });
        await p.route('**/api/jobs/*/variants/*', async (route: Route) => {
          const id = route.request().url().split('/').pop() ?? '';
          const n = (polls.get(id) ?? 0) + 1;
          polls.set(id, n);
          const done = n >= 2;
          await route.fulfill({
            json: {
              variant_id: id,
              status: done ? 'completed' : 'running',
              progress: done ? 100 : 50,
              params: {},
              files: done
                ? {
                    // The fake "variant" plays real files of the job: only the timings differ.
                    instrumental: `${stems}/${id === 'v-inst' ? 'instrumental' : 'vocals'}.wav`,
                    ...(id === 'v-inst' ? { transcription: '/fake/variant-words.json' } : {}),
                  }
                : {},
            },
          });
        });
        await p.route('**/fake/variant-words.json', (route: Route) => route.fulfill({ json: retimed }));
      };
      const { page, problems } = await openJobPage({ before: fakeVariants });
      await seekBar(page, 1.2);
      await page.click('#key-up');
      await page.click('#key-up');
      for (let i = 0; i < 4; i++) await page.click('#tempo-down');
      expect(await page.textContent('#key-value')).toBe('+2');
      expect(await page.textContent('#tempo-value')).toBe('80 %');
      await page.click('#variant-apply');
      await page.locator('#variant-reset:not([hidden])').waitFor();
      await expect.poll(() => page.textContent('#variant-status'), { timeout: UI_TIMEOUT_MS }).toBe('');
      expect(posts).toEqual([
        { semitones: 2, tempo: TEMPO, format: 'wav', vocal_db: null },
        { semitones: 2, tempo: TEMPO, format: 'wav', vocal_db: 0 },
      ]);
      // Same place in the song: 1.2 s of the original is 1.5 s at 80 %.
      let s = await sample(page);
      expect(s.clock).toBeCloseTo(1.2 / TEMPO, 2);
      expect(s.active).toBe('bright');
      expect(Math.abs((s.sweptTo ?? NaN) - s.clock)).toBeLessThan(CLOCK_TOLERANCE_S);
      // The variant's own timings drive the stage, and the song's confidence marks carry over.
      await seekBar(page, 5.9 / TEMPO + 0.05);
      s = await sample(page);
      expect(s.active).toBe(LOW_CONFIDENCE_WORD);
      expect(await page.locator('.sw.unsure').textContent()).toBe(LOW_CONFIDENCE_WORD);
      // The pitch lane moved up with the key: note 4 is now MIDI 64 + 2, still the current one.
      expect(await page.getAttribute('#pitch-lane', 'data-current')).toBe('4');

      // Back to the original: instant, at the same place in the song.
      await page.click('#variant-reset');
      await expect.poll(() => page.textContent('#key-value'), { timeout: UI_TIMEOUT_MS }).toBe('Original');
      await expect
        .poll(async () => (await sample(page)).clock, { timeout: UI_TIMEOUT_MS })
        .toBeCloseTo((5.9 / TEMPO + 0.05) * TEMPO, 2);
      expect(problems.list).toEqual([]);
      await page.close();
    });

    it('says so, and hides the controls, on a server without the variants API', async () => {
      const { page, problems } = await openJobPage();
      // An older server: the route does not exist (this one has it, so its answer is imitated).
      await page.route('**/api/jobs/*/variants', (route) =>
        route.fulfill({
          status: 404,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'NOT_FOUND',
              message: `no route ${route.request().method()} /api/jobs/…/variants`,
            },
          }),
        }),
      );
      await page.click('#key-up');
      await page.click('#variant-apply');
      await page.locator('#variant-status', { hasText: 'not available on this server' }).waitFor();
      expect(await page.locator('#variant-controls').isHidden()).toBe(true);
      // Chromium logs the refused request itself; nothing else may go wrong.
      expect(problems.list.filter((p) => !p.includes('/variants'))).toEqual([]);
      await page.close();
    });
  });
});
