import { describe, expect, it } from 'vitest';
import { renderSrt } from '../../../src/exports/srt.js';
import { renderVtt } from '../../../src/exports/vtt.js';
import { fixtureTranscript } from './fixture.js';

const hms = (h: string, m: string, s: string, ms: string) =>
  Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;

function parseCues(text: string, sep: ',' | '.') {
  const re = new RegExp(
    `^(\\d\\d):(\\d\\d):(\\d\\d)\\${sep}(\\d{3}) --> (\\d\\d):(\\d\\d):(\\d\\d)\\${sep}(\\d{3})$`,
  );
  const cues: { start: number; end: number; text: string }[] = [];
  const blocks = text.trim().split(/\n\n+/);
  for (const b of blocks) {
    const rows = b.split('\n');
    const i = rows.findIndex((r) => re.test(r));
    if (i < 0) continue;
    const m = re.exec(rows[i])!;
    cues.push({
      start: hms(m[1], m[2], m[3], m[4]),
      end: hms(m[5], m[6], m[7], m[8]),
      text: rows.slice(i + 1).join('\n'),
    });
  }
  return cues;
}

describe('SRT', () => {
  it('has numbered cues, one per line, with ordered non-overlapping times', () => {
    const t = fixtureTranscript();
    const srt = renderSrt(t);
    expect(srt.split('\n\n')[0].split('\n')[0]).toBe('1');
    const cues = parseCues(srt, ',');
    expect(cues.map((c) => c.text)).toEqual(t.lines.map((l) => l.text));
    cues.forEach((c, i) => {
      expect(c.start).toBeCloseTo(t.lines[i].start, 3);
      expect(c.end).toBeGreaterThan(c.start);
      if (i > 0) expect(c.start).toBeGreaterThanOrEqual(cues[i - 1].end);
    });
  });
});

describe('WebVTT', () => {
  it('starts with the signature and has karaoke timestamps strictly inside each cue', () => {
    const t = fixtureTranscript();
    const vtt = renderVtt(t);
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    const cues = parseCues(vtt, '.');
    expect(cues).toHaveLength(t.lines.length);
    for (const c of cues) {
      const stamps = [...c.text.matchAll(/<(\d\d):(\d\d):(\d\d)\.(\d{3})>/g)].map((m) =>
        hms(m[1], m[2], m[3], m[4]),
      );
      for (const s of stamps) {
        expect(s).toBeGreaterThan(c.start);
        expect(s).toBeLessThan(c.end);
      }
      expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    }
    // Markup characters in words are escaped so they are not read as tags.
    expect(vtt).toContain('&lt;calling&gt;');
    const plain = cues.map((c) =>
      c.text
        .replace(/<\d\d:\d\d:\d\d\.\d{3}>/g, '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>'),
    );
    expect(plain).toEqual(t.lines.map((l) => l.text));
  });
});
