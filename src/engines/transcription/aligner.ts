import type { VocalFeatures } from '../../audio/lyrics/features.js';
import type { VoiceActivity } from '../../audio/vad.js';
import { throwIfAborted } from '../../errors.js';
import { syllableNuclei } from '../../audio/lyrics/nuclei.js';
import { coarseFrames, pauseBefore } from './aligner-frames.js';
import { refineStart } from './refine.js';

/**
 * Model-free lyric alignment: given words (with syllable counts) and frame features of the
 * vocals stem, place every word with a segmental dynamic programme that
 *  - rewards covering voiced frames with words and leaving unvoiced frames between them
 *    (per-frame log-odds of voice activity),
 *  - rewards word starts on onsets (spectral-flux peaks) and word ends on offsets,
 *  - prefers word lengths near syllables × the song's own seconds-per-syllable,
 *  - keeps the given order, and honours optional anchors (e.g. words Whisper recognised).
 * Then each start is refined on a finer envelope. Words whose span has no voice are
 * reported `placed: false` rather than silently invented.
 */
export interface AlignWord {
  syllables: number;
  /** Start time (s) this word should be near, when another engine recognised it. */
  anchor?: number;
  /** First word of a lyric line: lines usually start after a pause in the singing. */
  lineStart?: boolean;
}

export interface WordPlacement {
  start: number;
  end: number;
  /** 0–1: how well the span looks like a sung word (voiced, starts on an onset). */
  confidence: number;
  /** False when the span has no vocal energy: the word could not be found in the audio. */
  placed: boolean;
}

export interface AlignerOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

const DECIMATE = 2; // the programme runs on 20 ms frames; refinement restores 10 ms and finer
const MIN_WORD_S = 0.06;
const MAX_WORD_S = 4;
const MAX_WORD_SYLLABLE_FACTOR = 4; // a word may last up to 4× its expected length (held notes)
const ONSET_WEIGHT = 4;
const OFFSET_WEIGHT = 1;
const DURATION_WEIGHT = 2;
const DURATION_LOG_SIGMA = 0.5;
const NUCLEI_WEIGHT = 2; // per syllable of mismatch between the span and the word
/**
 * Word length grows with syllables, but not proportionally: every word has a fixed part
 * (consonants, the gap after it). Units = WORD_BASE_UNITS + syllables.
 */
const WORD_BASE_UNITS = 1;
const DEFAULT_SECONDS_PER_SYLLABLE = 0.25;
const MIN_SECONDS_PER_SYLLABLE = 0.08;
const MAX_SECONDS_PER_SYLLABLE = 1.2;
const LINE_PAUSE_S = 0.4; // how far back a line start looks for its pause
const LINE_START_WEIGHT = 6;
const ANCHOR_WINDOW_S = 0.5;
const ANCHOR_WEIGHT = 3; // per anchor window width, pulls the start to the anchor
const BAND_MIN_S = 20; // search band around the proportional guess, at least this wide each side
const BAND_FRACTION = 0.2;
const PLACED_MIN_ACTIVITY = 0.3;
/**
 * Leaving a word out (it is not sung, e.g. a verse in the given lyrics that the recording
 * lacks) costs about as much as a well-sung word earns, so real words are never dropped to
 * save a little duration mismatch, while words that would have to be squeezed into other
 * words' syllables are reported `placed: false` instead.
 */
const SKIP_COST = 20;
const SKIPPED = -2;
const NEG = -1e30;

