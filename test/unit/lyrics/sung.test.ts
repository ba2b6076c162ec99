import { describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { analyzeVocals, heldNoteShare } from '../../../src/engines/transcription/analysis.js';
import { alignLyrics } from '../../../src/engines/transcription/lyrics-aligner.js';
import { countSyllables } from '../../../src/engines/transcription/lyrics-text.js';
import { pronounce } from '../../../src/engines/transcription/pronounce.js';
import { alignSung } from '../../../src/engines/transcription/sung-aligner.js';
import { timingQa } from '../../../src/engines/transcription/qa.js';

const SR = 16000;

/**
 * Legato singing: one phase-continuous harmonic note per syllable, the syllables of a word
 * joined with only a pitch change between them, a 40 ms dip between words, the line's last
 * note held. Returns the audio and the true word starts.
 */
function singLines(lines: { word: string; notes: number[]; beats: number }[][], beatS = 0.3, noteTailS = 0) {
  const starts: number[] = [];
  const segs: { t0: number; t1: number; midi: number; wordStart: boolean }[] = [];
  let t = 0.8;
  for (const line of lines) {
    for (const [wi, w] of line.entries()) {
      starts.push(t);
      const last = wi === line.length - 1;
      const per = ((last ? 4 : 1) * w.beats * beatS) / w.notes.length;
      w.notes.forEach((midi, k) => {
        // noteTailS: the note's sound stops this long before its slot ends (a decayed tail).
        const tail = last && k === w.notes.length - 1 ? 0 : noteTailS;
        segs.push({ t0: t, t1: t + per - tail, midi, wordStart: k === 0 });
        t += per;
      });
      t += 0.04;
    }
    t += 0.8;
  }
  const x = new Float32Array(Math.ceil((t + 0.5) * SR));
  let phase = 0;
  for (const s of segs) {
    const f0 = 440 * 2 ** ((s.midi - 69) / 12);
    const i0 = Math.round(s.t0 * SR);
    const i1 = Math.round(s.t1 * SR);
    for (let i = i0; i < i1; i++) {
      phase += (2 * Math.PI * f0) / SR;
      const fromStart = (i - i0) / SR;
      const env = s.wordStart ? Math.min(1, fromStart / 0.02) : 1;
      const toEnd = Math.min(1, (i1 - i) / SR / 0.01);
      let v = 0;
      for (let h = 1; h <= 6; h++) v += Math.sin(h * phase) / h;
      x[i] = 0.2 * env * toEnd * v;
    }
  }
  const audio: PcmAudio = { sampleRate: SR, channels: [x] };
  return { audio, starts };
}

const LINES = [
  [
    { word: 'the', notes: [62], beats: 1 },
    { word: 'radio', notes: [62, 60, 55], beats: 3 },
    { word: 'is', notes: [57], beats: 1 },
    { word: 'playing', notes: [59, 62], beats: 2 },
    { word: 'our', notes: [57, 55], beats: 2 },
    { word: 'song', notes: [62], beats: 1 },
  ],
  [
    { word: 'we', notes: [60], beats: 1 },
    { word: 'drive', notes: [59], beats: 1 },
    { word: 'until', notes: [55, 54], beats: 2 },
    { word: 'the', notes: [59], beats: 1 },
    { word: 'road', notes: [57], beats: 1 },
    { word: 'runs', notes: [55], beats: 1 },
    { word: 'out', notes: [60], beats: 1 },
  ],
];
const LYRICS = LINES.map((l) => l.map((w) => w.word).join(' ')).join('\n');

describe('sung alignment', () => {
  it('detects singing and places legato words and held notes', () => {
    const { audio, starts } = singLines(LINES);
    const analysis = analyzeVocals(audio);
    expect(analysis.style).toBe('sung');
    const t = alignLyrics(analysis, LYRICS);
    const errs = t.words.map((w, i) => Math.abs(w.start - starts[i]) * 1000);
    const mae = errs.reduce((a, b) => a + b, 0) / errs.length;
    expect(mae).toBeLessThan(60);
    expect(Math.max(...errs)).toBeLessThan(200);
    // The held "song" is one word: "we" (next line) starts after it, not inside it.
    expect(t.words[6].start).toBeGreaterThan(starts[6] - 0.2);
    expect(t.words.every((w) => w.confidence >= 0 && w.confidence <= 1)).toBe(true);
  });

  it('uses the beat grid when it is given and stays on the notes', () => {
    const { audio, starts } = singLines(LINES);
    const beats = Array.from({ length: 60 }, (_, k) => 0.8 + k * 0.3);
    const t = alignLyrics(analyzeVocals(audio), LYRICS, { beats });
    const errs = t.words.map((w, i) => Math.abs(w.start - starts[i]) * 1000);
    expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeLessThan(60);
  });

  it('keeps a word whole when its notes die away before the next syllable (no note-late run)', () => {
    // Every note fades out 200 ms before its slot ends, inside words as between them: the
    // silences alone do not tell syllable from word boundaries, the lyrics' syllables do.
    // (Before syllables could leave such a gap, "radio" to "until" ran a note off, 250–390 ms.)
    const { audio, starts } = singLines(LINES, 0.3, 0.2);
    const t = alignLyrics(analyzeVocals(audio), LYRICS);
    const errs = t.words.map((w, i) => Math.abs(w.start - starts[i]) * 1000);
    expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeLessThan(60);
    expect(Math.max(...errs)).toBeLessThan(150);
  });

  it('flags lines with no voice as low confidence and keeps them', () => {
    const { audio } = singLines(LINES);
    const t = alignLyrics(analyzeVocals(audio, { style: 'sung' }), `${LYRICS}\nand then a line nobody sings`);
    expect(t.lines).toHaveLength(3);
    expect(t.lines[2].lowConfidence).toBe(true);
    // Lyrics that do not fit the singing shake the whole placement: the song's QA must say so.
    expect(timingQa(t, undefined).mean_confidence).toBeLessThan(0.6);
  });
});

describe('sung word confidence: the alignment margin', () => {
  it('doubts a word that could start anywhere on a held note, not the words the audio pins', () => {
    const { audio, starts } = singLines(LINES);
    const analysis = analyzeVocals(audio);
    const cues = analysis.cues;
    if (!cues) throw new Error('no sung cues');
    const parsed = (text: string) => {
      const tokens = text.split(/\s+/);
      return tokens.map((w, i) => ({
        syllables: countSyllables(w),
        lineStart: i === 0 || i === 6,
        lineEnd: i === 5 || i === tokens.length - 1,
      }));
    };
    const sung = alignSung(
      parsed(
        LINES.flat()
          .map((w) => w.word)
          .join(' '),
      ),
      analysis.features,
      analysis.activity,
      cues,
    );
    // Sung as written: every word start is pinned (no other placement > 300 ms away comes close).
    const margins = sung.map((p) => p.evidence.margin);
    expect(Math.min(...margins)).toBeGreaterThan(2);
    // "out" twice on the one held note: where the second starts, the audio cannot say.
    const doubled = alignSung(
      parsed(
        `${LINES.flat()
          .map((w) => w.word)
          .join(' ')} out`,
      ),
      analysis.features,
      analysis.activity,
      cues,
    );
    const last = doubled[doubled.length - 1];
    expect(last.evidence.margin).toBeLessThan(1.5);
    expect(last.confidence).toBeLessThan(0.6);
    // The first line, sung as written, keeps its placement and its confidence.
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(doubled[i].start - starts[i])).toBeLessThan(0.2);
      expect(doubled[i].confidence).toBeGreaterThan(0.6);
    }
  });
});

describe('held-note share (style detection)', () => {
  it('is high for steady notes and low for gliding speech-like pitch', () => {
    const steady = new Float32Array(200).fill(220);
    const glide = Float32Array.from({ length: 200 }, (_, i) => 150 * 2 ** ((i % 20) / 12 / 4));
    expect(heldNoteShare(steady, 0.01)).toBeGreaterThan(0.9);
    expect(heldNoteShare(glide, 0.01)).toBeLessThan(0.1);
    expect(heldNoteShare(new Float32Array(50), 0.01)).toBe(0);
  });
});

describe('pronouncing dictionary', () => {
  it('gives syllables and the first sound, and falls back to spelling for unknown words', () => {
    expect(pronounce('radio')).toMatchObject({ syllables: 3, onset: 'liquid' });
    expect(pronounce('song')?.onset).toBe('fricative');
    expect(pronounce('dont')?.syllables).toBe(1);
    expect(pronounce('zzqxv')).toBeUndefined();
    expect(countSyllables('our')).toBe(2);
    expect(countSyllables('flumbergasting')).toBeGreaterThanOrEqual(3);
    expect(pronounce('constructor')?.phones[0]).toBe('K');
  });
});
