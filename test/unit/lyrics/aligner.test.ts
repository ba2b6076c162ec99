import { describe, expect, it } from 'vitest';
import { alignLyrics } from '../../../src/engines/transcription/lyrics-aligner.js';
import { analyzeVocals } from '../../../src/engines/transcription/analysis.js';
import { SAMPLE_LYRICS, synthVocals } from './synth-vocals.js';

const lyricsText = (lines: string[][]) => lines.map((l) => l.join(' ')).join('\n');

function startErrorsMs(lines: string[][], opts: Parameters<typeof synthVocals>[1] = {}) {
  const { audio, words } = synthVocals(lines, opts);
  const t = alignLyrics(analyzeVocals(audio), lyricsText(lines));
  expect(t.words.map((w) => w.word)).toEqual(words.map((w) => w.text));
  return { t, errs: t.words.map((w, i) => Math.abs(w.start - words[i].start) * 1000) };
}

describe('known-lyrics aligner (no model)', () => {
  it('places every word near its true start on clean vocals', () => {
    const { errs, t } = startErrorsMs(SAMPLE_LYRICS, { seed: 3 });
    const mae = errs.reduce((a, b) => a + b, 0) / errs.length;
    expect(mae).toBeLessThan(40);
    expect(Math.max(...errs)).toBeLessThan(150);
    expect(t.source).toBe('aligned');
    expect(t.lines.map((l) => l.text)).toEqual(SAMPLE_LYRICS.map((l) => l.join(' ')));
    expect(t.words.every((w) => !w.flags.includes('unplaced'))).toBe(true);
  });

  it('stays accurate with a leakage noise bed and slower singing', () => {
    const { errs } = startErrorsMs(SAMPLE_LYRICS, { seed: 9, noiseDb: -50, syllableS: 0.3 });
    const mae = errs.reduce((a, b) => a + b, 0) / errs.length;
    expect(mae).toBeLessThan(50);
    expect(errs.filter((e) => e <= 300).length / errs.length).toBeGreaterThanOrEqual(0.95);
  });

  it('does not drift late in a long song', () => {
    const long = Array.from({ length: 12 }, (_, i) => SAMPLE_LYRICS[i % SAMPLE_LYRICS.length]);
    const { errs } = startErrorsMs(long, { seed: 5 });
    const lastQuarter = errs.slice(Math.floor(errs.length * 0.75));
    expect(lastQuarter.reduce((a, b) => a + b, 0) / lastQuarter.length).toBeLessThan(50);
  });

  it('keeps times monotonic with a minimum word length', () => {
    const { t } = startErrorsMs(SAMPLE_LYRICS, { seed: 11 });
    for (let i = 0; i < t.words.length; i++) {
      expect(t.words[i].end - t.words[i].start).toBeGreaterThanOrEqual(0.05 - 1e-9);
      if (i > 0) expect(t.words[i].start).toBeGreaterThanOrEqual(t.words[i - 1].end - 1e-9);
    }
  });

  it('invents nothing on an instrumental (silent) vocals stem', () => {
    const sr = 44100;
    const silent = { sampleRate: sr, channels: [new Float32Array(sr * 5), new Float32Array(sr * 5)] };
    const t = alignLyrics(analyzeVocals(silent), lyricsText(SAMPLE_LYRICS));
    expect(t.words).toEqual([]);
    expect(t.lines).toEqual([]);
  });

  it('uses anchors from ASR when they are given', () => {
    const { audio, words } = synthVocals(SAMPLE_LYRICS, { seed: 3 });
    const anchors = words.map((w, i) => (i % 3 === 0 ? w.start : undefined));
    const t = alignLyrics(analyzeVocals(audio), lyricsText(SAMPLE_LYRICS), { anchors });
    expect(t.source).toBe('aligned+asr');
    expect(t.words[0].flags).toContain('asr_match');
    t.words.forEach((w, i) => expect(Math.abs(w.start - words[i].start)).toBeLessThan(0.15));
  });
});