export function alignWords(
  words: readonly AlignWord[],
  features: VocalFeatures,
  activity: VoiceActivity,
  opts: AlignerOptions = {},
): WordPlacement[] {
  const W = words.length;
  if (W === 0) return [];
  const hop = features.hopS * DECIMATE;
  const { act, on, off } = coarseFrames(features, activity, DECIMATE);
  const T = act.length;
  const prefix = new Float64Array(T + 1);
  for (let t = 0; t < T; t++) prefix[t + 1] = prefix[t] + act[t];
  const pause = pauseBefore(act, Math.max(1, Math.round(LINE_PAUSE_S / hop)));
  // Prefix counts of syllable nuclei on the coarse grid.
  const nuclei = syllableNuclei(features.energyDb, activity.prob);
  const nucPrefix = new Int32Array(T + 1);
  for (let c = 0; c < T; c++) {
    let k = 0;
    for (let t = c * DECIMATE; t < Math.min(nuclei.length, (c + 1) * DECIMATE); t++) k += nuclei[t];
    nucPrefix[c + 1] = nucPrefix[c] + k;
  }

  const secPerSyl = estimateSecondsPerSyllable(words, activity);
  const dMin = Math.max(1, Math.round(MIN_WORD_S / hop));
  const mu = words.map((w) => Math.max(dMin, (wordUnits(w) * secPerSyl) / hop));
  const dMax = mu.map((m) =>
    Math.max(dMin + 1, Math.min(Math.round(MAX_WORD_S / hop), Math.round(m * MAX_WORD_SYLLABLE_FACTOR))),
  );
  const bands = startBands(words, mu, activity, hop, T, dMin);
  const dTopAll = Math.max(...dMax);
  const logTable = new Float64Array(dTopAll + 1);
  for (let d = 1; d <= dTopAll; d++) logTable[d] = Math.log(d);
  const durCost = new Float64Array(dTopAll + 1);
  // Score of a word ending at frame e, less what depends on its start: voiced frames up to e and the offset there.
  const endScore = new Float64Array(T + 1);
  for (let e = 1; e <= T; e++) endScore[e] = prefix[e] + OFFSET_WEIGHT * off[e - 1];

  // D[i]: best score with word i starting at frame s (band-relative); E[i]: ending at e.
  const backD: Int32Array[] = []; // for D[i+1][s]: the end frame of word i
  const backE: Uint16Array[] = []; // for E[i][e]: the duration of word i
  const eLo: number[] = [];
  let D = new Float64Array(bands[0].hi - bands[0].lo).fill(0);
  let E = new Float64Array(0);
  for (let i = 0; i < W; i++) {
    throwIfAborted(opts.signal);
    const { lo, hi } = bands[i];
    const el = lo + dMin;
    const eh = Math.min(T, hi - 1 + dMax[i]);
    eLo.push(el);
    E = new Float64Array(Math.max(0, eh - el + 1)).fill(NEG);
    const be = new Uint16Array(E.length);
    const syl = words[i].syllables;
    // Duration prior of this word by length in frames, tabulated once (the inner loop is hot).
    const logMu = Math.log(mu[i]);
    for (let d = dMin; d <= dMax[i]; d++) {
      const ld = logTable[d] - logMu;
      durCost[d] = (DURATION_WEIGHT * ld * ld) / (2 * DURATION_LOG_SIGMA ** 2);
    }
    const anchor = words[i].anchor;
    for (let s = lo; s < hi; s++) {
      const base = D[s - lo];
      if (base <= NEG / 2) continue;
      let startScore = base + ONSET_WEIGHT * on[s] - prefix[s];
      if (words[i].lineStart) startScore += LINE_START_WEIGHT * pause[s];
      if (anchor !== undefined) startScore -= (ANCHOR_WEIGHT * Math.abs(s * hop - anchor)) / ANCHOR_WINDOW_S;
      const dTop = Math.min(dMax[i], T - s);
      const nucleiWanted = nucPrefix[s] + syl;
      for (let d = dMin; d <= dTop; d++) {
        const e = s + d;
        const dn = nucPrefix[e] - nucleiWanted;
        const v = startScore + endScore[e] - durCost[d] - NUCLEI_WEIGHT * (dn < 0 ? -dn : dn);
        const k = e - el;
        if (v > E[k]) {
          E[k] = v;
          be[k] = d;
        }
      }
    }
    backE.push(be);
    // D[i+1]: word i ended at or before s, or word i is skipped (not found in the audio) at s.
    const nb = i + 1 < W ? bands[i + 1] : { lo: 0, hi: T + 1 };
    const nd = new Float64Array(nb.hi - nb.lo).fill(NEG);
    const bd = new Int32Array(nd.length).fill(-1);
    let best = NEG;
    let arg = -1;
    let k = 0; // scans E in order of end frame
    for (let s = nb.lo; s < nb.hi; s++) {
      while (k < E.length && el + k <= s) {
        if (E[k] > best) {
          best = E[k];
          arg = el + k;
        }
        k++;
      }
      nd[s - nb.lo] = best;
      bd[s - nb.lo] = arg;
      if (s >= lo && s < hi && D[s - lo] - SKIP_COST > best) {
        nd[s - nb.lo] = D[s - lo] - SKIP_COST;
        bd[s - nb.lo] = SKIPPED;
      }
    }
    backD.push(bd);
    D = nd;
    opts.onProgress?.((i + 1) / W);
  }

  // Backtrack from the best final frame.
  let s = -1;
  let best = NEG;
  for (let k = 0; k < D.length; k++) {
    if (D[k] > best) {
      best = D[k];
      s = k;
    }
  }
  if (s < 0) throw new Error('lyric alignment found no feasible placement');
  const startsF = new Int32Array(W);
  const endsF = new Int32Array(W);
  const skipped = new Uint8Array(W);
  for (let i = W - 1; i >= 0; i--) {
    const nlo = i + 1 < W ? bands[i + 1].lo : 0;
    const b = backD[i][s - nlo];
    if (b === SKIPPED) {
      skipped[i] = 1;
      startsF[i] = s;
      endsF[i] = s;
      continue;
    }
    const d = backE[i][b - eLo[i]];
    startsF[i] = b - d;
    endsF[i] = b;
    s = b - d;
  }
  return finish(startsF, endsF, skipped, hop, features, activity, on);
}

