import { describe, expect, it } from 'vitest';
import { renderMidi, varLen } from '../../../src/exports/midi.js';
import { renderUltraStar } from '../../../src/exports/ultrastar.js';
import { parseSmf } from '../../helpers/smf.js';
import { parseUltraStar } from '../../helpers/ultrastar.js';

const notes = [
  { start: 1.0, end: 1.25, midi: 62, wordIndex: 0, text: 'the' },
  { start: 1.5, end: 1.75, midi: 62, wordIndex: 1, text: 'ra' },
  { start: 1.75, end: 2.0, midi: 60, wordIndex: 1, text: 'di' },
  { start: 2.0, end: 2.25, midi: 60, wordIndex: 1, text: 'o' },
  { start: 3.5, end: 4.5, midi: 67, wordIndex: 2, text: 'sing' },
  { start: 4.5, end: 4.75, midi: 69, wordIndex: 2, text: '~' },
];
const lineOf = (w: number): number => (w < 2 ? 0 : 1);

describe('vocals.mid', () => {
  it('parses back to the same notes, tempo and lyrics', () => {
    const smf = parseSmf(renderMidi(notes, { tempoBpm: 132, name: 'vocals' }));
    expect(smf.format).toBe(0);
    expect(smf.tracks).toBe(1);
    expect(smf.name).toBe('vocals');
    expect(smf.usPerQuarter).toBe(Math.round(60e6 / 132));
    expect(smf.notes.map((n) => n.pitch)).toEqual(notes.map((n) => n.midi));
    smf.notes.forEach((n, i) => {
      expect(n.on).toBeCloseTo(notes[i].start, 2);
      expect(n.off).toBeCloseTo(notes[i].end, 2);
    });
    expect(smf.lyrics.map((l) => l.text)).toEqual(notes.map((n) => n.text));
  });

  it('writes the time signature when known, with a dotted-quarter click in compound meters', () => {
    expect(parseSmf(renderMidi(notes, { timeSignature: '6/8' })).timeSignature).toEqual({
      num: 6,
      den: 8,
      clocks: 36,
    });
    expect(parseSmf(renderMidi(notes, { timeSignature: '3/4' })).timeSignature).toEqual({
      num: 3,
      den: 4,
      clocks: 24,
    });
    for (const bad of ['unknown', '7/5', '0/4', '4/4/4', undefined])
      expect(parseSmf(renderMidi(notes, { timeSignature: bad })).timeSignature).toBeUndefined();
  });

  it('keeps back-to-back repeats of one pitch apart and survives an empty song', () => {
    const smf = parseSmf(
      renderMidi([
        { start: 0, end: 0.5, midi: 60 },
        { start: 0.5, end: 1, midi: 60 },
      ]),
    );
    expect(smf.notes).toHaveLength(2);
    expect(parseSmf(renderMidi([])).notes).toEqual([]);
  });

  it('writes variable-length quantities as the standard says', () => {
    expect(varLen(0)).toEqual([0]);
    expect(varLen(0x7f)).toEqual([0x7f]);
    expect(varLen(0x80)).toEqual([0x81, 0x00]);
    expect(varLen(0x0fffffff)).toEqual([0xff, 0xff, 0xff, 0x7f]);
  });
});

describe('ultrastar.txt', () => {
  it('follows the format rules and keeps the timing on the song grid', () => {
    const text = renderUltraStar(notes, lineOf, {
      title: 'My\nSong',
      artist: 'Me',
      mp3: 'instrumental.wav',
      tempoBpm: 120,
      firstBeat: 0.5,
    });
    const us = parseUltraStar(text);
    expect(us.headers.TITLE).toBe('My Song');
    expect(us.bpm).toBe(120);
    expect(us.gapMs).toBe(500);
    expect(us.notes).toHaveLength(notes.length);
    expect(us.breaks).toHaveLength(1);
    us.notes.forEach((n, i) => {
      expect(n.pitch).toBe(notes[i].midi - 60);
      expect(us.gapMs / 1000 + n.start * us.beatS).toBeCloseTo(notes[i].start, 6);
      expect(us.gapMs / 1000 + (n.start + n.length) * us.beatS).toBeCloseTo(notes[i].end, 6);
    });
    // Words end with a space; syllables inside a word do not.
    expect(us.notes.map((n) => n.text)).toEqual(['the ', 'ra', 'di', 'o ', 'sing', '~ ']);
  });

  it('starts beat 0 at or before the first note and works without a tempo', () => {
    const late = renderUltraStar(notes, lineOf, {
      title: 't',
      artist: 'a',
      mp3: 'm',
      tempoBpm: 100,
      firstBeat: 2.9,
    });
    const us = parseUltraStar(late);
    expect(us.gapMs / 1000).toBeLessThanOrEqual(1.0);
    expect(us.notes[0].start).toBeGreaterThanOrEqual(0);
    const free = parseUltraStar(renderUltraStar(notes, lineOf, { title: 't', artist: 'a', mp3: 'm' }));
    expect(free.bpm).toBe(300);
    expect(free.gapMs).toBe(1000);
  });

  it('the checker rejects broken files', () => {
    expect(() => parseUltraStar('#TITLE:x\n#ARTIST:y\n#MP3:z\n#BPM:120\n: 0 2 0 a\n: 1 2 0 b\nE\n')).toThrow(
      /overlaps/,
    );
    expect(() => parseUltraStar('#TITLE:x\n#ARTIST:y\n#MP3:z\n#BPM:120\n: 0 2 0 a\n')).toThrow(/no E/);
    expect(() => parseUltraStar('#TITLE:x\n#ARTIST:y\n#BPM:120\n: 0 2 0 a\nE\n')).toThrow(/MP3/);
  });
});
