import FFT from 'fft.js';

/**
 * Frame features of a vocals stem for lyric alignment and voice activity: speech-band
 * energy (dB), an onset strength (band-wise positive spectral flux) and an offset
 * strength (its mirror), on a fixed hop. Pure DSP: typed arrays in, typed arrays out.
 */
export const FEATURE_SAMPLE_RATE = 16000;
export const HOP_S = 0.01;
/** Kept for callers working at 16 kHz. */
export const HOP_SAMPLES = Math.round(HOP_S * FEATURE_SAMPLE_RATE);
const WIN_S = 0.032; // resolves syllable onsets without smearing short gaps
const BAND_LO_HZ = 120; // below this is mostly bass/kick leakage, not voice
const BAND_HI_HZ = 7800;
const FLUX_BANDS = 16;
const FLUX_LAG = 2; // compare with 20 ms earlier: smoother than frame-to-frame
const FLUX_BAND_CLIP_DB = 20; // one band cannot dominate the onset strength
const DB_FLOOR = -120;

export interface VocalFeatures {
  hopS: number;
  /** Speech-band energy per frame in dBFS; frame t is centred on t·hopS seconds. */
  energyDb: Float32Array;
  /** Mean positive band-energy rise (dB) per frame: large where a word or syllable starts. */
  onset: Float32Array;
  /** Mean band-energy fall (dB) per frame: large where a word ends. */
  offset: Float32Array;
}

/**
 * Works at any sample rate (no resampling needed): the hop and the analysis window are set in
 * seconds, the window is zero-padded to a power-of-two FFT, and bands are set in Hz.
 */
export function computeVocalFeatures(mono: Float32Array, sampleRate = FEATURE_SAMPLE_RATE): VocalFeatures {
  if (!(sampleRate >= 2 * BAND_LO_HZ)) throw new RangeError(`unsupported sample rate ${sampleRate}`);
  const hopSamples = HOP_S * sampleRate;
  const winLen = Math.round(WIN_S * sampleRate);
  let fftSize = 2;
  while (fftSize < winLen) fftSize *= 2;
  const n = Math.max(0, Math.ceil(mono.length / hopSamples));
  const energyDb = new Float32Array(n);
  const onset = new Float32Array(n);
  const offset = new Float32Array(n);
  const fft = new FFT(fftSize);
  const frame = new Float64Array(fftSize); // the tail beyond winLen stays zero
  const spec = fft.createComplexArray() as number[];
  const window = hann(winLen);
  const binHz = sampleRate / fftSize;
  const lo = Math.ceil(BAND_LO_HZ / binHz);
  const hi = Math.min(fftSize / 2, Math.floor(Math.min(BAND_HI_HZ, 0.49 * sampleRate) / binHz));
  const edges = logBandEdges(lo, hi, FLUX_BANDS);
  const bandDb = new Float32Array(n * FLUX_BANDS);
  // Window energy normalisation so a full-scale sine reads about 0 dB.
  let wsum = 0;
  for (let i = 0; i < winLen; i++) wsum += window[i];
  // Zero padding adds bins that resample the same spectrum: scale so band sums do not grow with it.
  const norm = (4 / (wsum * wsum)) * (winLen / fftSize);
  for (let t = 0; t < n; t++) {
    const start = Math.round(t * hopSamples - winLen / 2); // frames are centred on t·hop
    for (let i = 0; i < winLen; i++) {
      const j = start + i;
      frame[i] = j >= 0 && j < mono.length ? mono[j] * window[i] : 0;
    }
    fft.realTransform(spec, frame);
    let total = 0;
    for (let b = 0; b < FLUX_BANDS; b++) {
      let e = 0;
      for (let k = edges[b]; k < edges[b + 1]; k++)
        e += spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
      e *= norm;
      total += e;
      bandDb[t * FLUX_BANDS + b] = toDb(e / (edges[b + 1] - edges[b]));
    }
    energyDb[t] = toDb(total);
  }
  for (let t = FLUX_LAG; t < n; t++) {
    let up = 0;
    let down = 0;
    const a = t * FLUX_BANDS;
    const p = (t - FLUX_LAG) * FLUX_BANDS;
    for (let b = 0; b < FLUX_BANDS; b++) {
      const d = bandDb[a + b] - bandDb[p + b];
      if (d > 0) up += Math.min(d, FLUX_BAND_CLIP_DB);
      else down += Math.min(-d, FLUX_BAND_CLIP_DB);
    }
    // The rise shows at the frame where the energy has arrived; attribute it to the lag midpoint.
    onset[t - 1] = up / FLUX_BANDS;
    offset[t - 1] = down / FLUX_BANDS;
  }
  return { hopS: HOP_S, energyDb, onset, offset };
}

function toDb(power: number): number {
  return power > 1e-12 ? 10 * Math.log10(power) : DB_FLOOR;
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** FFT bin edges of `count` log-spaced bands between bins lo and hi (each at least one bin wide). */
function logBandEdges(lo: number, hi: number, count: number): Int32Array {
  const edges = new Int32Array(count + 1);
  const ratio = hi / lo;
  edges[0] = lo;
  for (let b = 1; b <= count; b++) {
    const e = Math.round(lo * Math.pow(ratio, b / count));
    edges[b] = Math.min(hi, Math.max(edges[b - 1] + 1, e));
  }
  return edges;
}
