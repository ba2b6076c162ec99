import { describe, expect, it } from 'vitest';
import { trackPitch } from '../../../src/audio/pitch/track.js';
import { frameLevelDb, vocalCues } from '../../../src/audio/pitch/vowel-onsets.js';
import { loadPronunciations, splitSyllables, syllableCount } from '../../../src/engines/notes/syllables.js';
import {
  gridDivisions,
  gridPoints,
  quantizeNotes,
  transcribeNotes,
  type BeatGrid,
} from '../../../src/engines/notes/transcribe-notes.js';
import type { SungNote } from '../../../src/audio/pitch/notes.js';

const snapToGrid = (notes: SungNote[], grid: BeatGrid): SungNote[] =>
  quantizeNotes(notes, grid.beats, gridDivisions(grid.compound));

const SR = 44100;

/** A sung line: each word a list of (midi, seconds) syllable notes, legato inside a word, a short
 * breath (silence) between words. */
function sing(words: { word: string; notes: [number, number][] }[], lead = 0.5) {
  const truth: { word: string; start: number; end: number; notes: { midi: number; start: number }[] }[] = [];
  let t = lead;
  for (const w of words) {
    const start = t;
    const notes = w.notes.map(([midi, s]) => {
      const n = { midi, start: t };
      t += s;
      return n;
    });
    truth.push({ word: w.word, start, end: t, notes });
    t += 0.12;
  }
  const x = new Float32Array(Math.round((t + 0.5) * SR));
  let phase = 0;
  for (const w of truth) {
    const i0 = Math.round(w.start * SR);
    const i1 = Math.round(w.end * SR);
    for (let i = i0; i < i1; i++) {
      const time = i / SR;
      let midi = w.notes[0].midi;
      for (const n of w.notes) if (time >= n.start) midi = n.midi;
      const hz = 440 * Math.pow(2, (midi - 69) / 12) * (1 + 0.004 * Math.sin(2 * Math.PI * 5.5 * time));
      phase += (2 * Math.PI * hz) / SR;
      const env = Math.min(1, (i - i0) / 400, (i1 - i) / 400);
      x[i] = 0.3 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
    }
  }
  return { x, truth };
}

describe('syllables', () => {
  it('counts syllables from the pronouncing dictionary and splits the spelling', async () => {
    const dict = await loadPronunciations();
    expect(syllableCount('radio', dict)).toBe(3);
    expect(syllableCount('the', dict)).toBe(1);
    expect(syllableCount('overhead', dict)).toBe(3);
    expect(syllableCount('zzyzxbloop', dict)).toBeGreaterThanOrEqual(1); // not in the dictionary
    expect(splitSyllables('radio', 3)).toEqual(['ra', 'di', 'o']);
    expect(splitSyllables('playing', 2)).toEqual(['pla', 'ying']);
    expect(splitSyllables('candle', 2).join('')).toBe('candle');
    expect(splitSyllables('nothing', 2)).toEqual(['no', 'thing']);
    expect(splitSyllables('Darling', 2)).toEqual(['Dar', 'ling']);
    expect(splitSyllables('I', 1)).toEqual(['I']);
  });
});

