import type { PcmAudio } from '../../../src/audio/pcm.js';
import { mulberry32 } from '../../../src/audio/random.js';

/**
 * Synthetic "sung" vocals with exact word times: every syllable is a harmonic tone with a
 * fast attack and a decay, words are separated by short gaps, lines by longer rests, and a
 * quiet noisy tail after every syllable stands in for reverb. Deterministic (seeded).
 */
export interface SynthWord {
  text: string;
  syllables: number;
  start: number;
  end: number;
}

export interface SynthOptions {
  sampleRate?: number;
  lead?: number;
  seed?: number;
  /** Seconds per syllable; varied ±20 % per word. */
  syllableS?: number;
  /** Level of a steady noise bed (dBFS), e.g. separation leakage. */
  noiseDb?: number;
  tail?: number;
}

const LINE_REST_S = 1.2;
const TAIL_DB = -24;

export function synthVocals(
  lines: string[][],
  opts: SynthOptions = {},
): { audio: PcmAudio; words: SynthWord[] } {
  const sr = opts.sampleRate ?? 44100;
  const rnd = mulberry32(opts.seed ?? 1);
  const syl = opts.syllableS ?? 0.2;
  const words: SynthWord[] = [];
  let t = opts.lead ?? 1;
  for (const line of lines) {
    for (const text of line) {
      const n = Math.max(1, (text.match(/[aeiouy]+/gi) ?? []).length - (/[^aeiouyl]e$/i.test(text) ? 1 : 0));
      const dur = n * syl * (0.8 + 0.4 * rnd());
      words.push({ text, syllables: n, start: t, end: t + dur });
      t += dur + 0.06 + 0.1 * rnd();
    }
    t += LINE_REST_S;
  }
  const total = t + (opts.tail ?? 1);
  const x = new Float32Array(Math.ceil(total * sr));
  for (const w of words) {
    const sylDur = (w.end - w.start) / w.syllables;
    for (let k = 0; k < w.syllables; k++) {
      const f0 = 150 + 150 * rnd();
      addSyllable(x, sr, w.start + k * sylDur, sylDur, f0, rnd);
    }
  }
  if (opts.noiseDb !== undefined) {
    const g = 10 ** (opts.noiseDb / 20);
    for (let i = 0; i < x.length; i++) x[i] += g * (rnd() * 2 - 1) * Math.sqrt(3);
  }
  return { audio: { sampleRate: sr, channels: [x, x.slice()] }, words };
}

function addSyllable(
  x: Float32Array,
  sr: number,
  start: number,
  dur: number,
  f0: number,
  rnd: () => number,
): void {
  const i0 = Math.round(start * sr);
  const n = Math.round(dur * sr);
  const attack = Math.round(0.01 * sr);
  const amp = 0.1;
  for (let i = 0; i < n && i0 + i < x.length; i++) {
    const env = Math.min(1, i / attack) * Math.exp((-1.5 * i) / n) * Math.min(1, (n - i) / (0.005 * sr));
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin((2 * Math.PI * f0 * h * i) / sr) / h;
    x[i0 + i] += amp * env * s;
  }
  // A decaying noise tail, like a short room reverb, that the word span does not include.
  const tailN = Math.round(0.25 * sr);
  const g = amp * 10 ** (TAIL_DB / 20);
  for (let i = 0; i < tailN && i0 + n + i < x.length; i++)
    x[i0 + n + i] += g * Math.exp((-5 * i) / tailN) * (rnd() * 2 - 1);
}

export { mulberry32 };

export const SAMPLE_LYRICS = [
  ['city', 'lights', 'are', 'calling', 'out', 'my', 'name'],
  ['I', 'walk', 'alone', 'along', 'the', 'river'],
  ['hold', 'on', 'tight', 'we', 'are', 'flying', 'high'],
];
