import { describe, expect, it } from 'vitest';
import { fittedSize, renderAss } from '../../../src/exports/ass.js';
import { fixtureTranscript } from './fixture.js';
import { buildLines, type TimedWord, type Transcript } from '../../../src/engines/transcription/timeline.js';

function parseAss(text: string) {
  const sections = new Map<string, string[]>();
  let cur = '';
  for (const row of text.split('\n')) {
    const h = /^\[(.+)\]$/.exec(row);
    if (h) sections.set((cur = h[1]), []);
    else if (row.trim() !== '') sections.get(cur)?.push(row);
  }
  const events = sections.get('Events') ?? [];
  const fields = events[0].replace(/^Format:\s*/, '').split(/,\s*/);
  const toS = (t: string) => {
    const [h, m, s] = t.split(':');
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
  };
  const dialogues = events.slice(1).map((row) => {
    const parts = row.replace(/^Dialogue:\s*/, '').split(',');
    const text = parts.slice(fields.length - 1).join(',');
    const k = [...text.matchAll(/\{\\k(f?)(\d+)\}([^{]*)/g)].map((m) => ({
      sweep: m[1] === 'f',
      cs: Number(m[2]),
      word: m[3].trim(),
    }));
    return {
      start: toS(parts[fields.indexOf('Start')]),
      end: toS(parts[fields.indexOf('End')]),
      style: parts[fields.indexOf('Style')],
      k,
    };
  });
  return { sections, fields, dialogues };
}

/** Four lines sung back to back, a rest, then two more. */
function songTranscript(): Transcript {
  const w = (word: string, start: number, end: number, line: number): TimedWord => ({
    word,
    start,
    end,
    confidence: 0.9,
    line,
    flags: [],
  });
  const words: TimedWord[] = [];
  const starts = [4, 6, 8, 10, 20, 22];
  starts.forEach((s0, line) => {
    words.push(
      w(`a${line}`, s0, s0 + 0.5, line),
      w(`b${line}`, s0 + 0.7, s0 + 1.2, line),
      w(`c${line}`, s0 + 1.3, s0 + 1.8, line),
    );
  });
  return { language: 'en', source: 'aligned', words, lines: buildLines(words) };
}

const beats = Array.from({ length: 60 }, (_, i) => 0.5 * i);
const grid = { beats, downbeats: beats.filter((_, i) => i % 4 === 0) };

describe('ASS karaoke', () => {
  it('is a valid v4+ script whose \\k durations add up to each Dialogue', () => {
    const t = fixtureTranscript();
    const { sections, fields, dialogues } = parseAss(renderAss(t, { title: 'x' }));
    expect([...sections.keys()]).toEqual(['Script Info', 'V4+ Styles', 'Events']);
    expect(sections.get('Script Info')).toContain('ScriptType: v4.00+');
    expect(fields[fields.length - 1]).toBe('Text');
    const lines = dialogues.filter((d) => d.style.startsWith('Row'));
    expect(lines).toHaveLength(t.lines.length);
    lines.forEach((d, i) => {
      const total = d.k.reduce((s, x) => s + x.cs, 0);
      expect(total).toBe(Math.round((d.end - d.start) * 100));
      expect(d.k.filter((x) => x.sweep)).toHaveLength(t.lines[i].wordCount);
      expect(d.start).toBeLessThanOrEqual(t.lines[i].start + 1e-9);
    });
    // Sweep offsets reproduce the word starts and lengths to the centisecond.
    const line0 = lines[0];
    let at = line0.start;
    let j = 0;
    for (const x of line0.k) {
      if (x.sweep) {
        expect(at).toBeCloseTo(t.words[j].start, 2);
        expect(x.cs / 100).toBeCloseTo(t.words[j].end - t.words[j].start, 2);
        j++;
      }
      at += x.cs / 100;
    }
  });

  it('uses karaoke colours: upcoming white, sung in the highlight', () => {
    const { sections } = parseAss(renderAss(fixtureTranscript()));
    const styles = sections.get('V4+ Styles') ?? [];
    const row = styles.find((s) => s.startsWith('Style: Row0'))?.split(',') ?? [];
    expect(row[4]).toBe('&H00FFFFFF'); // SecondaryColour: before the sweep
    expect(row[3]).not.toBe('&H00FFFFFF'); // PrimaryColour: after it
  });

  it('shows the current and the next line, then a new page with count-in dots after a rest', () => {
    const t = songTranscript();
    const { dialogues } = parseAss(renderAss(t, { title: 'Song', artist: 'Band', grid }));
    const rows = dialogues.filter((d) => d.style.startsWith('Row'));
    expect(rows.map((d) => d.style)).toEqual(['Row0', 'Row1', 'Row0', 'Row1', 'Row0', 'Row1']);
    // Line 1 appears when line 0 starts; at any time at most two lines are on screen.
    expect(rows[1].start).toBeCloseTo(t.lines[0].start, 2);
    for (let time = 0; time < 30; time += 0.05) {
      const on = rows.filter((d) => d.start <= time && time < d.end);
      expect(on.length).toBeLessThanOrEqual(2);
      expect(new Set(on.map((d) => d.style)).size).toBe(on.length);
    }
    // After the rest (line 3 ends at 11.8, line 4 starts at 20): a page on a downbeat with 4 count-in beats.
    expect(rows[4].start).toBeLessThan(t.lines[4].start);
    expect(grid.downbeats).toContain(rows[4].start);
    const count = dialogues.filter((d) => d.style === 'CountIn');
    expect(count).toHaveLength(2); // the first page and the one after the rest
    const last = count[count.length - 1];
    expect(last.k).toHaveLength(4);
    expect(last.end).toBeCloseTo(t.lines[4].start, 2);
    expect(last.k.every((x) => x.cs === 50)).toBe(true);
    expect(dialogues.find((d) => d.style === 'Title')?.end).toBeLessThanOrEqual(rows[0].start);
  });

  it('sets a line too long for one row smaller, so it cannot wrap over the other row', () => {
    const long = 'and all the pigeons gather at my feet while the morning comes with coffee and a song'.split(
      ' ',
    );
    const words: TimedWord[] = [
      ...long.map((word, i) => ({
        word,
        start: 4 + i * 0.2,
        end: 4.15 + i * 0.2,
        confidence: 1,
        line: 0,
        flags: [],
      })),
      { word: 'short', start: 8, end: 9, confidence: 1, line: 1, flags: [] },
    ];
    const t: Transcript = { language: 'en', source: 'aligned', words, lines: buildLines(words) };
    const text = renderAss(t, { playResX: 1280, playResY: 720 });
    const size = Number(/^Style: Row0,[^,]+,(\d+),/m.exec(text)?.[1]);
    const rows = text.split('\n').filter((l) => l.startsWith('Dialogue:') && /,Row\d,/.test(l));
    const fs = Number(/\{\\fs(\d+)\}/.exec(rows[0])?.[1]);
    expect(fs).toBeLessThan(size);
    expect(fittedSize(t.lines[0].text, size, 1280 - 120)).toBe(fs);
    // What the estimate would make of the line at that size fits the frame less its margins.
    expect(t.lines[0].text.length * 0.56 * fs).toBeLessThanOrEqual(1280 - 120);
    expect(rows[1]).not.toContain('\\fs');
  });

  it('removes override braces from words', () => {
    const out = renderAss(fixtureTranscript());
    expect(out).toContain('{\\kf');
    expect(out).not.toContain('{out}');
    expect(out).toContain('out');
  });
});