describe('sung notes', () => {
  it('finds one note per syllable with its pitch and onset', async () => {
    const dict = await loadPronunciations();
    const { x, truth } = sing([
      { word: 'the', notes: [[62, 0.25]] },
      {
        word: 'radio',
        notes: [
          [62, 0.27],
          [60, 0.23],
          [55, 0.25],
        ],
      },
      { word: 'is', notes: [[57, 0.2]] },
      {
        word: 'playing',
        notes: [
          [59, 0.27],
          [64, 0.3],
        ],
      },
    ]);
    const notes = transcribeNotes(trackPitch(x, SR), truth, dict);
    const expected = truth.flatMap((w, wi) => w.notes.map((n, si) => ({ ...n, wi, si })));
    expect(notes).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(notes[i].midi).toBe(e.midi);
      expect(Math.abs(notes[i].start - e.start)).toBeLessThan(0.05);
      expect(notes[i].wordIndex).toBe(e.wi);
      expect(notes[i].syllable).toBe(e.si);
    });
    expect(notes.map((n) => n.text)).toEqual(['the', 'ra', 'di', 'o', 'is', 'pla', 'ying']);
    // A word's first note starts where the word does; a later syllable's onset is inferred.
    for (const n of notes) expect(n.confidence).toBeCloseTo(n.syllable === 0 ? 0.92 : 0.72, 2);
  });

  it('gives no notes for a word sung over silence', async () => {
    const notes = transcribeNotes(
      trackPitch(new Float32Array(SR), SR),
      [{ word: 'hello', start: 0.2, end: 0.6 }],
      undefined,
    );
    expect(notes).toEqual([]);
  });

  it('snaps note edges to the 16th grid when close', () => {
    const beats = [1, 1.5, 2, 2.5];
    expect(Array.from(gridPoints(beats)).slice(0, 3)).toEqual([1, 1.125, 1.25]);
    const q = quantizeNotes(
      [
        { start: 1.13, end: 1.49, midi: 60, wordIndex: 0, syllable: 0, text: 'a', confidence: 1 },
        { start: 1.9, end: 2.0, midi: 60, wordIndex: 1, syllable: 0, text: 'b', confidence: 1 },
      ],
      beats,
    );
    expect(q[0].start).toBe(1.125);
    expect(q[0].end).toBe(1.5);
    expect(q[1].start).toBeCloseTo(1.875, 6);
  });

  it('snaps to the 16ths of a dotted-quarter beat in compound meters', () => {
    const beats = [1, 1.6, 2.2];
    expect(Array.from(gridPoints(beats, gridDivisions(true))).slice(0, 4)).toEqual([1, 1.1, 1.2, 1.3]);
    const a = { start: 1.21, end: 1.6, midi: 60, wordIndex: 0, syllable: 0, text: 'a', confidence: 1 };
    // The eighth of 6/8 at 1.2 s: a quarter-beat grid (1.15) would not take it there.
    expect(snapToGrid([a], { beats, compound: true })[0].start).toBeCloseTo(1.2, 6);
    expect(snapToGrid([a], { beats })[0].start).toBe(1.21);
  });
});

describe('syllable onsets at the consonant', () => {
  it('starts a syllable at the level dip of its consonant when the pitch moved on before it', async () => {
    const dict = await loadPronunciations();
    // "carried": first syllable 57 from 0.5 s, the voice already glides to 53 at 0.62 s (as a
    // synthesizer or a singer anticipating the next note does), the "rr" is a 60 ms dip in
    // level at 0.83–0.89 s, and the second syllable sings from 0.89 s.
    const start = 0.5;
    const pitchMove = 0.62;
    const consonant = [0.83, 0.89];
    const end = 1.25;
    const x = new Float32Array(Math.round(1.8 * SR));
    let phase = 0;
    for (let i = Math.round(start * SR); i < Math.round(end * SR); i++) {
      const t = i / SR;
      const midi = t < pitchMove ? 57 : 53;
      phase += (2 * Math.PI * 440 * Math.pow(2, (midi - 69) / 12)) / SR;
      const dip = t >= consonant[0] && t < consonant[1] ? 0.25 : 1;
      const env = Math.min(1, (t - start) / 0.01, (end - t) / 0.01) * dip;
      x[i] = 0.3 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
    }
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const words = [{ word: 'carried', start, end }];
    const level = frameLevelDb(x, SR, track.hop, track.f0.length);
    const withLevel = transcribeNotes(track, words, dict, undefined, { levelDb: level });
    const pitchOnly = transcribeNotes(track, words, dict);
    expect(withLevel.map((n) => n.midi)).toEqual([57, 53]);
    // The second syllable starts at the consonant (within 40 ms of its end), not at the pitch move.
    expect(Math.abs(withLevel[1].start - consonant[1])).toBeLessThan(0.04);
    expect(Math.abs(pitchOnly[1].start - pitchMove)).toBeLessThan(0.04);
  });
});

