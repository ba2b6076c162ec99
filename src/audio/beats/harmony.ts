import FFT from 'fft.js';
import { hzToMidi } from '../pitch/track.js';
import { hannPeriodic } from '../stft.js';

/**
 * Harmony per beat: a chroma (12 pitch classes) of the chords and one of the bass, measured on
 * every span between two tracked beats, and how much each changes across every beat. Chords and
 * bass notes change on bar lines (Goto 2001; Papadopoulos & Peeters 2011; Durand et al. 2015),
 * and unlike the spectral envelope, a chroma hardly moves when only the drums change.
 *
 * One 4096-point FFT per span (0.37 s at 11.025 kHz: 2.7 Hz bins, a semitone from ~45 Hz) on
 * the decimated signal the onset strength was computed from: O(beats), a few milliseconds for a
 * 3-minute song.
 */
const NFFT = 4096;
const BASS_LO_HZ = 35;
const BASS_HI_HZ = 180;
const CHORD_LO_HZ = 180;
const CHORD_HI_HZ = 2000;

export interface BeatHarmony {
  /** Chord chroma change (1 − cosine of the spans before and after) at every beat, 0..1. */
  chord: Float64Array;
  /** Bass chroma change at every beat, 0..1. */
  bass: Float64Array;
}

interface Plan {
  rate: number;
  fft: FFT;
  window: Float64Array;
  frame: Float64Array;
  spec: Float64Array;
  /** Pitch class of every bin in the chroma range, and where it counts (1 bass, 2 chords, 3 both). */
  k0: number;
  pc: Int8Array;
  use: Int8Array;
}
let cached: Plan | undefined;

function plan(rate: number): Plan {
  if (cached?.rate === rate) return cached;
  const window = hannPeriodic(NFFT);
  const binHz = rate / NFFT;
  const k0 = Math.max(1, Math.ceil(BASS_LO_HZ / binHz));
  const k1 = Math.min(NFFT / 2, Math.floor(CHORD_HI_HZ / binHz));
  const pc = new Int8Array(Math.max(0, k1 - k0 + 1));
  const use = new Int8Array(pc.length);
  for (let k = k0; k <= k1; k++) {
    const f = k * binHz;
    pc[k - k0] = ((Math.round(hzToMidi(f)) % 12) + 12) % 12;
    use[k - k0] = (f < BASS_HI_HZ ? 1 : 0) | (f >= CHORD_LO_HZ ? 2 : 0);
  }
  cached = {
    rate,
    fft: new FFT(NFFT),
    window,
    frame: new Float64Array(NFFT),
    spec: new Float64Array(2 * NFFT),
    k0,
    pc,
    use,
  };
  return cached;
}

/** Chroma of the window centred at `centre` (samples) into out[0..11] (chords) and out[12..23] (bass). */
function spanChroma(x: Float32Array, centre: number, rate: number, out: Float64Array): void {
  const { fft, window, frame, spec, k0, pc, use } = plan(rate);
  const start = Math.round(centre) - NFFT / 2;
  for (let i = 0; i < NFFT; i++) {
    const j = start + i;
    frame[i] = j >= 0 && j < x.length ? x[j] * window[i] : 0;
  }
  fft.realTransform(spec, frame);
  out.fill(0);
  for (let b = 0; b < pc.length; b++) {
    const k = k0 + b;
    const re = spec[2 * k];
    const im = spec[2 * k + 1];
    // Square-root magnitude: loud partials count without drowning the others.
    const m = Math.sqrt(Math.sqrt(re * re + im * im));
    if (use[b] & 1) out[12 + pc[b]] += m;
    if (use[b] & 2) out[pc[b]] += m;
  }
}

function cosineChange(a: Float64Array, ia: number, b: Float64Array, ib: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < 12; j++) {
    ab += a[ia + j] * b[ib + j];
    aa += a[ia + j] * a[ia + j];
    bb += b[ib + j] * b[ib + j];
  }
  if (aa <= 0 || bb <= 0) return 0;
  return 1 - ab / Math.sqrt(aa * bb);
}

/**
 * Chord and bass chroma change at every beat. `beats` are frame positions at `frameRate`; `x`
 * is the mono signal at `rate`. The change at beat i compares the span before it with the span
 * after it; the first and the last beat get the mean.
 */
export function beatHarmony(
  x: Float32Array,
  rate: number,
  frameRate: number,
  beats: Float64Array,
): BeatHarmony {
  const k = beats.length;
  const chord = new Float64Array(k);
  const bass = new Float64Array(k);
  if (k < 3 || x.length === 0) return { chord, bass };
  const toSample = rate / frameRate;
  // Span j lies between beat j and beat j + 1.
  const spans = new Float64Array((k - 1) * 24);
  const one = new Float64Array(24);
  for (let j = 0; j < k - 1; j++) {
    spanChroma(x, 0.5 * (beats[j] + beats[j + 1]) * toSample, rate, one);
    spans.set(one, j * 24);
  }
  for (let i = 1; i < k - 1; i++) {
    chord[i] = cosineChange(spans, (i - 1) * 24, spans, i * 24);
    bass[i] = cosineChange(spans, (i - 1) * 24 + 12, spans, i * 24 + 12);
  }
  let mc = 0;
  let mb = 0;
  for (let i = 1; i < k - 1; i++) {
    mc += chord[i];
    mb += bass[i];
  }
  chord[0] = chord[k - 1] = mc / (k - 2);
  bass[0] = bass[k - 1] = mb / (k - 2);
  return { chord, bass };
}
