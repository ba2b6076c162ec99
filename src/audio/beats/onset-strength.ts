import FFT from 'fft.js';

/**
 * Onset strength from a log-mel spectral flux (Böck & Widmer's "SuperFlux" family, without
 * the vibrato max-filter): the signal is box-car decimated to about 11 kHz, framed at ~100 fps,
 * and every mel band contributes the rectified rise of its log magnitude.
 *
 * Decimating first keeps the FFT small (256 points) so that a 3-minute song costs tens of
 * milliseconds; the box-car's aliasing folds hi-hat energy down instead of dropping it, which is
 * what an onset detector wants.
 */
export const ANALYSIS_RATE = 11025;
export const FRAME_RATE = 100;
const WINDOW_SECONDS = 0.023;
const MEL_BANDS = 24;
const MEL_FMIN = 30;
const MEL_FMAX = 5000;
/** Bands whose centre is below this carry the kick and the bass (used for meter). */
const LOW_BAND_MAX_HZ = 200;
/** Bands centred from LOW_BAND_MAX_HZ up to this carry a snare's body (and little of the hats). */
const BODY_BAND_MAX_HZ = 550;
/** Frames between the two spectra whose difference is the flux (~20 ms). */
const FLUX_LAG = 2;
/**
 * The flux of frame t compares it with frame t − FLUX_LAG, so it rises over that span: the attack
 * it reports lies half-way, FLUX_DELAY frames before t. Times read from the flux subtract it
 * (without this, every beat and onset came out about 10 ms late).
 */
export const FLUX_DELAY = FLUX_LAG / 2;
/** log(1 + γ·mag): compresses loud and soft passages alike so a fade-in still has onsets. */
const LOG_GAMMA = 100;

export interface OnsetStrength {
  /** Frames per second of every envelope below. */
  frameRate: number;
  /** Sum over all bands of the rectified log-mel flux, one value per frame. */
  odf: Float32Array;
  /** Same flux over the low bands only (kick, bass). */
  low: Float32Array;
  /** Same flux over the bands just above them (200–550 Hz: a snare's body, little of the hats). */
  body: Float32Array;
  /** Flux weighted towards the high bands (percussive attacks), for onset picking. */
  high: Float32Array;
  /** Log-mel spectrogram, frame-major (frames × bands), for timbre/harmony change. */
  logMel: Float32Array;
  bands: number;
  /** Mean absolute level of each frame (silence detection). */
  rms: Float32Array;
  /** The decimated mono signal the envelopes were computed from, and its rate (harmony per beat). */
  signal: Float32Array;
  rate: number;
}

/**
 * Box-car decimation by an integer factor of the average of the channels (a new array): mixing
 * down and decimating in one pass avoids a full-rate mono copy of the song.
 */
export function decimate(channels: Float32Array | readonly Float32Array[], factor: number): Float32Array {
  const chs = channels instanceof Float32Array ? [channels] : channels;
  const len = chs.length > 0 ? chs[0].length : 0;
  const f = Math.max(1, factor);
  const n = Math.floor(len / f);
  const out = new Float32Array(n);
  if (chs.length === 0) return out;
  const inv = 1 / (f * chs.length);
  if (f === 4 && chs.length === 2) {
    // Stereo at 44.1/48 kHz, the common case: one pass over both channels.
    const [l, r] = chs;
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      out[i] = (l[j] + l[j + 1] + l[j + 2] + l[j + 3] + r[j] + r[j + 1] + r[j + 2] + r[j + 3]) * inv;
    }
    return out;
  }
  for (const x of chs) {
    if (f === 4) {
      // The common case (44.1/48 kHz), unrolled.
      for (let i = 0, j = 0; i < n; i++, j += 4) out[i] += x[j] + x[j + 1] + x[j + 2] + x[j + 3];
    } else {
      for (let i = 0, j = 0; i < n; i++) {
        let acc = 0;
        for (let k = 0; k < f; k++, j++) acc += x[j];
        out[i] += acc;
      }
    }
  }
  for (let i = 0; i < n; i++) out[i] *= inv;
  return out;
}

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/** Triangular mel filters as [firstBin, weights] per band; every band covers at least one bin. */
function melFilters(
  nfft: number,
  rate: number,
): { first: Int32Array; weights: Float32Array[]; centres: Float32Array } {
  const bins = nfft / 2 + 1;
  const binHz = rate / nfft;
  const fmax = Math.min(MEL_FMAX, rate / 2);
  const m0 = hzToMel(MEL_FMIN);
  const m1 = hzToMel(fmax);
  const edges = new Float64Array(MEL_BANDS + 2);
  for (let i = 0; i < edges.length; i++) edges[i] = melToHz(m0 + ((m1 - m0) * i) / (MEL_BANDS + 1));
  const first = new Int32Array(MEL_BANDS);
  const weights: Float32Array[] = [];
  const centres = new Float32Array(MEL_BANDS);
  for (let b = 0; b < MEL_BANDS; b++) {
    const lo = edges[b];
    const c = edges[b + 1];
    const hi = edges[b + 2];
    centres[b] = c;
    let k0 = Math.max(0, Math.ceil(lo / binHz));
    let k1 = Math.min(bins - 1, Math.floor(hi / binHz));
    if (k1 < k0) k0 = k1 = Math.min(bins - 1, Math.round(c / binHz));
    const w = new Float32Array(k1 - k0 + 1);
    for (let k = k0; k <= k1; k++) {
      const f = k * binHz;
      w[k - k0] = f <= c ? (f - lo) / Math.max(c - lo, 1e-9) : (hi - f) / Math.max(hi - c, 1e-9);
      if (!(w[k - k0] > 0)) w[k - k0] = k0 === k1 ? 1 : 0;
    }
    first[b] = k0;
    weights.push(w);
  }
  return { first, weights, centres };
}

