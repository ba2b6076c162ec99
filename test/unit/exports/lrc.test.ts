import { describe, expect, it } from 'vitest';
import { renderEnhancedLrc, renderLrc } from '../../../src/exports/lrc.js';
import { assTime, lrcTime, srtTime, vttTime } from '../../../src/exports/timefmt.js';
import { fixtureTranscript } from './fixture.js';

/** A reader as players implement it: `[mm:ss.xx]` line tags, `<mm:ss.xx>` word tags. */
function parseLrc(text: string) {
  const toS = (m: string, s: string) => Number(m) * 60 + Number(s);
  const lines: { time: number; text: string; words: { time: number; text: string }[] }[] = [];
  const meta: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const tag = /^\[([a-z]+):(.*)\]$/.exec(raw);
    if (tag) {
      meta[tag[1]] = tag[2];
      continue;
    }
    const m = /^\[(\d+):(\d\d\.\d\d)\](.*)$/.exec(raw);
    if (!m) continue;
    const words = [...m[3].matchAll(/<(\d+):(\d\d\.\d\d)>([^<]*)/g)].map((x) => ({
      time: toS(x[1], x[2]),
      text: x[3].trim(),
    }));
    lines.push({ time: toS(m[1], m[2]), text: m[3], words });
  }
  return { meta, lines };
}

describe('time stamps', () => {
  it('round once and carry into the next unit', () => {
    expect(lrcTime(59.996)).toBe('01:00.00');
    expect(lrcTime(3600.5)).toBe('60:00.50');
    expect(srtTime(3661.0005)).toBe('01:01:01,001');
    expect(vttTime(59.9996)).toBe('00:01:00.000');
    expect(assTime(3600.504)).toBe('1:00:00.50');
    expect(lrcTime(-1)).toBe('00:00.00');
  });
});

describe('LRC', () => {
  it('has one line per lyric line at the line start, and blank lines in long gaps', () => {
    const t = fixtureTranscript();
    const { meta, lines } = parseLrc(renderLrc(t, { title: 'Song\nTitle', lengthS: 3700 }));
    expect(meta.ti).toBe('Song Title');
    expect(meta.length).toBe('61:40');
    const sung = lines.filter((l) => l.text !== '');
    expect(sung.map((l) => l.text)).toEqual(t.lines.map((l) => l.text));
    sung.forEach((l, i) => expect(l.time).toBeCloseTo(t.lines[i].start, 2));
    const times = lines.map((l) => l.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The gaps after lines 1 and 2 are longer than 3 s: a clearing tag each, plus one at the end.
    expect(lines.filter((l) => l.text === '')).toHaveLength(3);
  });

  it('enhanced LRC carries every word time, in order, and the line end', () => {
    const t = fixtureTranscript();
    const { lines } = parseLrc(renderEnhancedLrc(t));
    const words = lines.flatMap((l) => l.words).filter((w) => w.text !== '');
    expect(words.map((w) => w.text)).toEqual(t.words.map((w) => w.word.replace(/[<>]/g, '')));
    words.forEach((w, i) => expect(Math.abs(w.time - t.words[i].start)).toBeLessThanOrEqual(0.005 + 1e-9));
    for (const l of lines.filter((x) => x.words.length > 0)) {
      expect(l.words[0].time).toBe(l.time);
      const ts = l.words.map((w) => w.time);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    }
  });

  it('is empty apart from headers for an empty transcript', () => {
    const out = renderLrc({ language: null, source: 'transcribed', words: [], lines: [] });
    expect(parseLrc(out).lines).toEqual([]);
  });
});