/** A voice following a pitch contour (MIDI as a function of time) over [start, end). */
function voice(x: Float32Array, start: number, end: number, midiAt: (t: number) => number): void {
  let phase = 0;
  for (let i = Math.round(start * SR); i < Math.round(end * SR); i++) {
    const t = i / SR;
    phase += (2 * Math.PI * 440 * Math.pow(2, (midiAt(t) - 69) / 12)) / SR;
    const env = Math.min(1, (t - start) / 0.01, (end - t) / 0.01);
    x[i] += 0.3 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
  }
}

describe("weak bursts at a word's edges", () => {
  // "fire" on one pitch (52, 0.5–1.5 s), then a short voiced burst after a gap (1.55–1.61 s): the
  // end of the final consonant, weak (−16 dB), or a syllable of its own at the word's level.
  async function fire(burstGain: number) {
    const dict = await loadPronunciations();
    const x = new Float32Array(Math.round(2.2 * SR));
    voice(x, 0.5, 1.5, () => 52);
    const burst = new Float32Array(x.length);
    voice(burst, 1.55, 1.61, () => 52);
    for (let i = 0; i < x.length; i++) x[i] += burstGain * burst[i];
    const track = trackPitch(x, SR, { voicing: 'notes' });
    return transcribeNotes(
      track,
      [{ word: 'fire', start: 0.5, end: 1.61 }],
      dict,
      undefined,
      vocalCues(x, SR, track),
    );
  }

  it('does not start the last syllable at a weak burst after the word has ended', async () => {
    const notes = await fire(0.15);
    expect(notes.map((n) => n.midi)).toEqual([52, 52]);
    expect(notes[1].start).toBeLessThan(1.45);
    expect(notes[1].end).toBeCloseTo(1.61, 2);
  });

  it('takes no pitch from a weak burst before the vowel of a one-syllable word', async () => {
    const dict = await loadPronunciations();
    // "song" slurred 62 → 64 (0.62–1.5 s) after a weak voiced start at 57 (0.5–0.56 s, −16 dB).
    const x = new Float32Array(Math.round(2.1 * SR));
    const burst = new Float32Array(x.length);
    voice(burst, 0.5, 0.56, () => 57);
    for (let i = 0; i < x.length; i++) x[i] = 0.15 * burst[i];
    voice(x, 0.62, 1.5, (t) => (t < 1 ? 62 : 64));
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const words = [{ word: 'song', start: 0.5, end: 1.5 }];
    const notes = transcribeNotes(track, words, dict, undefined, vocalCues(x, SR, track));
    expect(notes.map((n) => n.midi)).toEqual([62, 64]);
    expect(notes[0].start).toBe(0.5);
  });

  it('keeps a burst at the level of the word as its last syllable', async () => {
    const notes = await fire(1);
    expect(notes.map((n) => n.midi)).toEqual([52, 52]);
    expect(Math.abs(notes[1].start - 1.55)).toBeLessThan(0.03);
  });
});

describe('glides and the previous word', () => {
  it('splits a word that glides slowly from its first note to its second', async () => {
    const dict = await loadPronunciations();
    // "alright": 52 for 0.12 s, then a 0.3 s glide down to 50 (too slow for the step detector,
    // which follows a drifting pitch), then 50 held for 1.2 s.
    const x = new Float32Array(Math.round(2.5 * SR));
    const g0 = 0.62;
    const g1 = 0.92;
    voice(x, 0.5, 1.97, (t) => (t < g0 ? 52 : t < g1 ? 52 - (2 * (t - g0)) / (g1 - g0) : 50));
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const level = frameLevelDb(x, SR, track.hop, track.f0.length);
    const notes = transcribeNotes(track, [{ word: 'alright', start: 0.5, end: 1.97 }], dict, undefined, {
      levelDb: level,
    });
    expect(notes.map((n) => n.midi)).toEqual([52, 50]);
    expect(notes[0].start).toBe(0.5);
    // The second syllable starts where the glide crosses halfway (51), not halfway through the word.
    expect(Math.abs(notes[1].start - 0.5 * (g0 + g1))).toBeLessThan(0.08);
  });

  it('does not give a word the tail of the previous word that runs into its span', async () => {
    const dict = await loadPronunciations();
    // "the" (60) rings on 20 ms past the start of "silver"; after a 60 ms unvoiced "s", "silver"
    // sings 59 then 57.
    const x = new Float32Array(Math.round(2 * SR));
    voice(x, 0.3, 0.52, () => 60);
    voice(x, 0.58, 0.8, () => 59);
    voice(x, 0.8, 1.1, () => 57);
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const level = frameLevelDb(x, SR, track.hop, track.f0.length);
    const words = [
      { word: 'the', start: 0.3, end: 0.5 },
      { word: 'silver', start: 0.5, end: 1.1 },
    ];
    const notes = transcribeNotes(track, words, dict, undefined, { levelDb: level });
    const silver = notes.filter((n) => n.wordIndex === 1);
    expect(silver.map((n) => [n.syllable, n.midi])).toEqual([
      [0, 59],
      [1, 57],
    ]);
    expect(Math.abs(silver[1].start - 0.8)).toBeLessThan(0.05);
  });
});

