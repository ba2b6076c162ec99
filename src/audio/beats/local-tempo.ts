/**
 * The local tempo of a song: how the pulse period changes over time, as a ratio to its median.
 *
 * A tempogram (the autocorrelation of the onset strength in overlapping windows) is followed by a
 * Viterbi path over log-period: small changes from one window to the next are cheap (drift,
 * ramps), a larger jump costs a fixed price (a real tempo change at a bar line), and a jump to
 * another metrical level (×2, ×½) is not allowed, so the path stays on one level. Only the
 * ratio curve is used: the level itself is chosen later, on the dewarped onset strength.
 */

/** Analysis window and hop of the tempogram (frames at 100 fps: 6 s every 1 s). */
const WINDOW_S = 6;
const HOP_S = 1;
/**
 * The path follows one pulse level: periods within ×/÷ SPAN of the song's reference periodicity
 * (wide enough for a tempo step either way, narrow enough to exclude the levels ×2 and ×½, and
 * within MIN_BPM..MAX_BPM).
 */
const SPAN = 1.5;
const MIN_BPM = 40;
const MAX_BPM = 240;
/** Cost of a log-period change of one window: penalty = SMOOTH · (Δ log period / 0.01)². */
const SMOOTH = 0.004;
/** Changes larger than this (log) are a jump, priced JUMP_COST whatever their size… */
const JUMP_LOG = 0.035;
const JUMP_COST = 1;
/** …up to this ratio (a tempo step); beyond it (another metrical level) no transition exists. */
const MAX_JUMP_LOG = Math.log(1.45);
/** Weight of the double lag in a lag's score. */
const HARMONIC_WEIGHT = 0.5;
/** Tempo curve within ±STEADY_LOG of its median everywhere: steady (treated as constant). */
export const STEADY_LOG = 0.03;

export interface LocalTempo {
  /** Period ratio to the median at every frame (1 = median tempo; 1.1 = 10 % slower there). */
  ratio: Float64Array;
  /** The ratio stays within ±STEADY_LOG (log) of 1 over the song. */
  steady: boolean;
}

/**
 * Local period ratio per frame of `odf` (frame rate `fr`), following the level of `refPeriod`
 * (frames). The tempogram runs on the onset strength max-pooled by 2 (a quarter of the cost): the
 * curve only guides a first tracking pass, whose beats give the exact warp (`ratioFromBeats`).
 */
export function localTempo(odf: Float32Array, fr: number, refPeriod: number): LocalTempo {
  const half = new Float32Array(odf.length >> 1);
  for (let i = 0; i < half.length; i++) half[i] = Math.max(odf[2 * i], odf[2 * i + 1]);
  const coarse = localTempoAt(half, fr / 2, refPeriod / 2);
  if (coarse.steady) return { ratio: new Float64Array(odf.length).fill(1), steady: true };
  const ratio = new Float64Array(odf.length);
  for (let t = 0; t < ratio.length; t++) ratio[t] = coarse.ratio[Math.min(half.length - 1, t >> 1)];
  return { ratio, steady: false };
}

function localTempoAt(odf: Float32Array, fr: number, refPeriod: number): LocalTempo {
  const n = odf.length;
  const win = Math.round(WINDOW_S * fr);
  const hop = Math.round(HOP_S * fr);
  const lagLo = Math.max(2, Math.floor((60 * fr) / MAX_BPM), Math.floor(refPeriod / SPAN));
  const lagHi = Math.min(Math.ceil((60 * fr) / MIN_BPM), Math.ceil(refPeriod * SPAN));
  const flat = { ratio: new Float64Array(n).fill(1), steady: true };
  if (n < win + 2 * lagHi || lagHi - lagLo < 4) return flat;
  const nw = Math.floor((n - win) / hop) + 1;
  const nl = lagHi - lagLo + 1;
  // Each lag is scored with its double (beat + two beats, or half bar + bar): the true metrical
  // level collects both, while a spurious 3:2 relation (a dotted figure) does not.
  const full = tempogram(odf, win, hop, nw, lagLo, 2 * lagHi);
  const nf = 2 * lagHi - lagLo + 1;
  const gram = new Float64Array(nw * nl);
  for (let w = 0; w < nw; w++)
    for (let j = 0; j < nl; j++) {
      const lag = lagLo + j;
      gram[w * nl + j] = full[w * nf + j] + HARMONIC_WEIGHT * full[w * nf + 2 * lag - lagLo];
    }
  const path = viterbi(gram, nw, nl, lagLo);
  // Sub-lag period of every window: parabolic refinement of the path's lag on its ACF.
  const per = new Float64Array(nw);
  for (let w = 0; w < nw; w++) {
    const j = path[w];
    const row = w * nl;
    let p = lagLo + j;
    if (j > 0 && j < nl - 1) {
      const a = gram[row + j - 1];
      const b = gram[row + j];
      const c = gram[row + j + 1];
      const d = a - 2 * b + c;
      if (d < 0) p += Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / d));
    }
    per[w] = Math.log(p);
  }
  smooth3(per);
  const sorted = Float64Array.from(per).sort();
  const med = sorted[sorted.length >> 1];
  let steady = true;
  for (let w = 0; w < nw; w++) if (Math.abs(per[w] - med) > STEADY_LOG) steady = false;
  if (steady) return flat;
  // Window w describes the frames around its centre; interpolate between centres.
  const ratio = new Float64Array(n);
  const c0 = win / 2;
  for (let t = 0; t < n; t++) {
    const x = (t - c0) / hop;
    const i = Math.max(0, Math.min(nw - 1, Math.floor(x)));
    const f = Math.max(0, Math.min(1, x - i));
    const v = i + 1 < nw ? per[i] * (1 - f) + per[i + 1] * f : per[i];
    ratio[t] = Math.exp(v - med);
  }
  return { ratio, steady: false };
}