/** Copies the windowed frame starting at `start` (zero outside x); returns the frame's RMS. */
function windowed(x: Float32Array, start: number, window: Float64Array, frame: Float64Array): number {
  const nfft = frame.length;
  let energy = 0;
  if (start >= 0 && start + nfft <= x.length) {
    for (let i = 0; i < nfft; i++) {
      const v = x[start + i];
      energy += v * v;
      frame[i] = v * window[i];
    }
  } else {
    for (let i = 0; i < nfft; i++) {
      const j = start + i;
      const v = j >= 0 && j < x.length ? x[j] : 0;
      energy += v * v;
      frame[i] = v * window[i];
    }
  }
  return Math.sqrt(energy / nfft);
}

function magnitudes(spec: Float64Array, mag: Float64Array, scale: number): void {
  for (let k = 0; k < mag.length; k++) {
    const re = spec[2 * k];
    const im = spec[2 * k + 1];
    mag[k] = Math.sqrt(re * re + im * im) * scale;
  }
}

function melRow(
  mag: Float64Array,
  first: Int32Array,
  weights: Float32Array[],
  out: Float32Array,
  row: number,
): void {
  for (let b = 0; b < weights.length; b++) {
    const w = weights[b];
    const k0 = first[b];
    let acc = 0;
    for (let k = 0; k < w.length; k++) acc += w[k] * mag[k0 + k];
    out[row + b] = Math.log1p(LOG_GAMMA * acc);
  }
}

/** Analysis parameters for a mono signal at `sampleRate`. */
export function analysisGeometry(sampleRate: number): {
  factor: number;
  rate: number;
  hop: number;
  nfft: number;
} {
  const factor = Math.max(1, Math.floor(sampleRate / ANALYSIS_RATE));
  const rate = sampleRate / factor;
  const hop = rate / FRAME_RATE;
  let nfft = 64;
  while (nfft < WINDOW_SECONDS * rate) nfft *= 2;
  return { factor, rate, hop, nfft };
}

/** Onset strength of a mono signal, or of the mix of several channels (averaged). */
export function onsetStrength(
  audio: Float32Array | readonly Float32Array[],
  sampleRate: number,
): OnsetStrength {
  const { factor, rate, hop, nfft } = analysisGeometry(sampleRate);
  const x = decimate(audio, factor);
  const frames = Math.max(0, Math.floor(x.length / hop) + 1);
  const { first, weights, centres } = melFilters(nfft, rate);
  let lowBands = 0;
  while (lowBands < MEL_BANDS && centres[lowBands] < LOW_BAND_MAX_HZ) lowBands++;
  lowBands = Math.max(1, lowBands);
  let bodyBands = lowBands;
  while (bodyBands < MEL_BANDS && centres[bodyBands] < BODY_BAND_MAX_HZ) bodyBands++;

  const fft = new FFT(nfft);
  const window = new Float64Array(nfft);
  let wsum = 0;
  for (let i = 0; i < nfft; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nfft);
    wsum += window[i];
  }
  const scale = 2 / wsum;
  const frame = new Float64Array(nfft);
  // fft.js writes interleaved re/im into any indexable array; a typed one keeps it monomorphic.
  const spec = new Float64Array(2 * nfft);
  const mag = new Float64Array(nfft / 2 + 1);
  const logMel = new Float32Array(frames * MEL_BANDS);
  const rms = new Float32Array(frames);
  const half = nfft / 2;

  for (let t = 0; t < frames; t++) {
    // Frames are centred on t·hop so that frame times need no offset.
    rms[t] = windowed(x, Math.round(t * hop) - half, window, frame);
    fft.realTransform(spec, frame);
    magnitudes(spec, mag, scale);
    melRow(mag, first, weights, logMel, t * MEL_BANDS);
  }

  const odf = new Float32Array(frames);
  const low = new Float32Array(frames);
  const high = new Float32Array(frames);
  const body = new Float32Array(frames);
  for (let t = FLUX_LAG; t < frames; t++) {
    const row = t * MEL_BANDS;
    const prev = (t - FLUX_LAG) * MEL_BANDS;
    let all = 0;
    let hi = 0;
    let lo = 0;
    let bo = 0;
    for (let b = 0; b < MEL_BANDS; b++) {
      const d = logMel[row + b] - logMel[prev + b];
      if (d > 0) {
        all += d;
        hi += d * (b + 1);
        if (b < lowBands) lo += d;
        else if (b < bodyBands) bo += d;
      }
    }
    odf[t] = all;
    high[t] = hi / MEL_BANDS;
    low[t] = lo;
    body[t] = bo;
  }
  return { frameRate: rate / hop, odf, low, body, high, logMel, bands: MEL_BANDS, rms, signal: x, rate };
}