describe('word times from an aligner', () => {
  it('starts a word given too early after the previous note that runs on into it', async () => {
    const dict = await loadPronunciations();
    // Legato: "the" sings 63 until 0.72 s, "winter" 67 then 65. The aligner put "winter" 50 ms
    // early, so its span opens with the last 50 ms of "the".
    const x = new Float32Array(Math.round(2 * SR));
    voice(x, 0.3, 1.4, (t) => (t < 0.72 ? 63 : t < 1.0 ? 67 : 65));
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const level = frameLevelDb(x, SR, track.hop, track.f0.length);
    const words = [
      { word: 'the', start: 0.3, end: 0.67 },
      { word: 'winter', start: 0.67, end: 1.4 },
    ];
    const notes = transcribeNotes(track, words, dict, undefined, { levelDb: level });
    const winter = notes.filter((n) => n.wordIndex === 1);
    expect(winter.map((n) => [n.syllable, n.midi])).toEqual([
      [0, 67],
      [1, 65],
    ]);
    expect(Math.abs(winter[0].start - 0.72)).toBeLessThan(0.04);
    // A word whose first note really repeats the previous pitch keeps its start and pitch.
    const y = new Float32Array(Math.round(2 * SR));
    voice(y, 0.3, 1.4, (t) => (t < 0.72 ? 63 : t < 1.0 ? 63 : 65));
    const t2 = trackPitch(y, SR, { voicing: 'notes' });
    const again = transcribeNotes(
      t2,
      [
        { word: 'the', start: 0.3, end: 0.72 },
        { word: 'winter', start: 0.72, end: 1.4 },
      ],
      dict,
      undefined,
      { levelDb: frameLevelDb(y, SR, t2.hop, t2.f0.length) },
    ).filter((n) => n.wordIndex === 1);
    expect(again.map((n) => [n.syllable, n.midi])).toEqual([
      [0, 63],
      [1, 65],
    ]);
    expect(again[0].start).toBe(0.72);
  });
});

/** A voice over [start, end) whose pitch and timbre follow time: `bright` adds the upper harmonics
 * of a vowel, without it only the fundamental sounds (a nasal or an "l"); the RMS stays the same. */
function timbredVoice(
  x: Float32Array,
  start: number,
  end: number,
  midiAt: (t: number) => number,
  bright: (t: number) => boolean,
): void {
  let phase = 0;
  for (let i = Math.round(start * SR); i < Math.round(end * SR); i++) {
    const t = i / SR;
    phase += (2 * Math.PI * 440 * Math.pow(2, (midiAt(t) - 69) / 12)) / SR;
    const env = Math.min(1, (t - start) / 0.01, (end - t) / 0.01);
    const s = bright(t)
      ? (Math.sin(phase) +
          0.7 * Math.sin(3 * phase) +
          0.6 * Math.sin(5 * phase) +
          0.5 * Math.sin(7 * phase)) /
        1.24
      : Math.sin(phase);
    x[i] += 0.3 * env * s;
  }
}

