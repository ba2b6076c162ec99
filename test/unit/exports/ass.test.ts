import { describe, expect, it } from 'vitest';
import { renderAss } from '../../../src/exports/ass.js';
import { fixtureTranscript } from './fixture.js';

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
    const k = [...text.matchAll(/\{\\k(\d+)\}([^{]*)/g)].map((m) => ({
      cs: Number(m[1]),
      word: m[2].trim(),
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

describe('ASS karaoke', () => {
  it('is a valid v4+ script whose \\k durations add up to each line', () => {
    const t = fixtureTranscript();
    const { sections, fields, dialogues } = parseAss(renderAss(t, { title: 'x' }));
    expect([...sections.keys()]).toEqual(['Script Info', 'V4+ Styles', 'Events']);
    expect(sections.get('Script Info')).toContain('ScriptType: v4.00+');
    expect(fields[fields.length - 1]).toBe('Text');
    expect(dialogues).toHaveLength(t.lines.length);
    dialogues.forEach((d, i) => {
      expect(d.style).toBe('Default');
      expect(d.start).toBeCloseTo(t.lines[i].start, 2);
      const total = d.k.reduce((s, x) => s + x.cs, 0);
      expect(total).toBe(Math.round((d.end - d.start) * 100));
      expect(d.k).toHaveLength(t.lines[i].wordCount);
    });
    // Word k-offsets reproduce the word starts to the centisecond.
    const line0 = dialogues[0];
    let at = line0.start;
    line0.k.forEach((x, j) => {
      expect(at).toBeCloseTo(t.words[j].start, 2);
      at += x.cs / 100;
    });
  });

  it('removes override braces from words', () => {
    const out = renderAss(fixtureTranscript());
    expect(out).toContain('{\\k');
    expect(out).not.toContain('{out}');
    expect(out).toContain('out');
  });
});