function estimateSecondsPerSyllable(words: readonly AlignWord[], activity: VoiceActivity): number {
  let voiced = 0;
  for (let t = 0; t < activity.prob.length; t++) voiced += activity.prob[t];
  voiced *= activity.hopS;
  let syl = 0;
  for (const w of words) syl += wordUnits(w);
  if (voiced <= 0 || syl === 0) return DEFAULT_SECONDS_PER_SYLLABLE;
  return Math.min(MAX_SECONDS_PER_SYLLABLE, Math.max(MIN_SECONDS_PER_SYLLABLE, voiced / syl));
}

function wordUnits(w: AlignWord): number {
  return WORD_BASE_UNITS + w.syllables;
}

interface Band {
  lo: number;
  hi: number;
}

/**
 * Allowed start frames per word: a wide band around where the word would start if the
 * syllables were spread evenly over the voiced time, narrowed to the anchor window when
 * the word has an anchor. Bands stay ordered so the programme can always finish.
 */
function startBands(
  words: readonly AlignWord[],
  mu: number[],
  activity: VoiceActivity,
  hop: number,
  T: number,
  dMin: number,
): Band[] {
  const W = words.length;
  const cum = new Float64Array(activity.prob.length + 1);
  for (let t = 0; t < activity.prob.length; t++) cum[t + 1] = cum[t] + activity.prob[t];
  const totalVoiced = cum[cum.length - 1];
  let totalMu = 0;
  for (const m of mu) totalMu += m;
  const halfBand = Math.max(BAND_MIN_S, BAND_FRACTION * T * hop) / hop;
  const bands: Band[] = [];
  let acc = 0;
  let f = 0;
  for (let i = 0; i < W; i++) {
    const target = totalMu > 0 ? (acc / totalMu) * totalVoiced : 0;
    while (f < activity.prob.length && cum[f + 1] < target) f++;
    const guess = (f * activity.hopS) / hop;
    let lo = Math.max(i * dMin, Math.floor(guess - halfBand));
    let hi = Math.min(T - (W - i) * dMin + 1, Math.ceil(guess + halfBand));
    const a = words[i].anchor;
    if (a !== undefined) {
      lo = Math.max(lo, Math.floor((a - ANCHOR_WINDOW_S) / hop));
      hi = Math.min(hi, Math.ceil((a + ANCHOR_WINDOW_S) / hop) + 1);
    }
    lo = Math.max(0, lo);
    if (hi <= lo) hi = lo + 1;
    bands.push({ lo, hi });
    acc += mu[i];
  }
  return bands;
}

function finish(
  startsF: Int32Array,
  endsF: Int32Array,
  skipped: Uint8Array,
  hop: number,
  features: VocalFeatures,
  activity: VoiceActivity,
  on: Float32Array,
): WordPlacement[] {
  const out: WordPlacement[] = [];
  for (let i = 0; i < startsF.length; i++) {
    const coarseStart = startsF[i] * hop;
    const coarseEnd = endsF[i] * hop;
    const prevEnd = i > 0 ? out[i - 1].end : 0;
    if (skipped[i]) {
      // Not in the audio: a zero-confidence placeholder at the gap where it would have been.
      const at = Math.max(prevEnd, coarseStart);
      out.push({ start: at, end: at + MIN_WORD_S, confidence: 0, placed: false });
      continue;
    }
    const start = Math.max(prevEnd, refineStart(features, coarseStart, coarseEnd));
    const end = Math.max(start + MIN_WORD_S, coarseEnd);
    const a0 = Math.floor(start / activity.hopS);
    const a1 = Math.max(a0 + 1, Math.ceil(end / activity.hopS));
    let sum = 0;
    for (let t = a0; t < Math.min(a1, activity.prob.length); t++) sum += activity.prob[t];
    const meanAct = sum / (a1 - a0);
    const onset = Math.min(1, on[startsF[i]] ?? 0);
    out.push({
      start,
      end,
      confidence: round3(meanAct * (0.5 + 0.5 * onset)),
      placed: meanAct >= PLACED_MIN_ACTIVITY,
    });
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