describe('syllable onsets at the vowel', () => {
  it('starts a syllable at its vowel when a voiced consonant already carries its pitch', async () => {
    const dict = await loadPronunciations();
    // "calling": "cal" on 52 from 0.5 s; at 0.9 s the voice takes 55 on a long "l" (fundamental
    // only, same level: no dip), and the vowel of "ling" (its harmonics) starts at 1.1 s.
    const [start, lStart, vowel, end] = [0.5, 0.9, 1.1, 1.6];
    const x = new Float32Array(Math.round(2.1 * SR));
    timbredVoice(
      x,
      start,
      end,
      (t) => (t < lStart ? 52 : 55),
      (t) => t < lStart || t >= vowel,
    );
    const mono = x;
    const track = trackPitch(mono, SR, { voicing: 'notes' });
    const words = [{ word: 'calling', start, end }];
    const cues = vocalCues(mono, SR, track);
    const notes = transcribeNotes(track, words, dict, undefined, cues);
    expect(notes.map((n) => n.midi)).toEqual([52, 55]);
    expect(Math.abs(notes[1].start - vowel)).toBeLessThan(0.03);
    // The level alone finds no consonant here: the second note starts at the pitch change.
    const levelOnly = transcribeNotes(track, words, dict, undefined, { levelDb: cues.levelDb });
    expect(Math.abs(levelOnly[1].start - lStart)).toBeLessThan(0.04);
  });

  it("takes a word's first pitch from a short opening note when the rest of the syllable moved on", async () => {
    const dict = await loadPronunciations();
    // "remember" as festival sings it: 58 for 50 ms, a short unvoiced gap, then the next
    // syllable's pitch (52) already through the rest of the first syllable; 55 and 57 follow.
    const x = new Float32Array(Math.round(2.6 * SR));
    voice(x, 0.5, 0.55, () => 58);
    voice(x, 0.61, 0.95, () => 52);
    voice(x, 1.03, 1.4, () => 55);
    voice(x, 1.48, 1.9, () => 57);
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const words = [{ word: 'remember', start: 0.5, end: 1.9 }];
    const notes = transcribeNotes(track, words, dict, undefined, vocalCues(x, SR, track));
    expect(notes.map((n) => n.midi)).toEqual([58, 55, 57]);
    expect(notes[0].start).toBe(0.5);
  });
});

describe('syllables on the beat grid', () => {
  // Beats every 0.5 s from 0: the eighths are 0.25 s apart (0.5, 0.75, 1.0, …).
  const grid: BeatGrid = { beats: Array.from({ length: 8 }, (_, k) => 0.5 * k) };

  it("ends a word's first syllable on the first eighth when one steady note holds two syllables", async () => {
    const dict = await loadPronunciations();
    // "fire" on one pitch for 1 s: "fi" one eighth (0.5–0.75 s), "re" held to 1.5 s. Nothing in
    // the voice marks the syllable boundary; without the grid it is put halfway (1.0 s).
    const x = new Float32Array(Math.round(2.2 * SR));
    voice(x, 0.5, 1.5, () => 52);
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const words = [{ word: 'fire', start: 0.5, end: 1.5 }];
    const cues = vocalCues(x, SR, track);
    const onGrid = transcribeNotes(track, words, dict, grid, cues);
    const noGrid = transcribeNotes(track, words, dict, undefined, cues);
    expect(onGrid.map((n) => n.midi)).toEqual([52, 52]);
    expect(onGrid[1].start).toBeCloseTo(0.75, 2);
    expect(Math.abs(noGrid[1].start - 1.0)).toBeLessThan(0.03);
  });

  it('starts a later syllable on the next eighth when its pitch came early and nothing else marks it', async () => {
    const dict = await loadPronunciations();
    // "carried": 57 from 0.5 s, the voice moves to 53 at 0.62 s (a voiced consonant carrying the
    // next note), no dip in level; the second note is on the grid at 0.75 s.
    const x = new Float32Array(Math.round(1.8 * SR));
    voice(x, 0.5, 1.25, (t) => (t < 0.62 ? 57 : 53));
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const words = [{ word: 'carried', start: 0.5, end: 1.25 }];
    const cues = { levelDb: frameLevelDb(x, SR, track.hop, track.f0.length) };
    const onGrid = transcribeNotes(track, words, dict, grid, cues);
    const noGrid = transcribeNotes(track, words, dict, undefined, cues);
    expect(onGrid.map((n) => n.midi)).toEqual([57, 53]);
    expect(onGrid[1].start).toBeCloseTo(0.75, 2);
    expect(Math.abs(noGrid[1].start - 0.62)).toBeLessThan(0.04);
  });

  it('leaves a syllable that starts on an eighth where it is', async () => {
    const dict = await loadPronunciations();
    // The same word with its pitch step on the grid (0.75 s): nothing moves a whole eighth.
    const x = new Float32Array(Math.round(1.8 * SR));
    voice(x, 0.5, 1.25, (t) => (t < 0.75 ? 57 : 53));
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const cues = { levelDb: frameLevelDb(x, SR, track.hop, track.f0.length) };
    const notes = transcribeNotes(track, [{ word: 'carried', start: 0.5, end: 1.25 }], dict, grid, cues);
    expect(notes.map((n) => n.midi)).toEqual([57, 53]);
    expect(Math.abs(notes[1].start - 0.75)).toBeLessThan(0.04);
  });
});

