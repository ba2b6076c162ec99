import FFT from 'fft.js';
import { decimate } from '../pitch/decimate.js';
import { hzToMidi } from '../pitch/track.js';

/**
 * Key and mode from a chroma vector: the song's spectrum folded onto the 12 pitch classes
 * (log-magnitude peaks, 55 Hz – 2 kHz, spectrally whitened so drums and bass do not dominate),
 * correlated with the 24 rotations of a major and a minor key profile. The confidence is the
 * margin of the best correlation over the best rival that is not its relative key (which
 * shares the notes), scaled to 0..1.
 */
export interface KeyEstimate {
  tonic: string;
  mode: 'major' | 'minor';
  /** "G major", "E minor". */
  name: string;
  confidence: number;
  /** Correlation of the chroma with the chosen key's profile. */
  correlation: number;
}

export const PITCH_CLASSES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/** Temperley's (2007) corpus profiles: they separate relative keys better than Krumhansl's. */
const MAJOR = [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4];
const MINOR = [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33];

const MIN_ANALYSIS_RATE = 8000;
const FFT_SECONDS = 0.37;
const FMIN = 55;
const FMAX = 2000;
/** The bass register: its strongest pitch class is most often the tonic. */
const BASS_FMIN = 35;
const BASS_FMAX = 180;
/** The song is also judged in this many parts; the confidence counts those that agree. */
const PARTS = 3;
/** Share of the confidence from the whole song's margin (the rest: the parts' agreement). */
const MARGIN_SHARE = 0.5;
/** Weight of the bass's tonic cue against the profile correlation (tuned on key-dev + sung dev). */
const BASS_WEIGHT = 0.5;
/** A margin of this much correlation counts as a sure key. */
const CONFIDENT_MARGIN = 0.3;
/** Bins within this many bins on each side set the local floor subtracted from a peak. */
const WHITEN_HALF = 12;

export function estimateKey(mono: Float32Array, sampleRate: number): KeyEstimate | undefined {
  const chroma = chromaOf(mono, sampleRate);
  if (!chroma) return undefined;
  const whole = keyFromChroma(chroma, chromaOf(mono, sampleRate, BASS_FMIN, BASS_FMAX));
  if (!whole) return undefined;
  // The same estimate on each third of the song: a key that holds throughout is a sure one.
  let agree = 0;
  const len = Math.floor(mono.length / PARTS);
  for (let p = 0; p < PARTS; p++) {
    const part = mono.subarray(p * len, (p + 1) * len);
    const c = chromaOf(part, sampleRate);
    const k = c && keyFromChroma(c, chromaOf(part, sampleRate, BASS_FMIN, BASS_FMAX));
    if (k?.name === whole.name) agree++;
  }
  const confidence = MARGIN_SHARE * whole.confidence + ((1 - MARGIN_SHARE) * agree) / PARTS;
  return { ...whole, confidence: Math.round(confidence * 1000) / 1000 };
}

export function keyFromChroma(chroma: ArrayLike<number>, bass?: ArrayLike<number>): KeyEstimate | undefined {
  let total = 0;
  for (let i = 0; i < 12; i++) total += chroma[i];
  if (!(total > 0)) return undefined;
  const scores: { tonic: number; mode: 'major' | 'minor'; r: number }[] = [];
  // The bass's strongest pitch class, as a fraction of the strongest: most often the tonic.
  let bmax = 0;
  if (bass) for (let i = 0; i < 12; i++) bmax = Math.max(bmax, bass[i]);
  const bassAt = (t: number): number => (bass && bmax > 0 ? bass[t] / bmax : 0);
  for (let tonic = 0; tonic < 12; tonic++) {
    scores.push({ tonic, mode: 'major', r: correlate(chroma, MAJOR, tonic) + BASS_WEIGHT * bassAt(tonic) });
    scores.push({ tonic, mode: 'minor', r: correlate(chroma, MINOR, tonic) + BASS_WEIGHT * bassAt(tonic) });
  }
  scores.sort((a, b) => b.r - a.r);
  const best = scores[0];
  // Every rival counts: the relative key (same notes), the parallel key (same tonic) and the rest.
  const margin = best.r - scores[1].r;
  const tonic = PITCH_CLASSES[best.tonic];
  return {
    tonic,
    mode: best.mode,
    name: `${tonic} ${best.mode}`,
    confidence: Math.round(Math.max(0, Math.min(1, margin / CONFIDENT_MARGIN)) * 1000) / 1000,
    correlation:
      Math.round(correlate(chroma, best.mode === 'major' ? MAJOR : MINOR, best.tonic) * 1000) / 1000,
  };
}

/** Summed, whitened pitch-class energy of the whole signal; undefined for silence. */
export function chromaOf(
  mono: Float32Array,
  sampleRate: number,
  fmin = FMIN,
  fmax = FMAX,
): Float64Array | undefined {
  const factor = Math.max(1, Math.floor(sampleRate / MIN_ANALYSIS_RATE));
  const rate = sampleRate / factor;
  const x = decimate(mono, factor);
  let n = 1;
  while (n < FFT_SECONDS * rate) n <<= 1;
  if (x.length < n) return undefined;
  const fft = new FFT(n);
  const frame = new Float64Array(n);
  const spec = fft.createComplexArray() as number[];
  const mag = new Float64Array(n / 2);
  const window = new Float64Array(n);
  for (let i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  const lo = Math.max(1, Math.floor((fmin * n) / rate));
  const hi = Math.min(n / 2 - 2, Math.ceil((fmax * n) / rate));
  const binClass = new Int8Array(n / 2).fill(-1);
  for (let k = lo; k <= hi; k++) {
    const midi = hzToMidi((k * rate) / n);
    binClass[k] = ((Math.round(midi) % 12) + 12) % 12;
  }
  const chroma = new Float64Array(12);
  const hop = n / 2;
  for (let start = 0; start + n <= x.length; start += hop) {
    for (let i = 0; i < n; i++) frame[i] = x[start + i] * window[i];
    fft.realTransform(spec, frame);
    for (let k = lo - WHITEN_HALF; k <= hi + WHITEN_HALF; k++) {
      if (k < 0 || k >= n / 2) continue;
      mag[k] = Math.log1p(1000 * Math.hypot(spec[2 * k], spec[2 * k + 1]));
    }
    for (let k = lo; k <= hi; k++) {
      // Peaks only, above the local mean: tonal partials, not the drums' broadband floor.
      if (!(mag[k] > mag[k - 1] && mag[k] >= mag[k + 1])) continue;
      let floor = 0;
      let cnt = 0;
      for (let j = Math.max(0, k - WHITEN_HALF); j <= Math.min(n / 2 - 1, k + WHITEN_HALF); j++) {
        floor += mag[j];
        cnt++;
      }
      const v = mag[k] - floor / cnt;
      if (v > 0) chroma[binClass[k]] += v;
    }
  }
  let total = 0;
  for (const v of chroma) total += v;
  return total > 0 ? chroma : undefined;
}

function correlate(chroma: ArrayLike<number>, profile: readonly number[], tonic: number): number {
  let mx = 0;
  let mp = 0;
  for (let i = 0; i < 12; i++) {
    mx += chroma[i];
    mp += profile[i];
  }
  mx /= 12;
  mp /= 12;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < 12; i++) {
    const a = chroma[(i + tonic) % 12] - mx;
    const b = profile[i] - mp;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