/** Normalised autocorrelation of the mean-removed onset strength of every window, lags lagLo..lagHi (row-major). */
function tempogram(
  odf: Float32Array,
  win: number,
  hop: number,
  nw: number,
  lagLo: number,
  lagHi: number,
): Float64Array {
  const nl = lagHi - lagLo + 1;
  const out = new Float64Array(nw * nl);
  const y = new Float64Array(win);
  for (let w = 0; w < nw; w++) {
    const a = w * hop;
    let m = 0;
    for (let i = 0; i < win; i++) m += odf[a + i];
    m /= win;
    let e = 0;
    for (let i = 0; i < win; i++) {
      y[i] = odf[a + i] - m;
      e += y[i] * y[i];
    }
    e /= win;
    if (!(e > 0)) continue;
    for (let lag = lagLo; lag <= lagHi; lag++) {
      let s = 0;
      for (let i = lag; i < win; i++) s += y[i] * y[i - lag];
      out[w * nl + lag - lagLo] = s / (win - lag) / e;
    }
  }
  return out;
}

/** Best path of lags (indices into the tempogram rows) under the smoothness/jump costs. */
function viterbi(gram: Float64Array, nw: number, nl: number, lagLo: number): Int32Array {
  const logLag = new Float64Array(nl);
  for (let j = 0; j < nl; j++) logLag[j] = Math.log(lagLo + j);
  let score = Float64Array.from(gram.subarray(0, nl));
  let next = new Float64Array(nl);
  const back = new Int32Array(nw * nl);
  for (let w = 1; w < nw; w++) {
    for (let j = 0; j < nl; j++) {
      let best = -Infinity;
      let arg = j;
      for (let k = 0; k < nl; k++) {
        const d = Math.abs(logLag[j] - logLag[k]);
        if (d > MAX_JUMP_LOG) continue;
        const cost = d > JUMP_LOG ? JUMP_COST : SMOOTH * (d / 0.01) * (d / 0.01);
        const v = score[k] - cost;
        if (v > best) {
          best = v;
          arg = k;
        }
      }
      next[j] = best + gram[w * nl + j];
      back[w * nl + j] = arg;
    }
    [score, next] = [next, score];
  }
  let j = 0;
  for (let k = 1; k < nl; k++) if (score[k] > score[j]) j = k;
  const path = new Int32Array(nw);
  for (let w = nw - 1; w >= 0; w--) {
    path[w] = j;
    j = back[w * nl + j];
  }
  return path;
}

/** In-place 3-point median filter (keeps steps sharp, removes single-window outliers). */
function smooth3(x: Float64Array): void {
  if (x.length < 3) return;
  let prev = x[0];
  for (let i = 1; i < x.length - 1; i++) {
    const a = prev;
    const b = x[i];
    const c = x[i + 1];
    prev = b;
    x[i] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
}

/**
 * Resamples `x` onto the dewarped time axis τ (dτ/dt = 1/ratio): a song whose tempo drifts,
 * ramps or steps becomes one of constant tempo (at the median), so a global periodicity analysis
 * applies. Each dewarped frame takes the largest original frame that maps within half a frame of
 * it, so no onset peak is lost or flattened by interpolation.
 */
export function dewarp(x: Float32Array, ratio: Float64Array): Float32Array {
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  let tau = 0;
  const m = (() => {
    let s = 0;
    for (let t = 1; t < n; t++) s += 2 / (ratio[t - 1] + ratio[t]);
    return Math.floor(s) + 1;
  })();
  const y = new Float32Array(m);
  for (let t = 0; t < n; t++) {
    if (t > 0) tau += 2 / (ratio[t - 1] + ratio[t]);
    const k = Math.min(m - 1, Math.round(tau));
    if (x[t] > y[k]) y[k] = x[t];
  }
  return y;
}

/**
 * Period ratio per frame from tracked beats: between beats k and k+1 the ratio is their interval
 * over the median interval (median-smoothed over SMOOTH_BEATS intervals when `smooth`), held
 * beyond the first and last beat. Unsmoothed, `dewarp` maps the beats exactly onto an even grid.
 */
export function ratioFromBeats(beats: ArrayLike<number>, n: number, smooth: boolean): Float64Array {
  const k = beats.length;
  const ratio = new Float64Array(n).fill(1);
  if (k < 3) return ratio;
  let ibi: Float64Array = new Float64Array(k - 1);
  for (let i = 0; i < k - 1; i++) ibi[i] = beats[i + 1] - beats[i];
  if (smooth) ibi = medianFilter(ibi, SMOOTH_BEATS);
  const sorted = Float64Array.from(ibi).sort();
  const med = sorted[sorted.length >> 1];
  if (!(med > 0)) return ratio;
  let i = 0;
  for (let t = 0; t < n; t++) {
    while (i < k - 2 && t >= beats[i + 1]) i++;
    ratio[t] = ibi[i] / med;
  }
  return ratio;
}

/** Intervals the smoothed beat-derived tempo is taken over. */
const SMOOTH_BEATS = 5;

function medianFilter(x: Float64Array, width: number): Float64Array {
  const h = width >> 1;
  const out = new Float64Array(x.length);
  const buf: number[] = [];
  for (let i = 0; i < x.length; i++) {
    buf.length = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(x.length - 1, i + h); j++) buf.push(x[j]);
    buf.sort((a, b) => a - b);
    out[i] = buf[buf.length >> 1];
  }
  return out;
}