describe("a word's syllables chosen jointly on the grid", () => {
  // Beats every 0.5 s from 0: eighths 0.25 s apart, 16ths 0.125 s apart.
  const grid: BeatGrid = { beats: Array.from({ length: 10 }, (_, k) => 0.5 * k) };

  it('reads a crowded line as sung in 16ths and starts a steady second syllable one 16th in', async () => {
    const dict = await loadPronunciations();
    // "happy family river song", one syllable per 16th except "ver" (three 16ths) and the held
    // "song"; "river" on one pitch, so nothing in the voice marks its second syllable (1.25 s).
    const plan: [string, number, [number, number][]][] = [
      [
        'happy',
        0.5,
        [
          [60, 0.125],
          [62, 0.125],
        ],
      ],
      [
        'family',
        0.75,
        [
          [64, 0.125],
          [62, 0.125],
          [60, 0.125],
        ],
      ],
      [
        'river',
        1.125,
        [
          [57, 0.125],
          [57, 0.375],
        ],
      ],
      ['song', 1.625, [[55, 0.5]]],
    ];
    const x = new Float32Array(Math.round(2.6 * SR));
    const words = plan.map(([word, start, notes]) => {
      const end = start + notes.reduce((s, [, d]) => s + d, 0) - 0.02;
      voice(x, start, end, (t) => {
        let m = notes[0][0];
        let at = start;
        for (const [midi, d] of notes) {
          if (t >= at) m = midi;
          at += d;
        }
        return m;
      });
      return { word, start, end };
    });
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const notes = transcribeNotes(track, words, dict, grid, vocalCues(x, SR, track));
    const river = notes.filter((n) => n.wordIndex === 2);
    expect(river.map((n) => n.midi)).toEqual([57, 57]);
    expect(river[1].start).toBeCloseTo(1.25, 2);
    const family = notes.filter((n) => n.wordIndex === 1);
    expect(family.map((n) => n.midi)).toEqual([64, 62, 60]);
    family.forEach((n, i) => expect(Math.abs(n.start - (0.75 + 0.125 * i))).toBeLessThan(0.04));
  });

  it("keeps a slur inside a long syllable apart from the word's syllable boundary", async () => {
    const dict = await loadPronunciations();
    // "fire": "fi" one eighth on 52 (0.5–0.75 s), "re" three eighths that slur from 52 to 55
    // halfway (1.125 s). The only pitch step is the slur; the syllable boundary is on the grid.
    const x = new Float32Array(Math.round(2.2 * SR));
    voice(x, 0.5, 1.5, (t) => (t < 1.125 ? 52 : 55));
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const notes = transcribeNotes(
      track,
      [{ word: 'fire', start: 0.5, end: 1.5 }],
      dict,
      grid,
      vocalCues(x, SR, track),
    );
    expect(notes.map((n) => n.midi)).toEqual([52, 52, 55]);
    expect(notes.map((n) => n.syllable)).toEqual([0, 1, 1]);
    expect(notes[1].start).toBeCloseTo(0.75, 2);
    expect(Math.abs(notes[2].start - 1.125)).toBeLessThan(0.04);
    expect(notes[2].text).toBe('~');
  });
});
