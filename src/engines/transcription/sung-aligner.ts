import type { VocalFeatures } from '../../audio/lyrics/features.js';
import type { SungCues } from '../../audio/lyrics/sung-cues.js';
import type { VoiceActivity } from '../../audio/vad.js';
import { throwIfAborted } from '../../errors.js';
import { coarseFrames, pauseBefore } from './aligner-frames.js';
import type { AlignerOptions, WordPlacement } from './aligner.js';
import type { PhoneClass } from './pronounce.js';
import { refineStart } from './refine.js';
import {
  confidenceOf,
  marginFactor,
  nearFactor,
  squeezeFactor,
  wordEvidence,
  type WordEvidence,
} from './sung-confidence.js';

/**
 * Model-free alignment for sung vocals: a segmental dynamic programme over the lyrics'
 * SYLLABLES (one sung note each, from the pronouncing dictionary), not words:
 *  - a syllable starts on boundary evidence (pitch change, voicing onset, energy dip,
 *    spectral change: `sungCues`), and a boundary peak INSIDE a syllable costs, so a held
 *    note stays one syllable however long it lasts and two notes are not one syllable;
 *  - the syllables of a word follow each other with at most a short, paid gap (a note's
 *    decaying tail that the voice activity misses); between words a gap (a rest) is free, and
 *    a word start earns the word-boundary cue (the dip between two words);
 *  - singing's duration model: syllables of the song's own typical length with a wide
 *    spread, the line's final note held several times longer;
 *  - line starts earn a pause before them (rests between lines anchor the lines, so one
 *    wrong note cannot push the rest of the song late: the programme is global).
 * Optional beat times make grid positions (eighths of the beat) a prior for word starts (for a
 * word that opens with a consonant, for its vowel: BEAT_LEAD_S after the start).
 */
export interface SungWord {
  syllables: number;
  /** The word's first sound (pronouncing dictionary): a fricative is heard before the voice. */
  onset?: PhoneClass;
  lineStart: boolean;
  lineEnd: boolean;
}

/** A sung word's placement with the evidence its confidence came from (for benchmarks). */
export interface SungPlacement extends WordPlacement {
  evidence: WordEvidence & { margin: number; near: number; squeeze: number };
}

export interface SungAlignerOptions extends AlignerOptions {
  /** Beat times (s) of the song, when the beats stage ran. */
  beats?: readonly number[];
  /** Benchmarks only: receives the programme's internals (to score other paths term by term). */
  diagnose?: (d: SungDiagnostics) => void;
}

export interface SungDiagnostics {
  syls: readonly Syl[];
  frames: Frames;
  secPerSyl: number;
  chosen: { sylStart: Int32Array; sylEnd: Int32Array };
  /** Per syllable, the programme's score terms of a path given as syllable spans (programme frames). */
  score: (sylStart: ArrayLike<number>, sylEnd: ArrayLike<number>) => Record<string, number>[];
}

const DECIMATE = 2; // 20 ms programme frames
const MIN_SYL_S = 0.06;
const MAX_SYL_S = 5;
const HOLD_FACTOR = 3; // a line's last note is held about this many times a syllable's length
const SYL_LOG_SIGMA = 0.7;
const HOLD_LOG_SIGMA = 0.8;
const DURATION_WEIGHT = 1.5;
const BOUNDARY_WEIGHT = 3;
const WORD_BOUNDARY_WEIGHT = 3;
const INSIDE_WEIGHT = 2.5;
// Inside a word the next syllable may start up to this long after the previous one ends, at
// this cost per programme frame: a note's decaying tail that the voice activity calls silence
// (separated vocals above all) must not make every note boundary look like a word's.
const INTRA_GAP_S = 0.2;
const INTRA_GAP_COST = 0.5;
const OFFSET_WEIGHT = 1;
const LINE_PAUSE_S = 0.4;
const LINE_START_WEIGHT = 6;
const BEAT_WEIGHT = 1.5;
// A word that opens with a consonant puts its vowel on the grid: the word starts this much before
// the grid point (festival's consonants lead their note by 45 ms; singers' by some tens of ms).
const BEAT_LEAD_S = 0.04;
const BEAT_SIGMA_S = 0.04;
const BAND_MIN_S = 20;
const BAND_FRACTION = 0.2;
const PLACED_MIN_ACTIVITY = 0.3;
const DEFAULT_SEC_PER_SYL = 0.35;
const MIN_SEC_PER_SYL = 0.1;
const MAX_SEC_PER_SYL = 1.5;
const NEG = -1e30;

export interface Syl {
  word: number;
  first: boolean;
  last: boolean;
  lineStart: boolean;
  hold: boolean;
  /** The word opens with a consonant (its vowel, on the beat, comes after it). */
  lead?: boolean;
}

export function alignSung(
  words: readonly SungWord[],
  features: VocalFeatures,
  activity: VoiceActivity,
  cues: SungCues,
  opts: SungAlignerOptions = {},
): SungPlacement[] {
  if (words.length === 0) return [];
  const syls: Syl[] = [];
  words.forEach((w, i) => {
    const n = Math.max(1, w.syllables);
    for (let k = 0; k < n; k++)
      syls.push({
        word: i,
        first: k === 0,
        last: k === n - 1,
        lineStart: k === 0 && w.lineStart,
        hold: k === n - 1 && w.lineEnd,
        lead: w.onset !== undefined && w.onset !== 'vowel',
      });
  });
  const S = syls.length;
  const hop = features.hopS * DECIMATE;
  const { act, off } = coarseFrames(features, activity, DECIMATE);
  const T = act.length;
  const bnd = coarseMax(cues.boundary, DECIMATE, T);
  const wb = coarseMax(cues.wordBoundary, DECIMATE, T);
  const pk = coarseSum(cues.peaks, DECIMATE, T);
  const beat = beatPrior(opts.beats, hop, T);
  const prefix = new Float64Array(T + 1);
  const pkPrefix = new Float64Array(T + 1);
  for (let t = 0; t < T; t++) {
    prefix[t + 1] = prefix[t] + act[t];
    pkPrefix[t + 1] = pkPrefix[t] + pk[t];
  }
  const pause = pauseBefore(act, Math.max(1, Math.round(LINE_PAUSE_S / hop)));

  const lines = syls.filter((s) => s.hold).length;
  const secPerSyl = estimateSecPerSyl(activity, S + (HOLD_FACTOR - 1) * lines);
  const dMin = Math.max(1, Math.round(MIN_SYL_S / hop));
  const frames: Frames = { T, hop, dMin, act, off, bnd, wb, pk, beat, prefix, pkPrefix, pause };
  const base = programme(syls, frames, activity, secPerSyl, opts, true);
  if (opts.diagnose)
    opts.diagnose({
      syls,
      frames,
      secPerSyl,
      chosen: base,
      score: (st, en) => pathTerms(syls, frames, secPerSyl, st, en),
    });
  const out = placements(words, syls, base.sylStart, base.sylEnd, hop, features, activity, cues, pause);
  // Margin: how much worse the best alignment is that starts the word elsewhere (> 300 ms
  // away). A word whose start another placement nearly matches (a held note that could be
  // either word's) is not pinned down, however good its own evidence looks.
  // Near margin: the same for starts about one note away (NEAR_AWAY_S to MARGIN_AWAY_S): a run
  // of words one note early or late keeps every syllable on a note boundary, so only the
  // programme's own score tells it from the chosen one.
  // Squeeze: a word given far less time than the duration model expects of it, relative to
  // the song's own words (the median ratio), has usually lost its note to a neighbour.
  const expected = new Float64Array(words.length);
  syls.forEach((sy) => {
    expected[sy.word] += (sy.hold ? HOLD_FACTOR : 1) * secPerSyl;
  });
  const ratio = out.map((p, i) => (p.end - p.start) / expected[i]);
  const typical = medianOf(ratio);
  let j = 0;
  for (let i = 0; i < out.length; i++) {
    const m = base.margin ? base.margin[j] : MARGIN_CAP;
    const near = base.near ? base.near[j] : MARGIN_CAP;
    while (j < syls.length && syls[j].word === i) j++;
    const squeeze = typical > 0 ? Math.log(Math.max(1e-3, ratio[i] / typical)) : 0;
    out[i].evidence.margin = m;
    out[i].evidence.near = near;
    out[i].evidence.squeeze = squeeze;
    out[i].confidence = round3(
      out[i].confidence * marginFactor(m) * nearFactor(near) * squeezeFactor(squeeze),
    );
  }
  return out;
}

function medianOf(v: number[]): number {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export interface Frames {
  T: number;
  hop: number;
  dMin: number;
  act: Float32Array;
  off: Float32Array;
  bnd: Float32Array;
  wb: Float32Array;
  pk: Float32Array;
  beat: Float32Array;
  prefix: Float64Array;
  pkPrefix: Float64Array;
  pause: Float32Array;
}

/** The segmental programme itself: best syllable spans (programme frames) for one duration model. */
function programme(
  syls: readonly Syl[],
  f: Frames,
  activity: VoiceActivity,
  secPerSyl: number,
  opts: SungAlignerOptions,
  withMargins = false,
): { sylStart: Int32Array; sylEnd: Int32Array; margin?: Float64Array; near?: Float64Array } {
  const { T, hop, dMin, off, bnd, wb, beat, prefix, pkPrefix, pause } = f;
  const intraGap = Math.round(INTRA_GAP_S / hop);
  const deque = new Int32Array(T + 2); // indices of the sliding-window maxima (a span is ≤ T + 1)
  const S = syls.length;
  const mu = syls.map((s) => (s.hold ? HOLD_FACTOR : 1) * Math.max(dMin, secPerSyl / hop));
  const dMax = mu.map((m) => Math.max(dMin + 1, Math.min(Math.round(MAX_SYL_S / hop), Math.round(m * 5))));
  const bands = startBands(mu, activity, hop, T, dMin);

  const backE: Uint16Array[] = [];
  const backD: Int32Array[] = [];
  const eLo: number[] = [];
  const forward: Float64Array[] = [];
  let D = new Float64Array(bands[0].hi - bands[0].lo).fill(0);
  const durCosts = syls.map((sy, j) => {
    const c = new Float64Array(dMax[j] + 1);
    const logMu = Math.log(mu[j]);
    const sig = sy.hold ? HOLD_LOG_SIGMA : SYL_LOG_SIGMA;
    for (let d = dMin; d <= dMax[j]; d++) {
      const ld = Math.log(d) - logMu;
      c[d] = (DURATION_WEIGHT * ld * ld) / (2 * sig * sig);
    }
    return c;
  });
  /** Score of syllable j starting at frame s, without its duration and span terms. */
  const startScore = (j: number, s: number) => {
    const sy = syls[j];
    let v = BOUNDARY_WEIGHT * bnd[s] - prefix[s];
    if (sy.first) v += WORD_BOUNDARY_WEIGHT * wb[s] + BEAT_WEIGHT * beatAt(beat, s, sy, hop);
    if (sy.lineStart) v += LINE_START_WEIGHT * pause[s];
    return v;
  };
  for (let j = 0; j < S; j++) {
    throwIfAborted(opts.signal);
    if (withMargins) forward.push(D);
    const { lo, hi } = bands[j];
    const el = lo + dMin;
    const eh = Math.min(T, hi - 1 + dMax[j]);
    eLo.push(el);
    const E = new Float64Array(Math.max(0, eh - el + 1)).fill(NEG);
    const be = new Uint16Array(E.length);
    // The innermost loop (every start × every duration), with syllable j's span score inlined:
    // its frames' activity, its duration cost, the boundary peaks inside it, a last syllable's offset.
    const dc = durCosts[j];
    const offW = syls[j].last ? OFFSET_WEIGHT : 0;
    for (let s = lo; s < hi; s++) {
      const base = D[s - lo];
      if (base <= NEG / 2) continue;
      const start = base + startScore(j, s);
      const dTop = Math.min(dMax[j], T - s);
      const inLo = pkPrefix[Math.min(T, s + 1)];
      for (let d = dMin; d <= dTop; d++) {
        const e = s + d;
        const inside = e - 1 > s + 1 ? pkPrefix[e - 1] - inLo : 0;
        let span = prefix[e] - dc[d] - INSIDE_WEIGHT * inside;
        if (offW !== 0) span += offW * off[e - 1];
        const v = start + span;
        const k = e - el;
        if (v > E[k]) {
          E[k] = v;
          be[k] = d;
        }
      }
    }
    backE.push(be);
    // Next syllable: of the same word, it starts where this one ends; a new word may wait.
    const nb = j + 1 < S ? bands[j + 1] : { lo: 0, hi: T + 1 };
    const nd = new Float64Array(nb.hi - nb.lo).fill(NEG);
    const bd = new Int32Array(nd.length).fill(-1);
    const gapAllowed = j + 1 >= S || syls[j + 1].first;
    let best = NEG;
    let arg = -1;
    let k = 0;
    if (gapAllowed) {
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
      }
    } else {
      // Inside a word: the next syllable starts where this one ends, or up to intraGap frames
      // later at INTRA_GAP_COST a frame: max over ends e in [s − intraGap, s] of
      // E[e] − cost·(s − e), a sliding-window maximum of E[e] + cost·e (monotonic deque).
      const val = (kk: number) => E[kk] + INTRA_GAP_COST * (el + kk);
      let head = 0;
      let tail = 0;
      for (let s = nb.lo; s < nb.hi; s++) {
        while (k < E.length && el + k <= s) {
          const v = val(k);
          while (tail > head && val(deque[tail - 1]) <= v) tail--;
          deque[tail++] = k++;
        }
        while (tail > head && el + deque[head] < s - intraGap) head++;
        if (tail > head && E[deque[head]] > NEG / 2) {
          nd[s - nb.lo] = val(deque[head]) - INTRA_GAP_COST * s;
          bd[s - nb.lo] = el + deque[head];
        }
      }
    }
    backD.push(bd);
    D = nd;
    opts.onProgress?.((j + 1) / S);
  }

  let s = -1;
  let optimum = NEG;
  for (let k = 0; k < D.length; k++) {
    if (D[k] > optimum) {
      optimum = D[k];
      s = k;
    }
  }
  if (s < 0 || optimum <= NEG / 2) throw new Error('sung alignment found no feasible placement');
  const sylStart = new Int32Array(S);
  const sylEnd = new Int32Array(S);
  for (let j = S - 1; j >= 0; j--) {
    const nlo = j + 1 < S ? bands[j + 1].lo : 0;
    const e = backD[j][s - nlo];
    const d = backE[j][e - eLo[j]];
    sylStart[j] = e - d;
    sylEnd[j] = e;
    s = e - d;
  }
  if (!withMargins) return { sylStart, sylEnd };
  // Backward pass: B[j][s] = best score of syllables j.. with syllable j starting at s. Then
  // forward + backward is the best whole alignment with that start, and a syllable's margin is
  // how much worse the best alignment is that starts it more than MARGIN_AWAY_S elsewhere.
  const margin = new Float64Array(S);
  const near = new Float64Array(S);
  const nearFrom = Math.max(1, Math.round(NEAR_AWAY_S / hop));
  const away = Math.max(1, Math.round(MARGIN_AWAY_S / hop));
  let next: Float64Array | null = null; // B[j + 1] over bands[j + 1]
  for (let j = S - 1; j >= 0; j--) {
    throwIfAborted(opts.signal);
    const { lo, hi } = bands[j];
    const B = new Float64Array(hi - lo).fill(NEG);
    const nb = j + 1 < S ? bands[j + 1] : null;
    // With a gap allowed, the next syllable may start at any frame >= the end: suffix maxima.
    let after: Float64Array | null = null;
    let within: Float64Array | null = null;
    if (next && nb && syls[j + 1].first) {
      after = new Float64Array(next.length + 1).fill(NEG);
      for (let k = next.length - 1; k >= 0; k--) after[k] = Math.max(after[k + 1], next[k]);
    } else if (next && nb) {
      // Inside a word: within[k] = max over k' in [k, k + intraGap] of next[k'] − cost·(k' − k).
      const nx = next;
      within = new Float64Array(nx.length).fill(NEG);
      const val = (kk: number) => nx[kk] - INTRA_GAP_COST * kk;
      let head = 0;
      let tail = 0;
      for (let k = nx.length - 1; k >= 0; k--) {
        const v = val(k);
        while (tail > head && val(deque[tail - 1]) <= v) tail--;
        deque[tail++] = k;
        while (deque[head] > k + intraGap) head++;
        if (nx[deque[head]] > NEG / 2) within[k] = val(deque[head]) + INTRA_GAP_COST * k;
      }
    }
    const dc = durCosts[j];
    const offW = syls[j].last ? OFFSET_WEIGHT : 0;
    for (let s = lo; s < hi; s++) {
      const st = startScore(j, s);
      const dTop = Math.min(dMax[j], T - s);
      const inLo = pkPrefix[Math.min(T, s + 1)];
      let best = NEG;
      for (let d = dMin; d <= dTop; d++) {
        const e = s + d;
        let rest = 0;
        if (nb && next) {
          if (after) rest = e < nb.lo ? after[0] : e - nb.lo < next.length ? after[e - nb.lo] : NEG;
          else if (within) {
            const k0 = Math.max(e, nb.lo) - nb.lo;
            rest = k0 < next.length && k0 - (e - nb.lo) <= intraGap ? within[k0] : NEG;
          } else rest = e >= nb.lo && e < nb.hi ? next[e - nb.lo] : NEG;
        }
        if (rest <= NEG / 2) continue;
        const inside = e - 1 > s + 1 ? pkPrefix[e - 1] - inLo : 0;
        let span = prefix[e] - dc[d] - INSIDE_WEIGHT * inside;
        if (offW !== 0) span += offW * off[e - 1];
        const v = st + span + rest;
        if (v > best) best = v;
      }
      B[s - lo] = best;
    }
    const F = forward[j];
    let alt = NEG;
    let altNear = NEG;
    for (let s = lo; s < hi; s++) {
      const dist = Math.abs(s - sylStart[j]);
      if (dist < nearFrom) continue;
      const f = F[s - lo];
      const b = B[s - lo];
      if (f <= NEG / 2 || b <= NEG / 2) continue;
      if (dist <= away) {
        if (f + b > altNear) altNear = f + b;
      } else if (f + b > alt) alt = f + b;
    }
    margin[j] = alt <= NEG / 2 ? MARGIN_CAP : Math.min(MARGIN_CAP, Math.max(0, optimum - alt));
    near[j] = altNear <= NEG / 2 ? MARGIN_CAP : Math.min(MARGIN_CAP, Math.max(0, optimum - altNear));
    next = B;
  }
  return { sylStart, sylEnd, margin, near };
}

/** The programme's score of one path, term by term per syllable (diagnostics; mirrors `programme`). */
function pathTerms(
  syls: readonly Syl[],
  f: Frames,
  secPerSyl: number,
  sylStart: ArrayLike<number>,
  sylEnd: ArrayLike<number>,
): Record<string, number>[] {
  const { hop, dMin, off, bnd, wb, beat, prefix, pkPrefix, pause } = f;
  return syls.map((sy, j) => {
    const s = sylStart[j];
    const e = sylEnd[j];
    const d = e - s;
    const mu = (sy.hold ? HOLD_FACTOR : 1) * Math.max(dMin, secPerSyl / hop);
    const sig = sy.hold ? HOLD_LOG_SIGMA : SYL_LOG_SIGMA;
    const ld = Math.log(Math.max(1, d)) - Math.log(mu);
    const inside = e - 1 > s + 1 ? pkPrefix[e - 1] - pkPrefix[Math.min(f.T, s + 1)] : 0;
    return {
      act: prefix[e] - prefix[s],
      boundary: BOUNDARY_WEIGHT * bnd[s],
      wordBoundary: sy.first ? WORD_BOUNDARY_WEIGHT * wb[s] : 0,
      beat: sy.first ? BEAT_WEIGHT * beatAt(beat, s, sy, hop) : 0,
      linePause: sy.lineStart ? LINE_START_WEIGHT * pause[s] : 0,
      duration: -(DURATION_WEIGHT * ld * ld) / (2 * sig * sig),
      inside: -INSIDE_WEIGHT * inside,
      offset: sy.last ? OFFSET_WEIGHT * off[e - 1] : 0,
      intraGap: !sy.first && j > 0 ? -INTRA_GAP_COST * Math.max(0, s - sylEnd[j - 1]) : 0,
    };
  });
}

/** A start more than this from the chosen one is a different placement (the 300 ms bar). */
const MARGIN_AWAY_S = 0.3;
const MARGIN_CAP = 50;
/** A start this far from the chosen one (and within MARGIN_AWAY_S) is about one note off. */
const NEAR_AWAY_S = 0.12;

function placements(
  words: readonly SungWord[],
  syls: readonly Syl[],
  sylStart: Int32Array,
  sylEnd: Int32Array,
  hop: number,
  features: VocalFeatures,
  activity: VoiceActivity,
  cues: SungCues,
  pause: Float32Array,
): SungPlacement[] {
  const out: SungPlacement[] = [];
  let j = 0;
  for (let i = 0; i < words.length; i++) {
    const first = j;
    while (j < syls.length && syls[j].word === i) j++;
    const coarseStart = sylStart[first] * hop;
    const end = sylEnd[j - 1] * hop;
    const prevEnd = i > 0 ? out[i - 1].end : 0;
    let start = refineWordStart(features, cues, coarseStart, end);
    if (NOISY_ONSETS.has(words[i].onset ?? 'vowel'))
      start = walkBackConsonant(features, activity, cues, start);
    start = Math.max(prevEnd, start);
    const meanAct = meanOf(activity.prob, activity.hopS, start, end);
    const ev = wordEvidence(
      cues,
      activity,
      start,
      end,
      words[i].syllables,
      words[i].lineStart ? pause[sylStart[first]] : 0,
    );
    out.push({
      start,
      end: Math.max(start + MIN_SYL_S, end),
      confidence: confidenceOf(ev),
      placed: meanAct >= PLACED_MIN_ACTIVITY,
      evidence: { ...ev, margin: 0, near: 0, squeeze: 0 },
    });
  }
  return out;
}

const REFINE_BEFORE_S = 0.06;
const REFINE_AFTER_S = 0.04;

/**
 * A word start on the 20 ms grid → on the 10 ms grid: the deepest dip just around it (the
 * gap between two words), else, after a rest, where the energy leaves the background.
 */
function refineWordStart(features: VocalFeatures, cues: SungCues, start: number, end: number): number {
  const h = cues.hopS;
  const a = Math.max(0, Math.round((start - REFINE_BEFORE_S) / h));
  const b = Math.min(cues.wordBoundary.length - 1, Math.round(Math.min(end, start + REFINE_AFTER_S) / h));
  let bestT = -1;
  let bestV = 0.2;
  for (let t = a; t <= b; t++) {
    if (cues.wordBoundary[t] > bestV) {
      bestV = cues.wordBoundary[t];
      bestT = t;
    }
  }
  if (bestT >= 0) {
    // wordBoundary is spread ±2 frames: the minimum of the energy is the boundary itself.
    let m = bestT;
    for (let t = Math.max(0, bestT - 2); t <= Math.min(features.energyDb.length - 1, bestT + 2); t++)
      if (features.energyDb[t] < features.energyDb[m]) m = t;
    return m * h;
  }
  return refineStart(features, start, end);
}

const NOISY_ONSETS = new Set<PhoneClass>(['fricative', 'affricate', 'aspirate']);
const CONSONANT_MAX_S = 0.4;
const CONSONANT_BELOW_THRESHOLD_DB = 6;
const CONSONANT_VOICED = 0.5;
const TAIL_RISE_DB = 4;

/**
 * A word that opens with a fricative (f, s, sh, th, h…) starts with unvoiced noise well below
 * the vowel, which the voice activity may miss: walk back from the start over frames that are
 * unvoiced but above the noise floor, until the previous word's tail (voiced, or a rise
 * backwards) or silence.
 */
function walkBackConsonant(
  features: VocalFeatures,
  activity: VoiceActivity,
  cues: SungCues,
  start: number,
): number {
  const h = features.hopS;
  const e = features.energyDb;
  const floor = activity.thresholdDb - CONSONANT_BELOW_THRESHOLD_DB;
  let t = Math.min(e.length - 1, Math.round(start / h));
  const limit = Math.max(0, t - Math.round(CONSONANT_MAX_S / h));
  while (
    t > limit &&
    e[t - 1] > floor &&
    cues.voicing[t - 1] < CONSONANT_VOICED &&
    e[t - 1] < e[t] + TAIL_RISE_DB
  )
    t--;
  return t * h;
}

function meanOf(x: Float32Array, hopS: number, a: number, b: number): number {
  const i0 = Math.max(0, Math.floor(a / hopS));
  const i1 = Math.min(x.length, Math.max(i0 + 1, Math.ceil(b / hopS)));
  let s = 0;
  for (let t = i0; t < i1; t++) s += x[t];
  return i1 > i0 ? s / (i1 - i0) : 0;
}

function coarseMax(x: Float32Array, dec: number, T: number): Float32Array {
  const out = new Float32Array(T);
  for (let c = 0; c < T; c++) {
    let m = 0;
    for (let t = c * dec; t < Math.min(x.length, (c + 1) * dec); t++) m = Math.max(m, x[t]);
    out[c] = m;
  }
  return out;
}

function coarseSum(x: Float32Array, dec: number, T: number): Float32Array {
  const out = new Float32Array(T);
  for (let c = 0; c < T; c++) {
    let m = 0;
    for (let t = c * dec; t < Math.min(x.length, (c + 1) * dec); t++) m += x[t];
    out[c] = m;
  }
  return out;
}

/** The beat prior of a word that starts at frame s: read at its vowel, after a consonant's lead. */
function beatAt(beat: Float32Array, s: number, sy: Syl, hop: number): number {
  return beat[Math.min(beat.length - 1, s + (sy.lead ? Math.round(BEAT_LEAD_S / hop) : 0))];
}

/**
 * 0–1 per frame: closeness to the nearest eighth of the beat (sung words start on the grid).
 * Zero everywhere without beats.
 */
function beatPrior(beats: readonly number[] | undefined, hop: number, T: number): Float32Array {
  const out = new Float32Array(T);
  if (!beats || beats.length < 2) return out;
  const grid: number[] = [];
  for (let i = 0; i + 1 < beats.length; i++) {
    const p = beats[i + 1] - beats[i];
    if (!(p > 0) || p > 3) continue;
    for (let k = 0; k < 2; k++) grid.push(beats[i] + (k * p) / 2);
  }
  grid.push(beats[beats.length - 1]);
  const reach = Math.ceil((3 * BEAT_SIGMA_S) / hop);
  for (const g of grid) {
    const c = Math.round(g / hop);
    for (let k = -reach; k <= reach; k++) {
      const t = c + k;
      if (t < 0 || t >= T) continue;
      const dt = t * hop - g;
      out[t] = Math.max(out[t], Math.exp(-(dt * dt) / (2 * BEAT_SIGMA_S * BEAT_SIGMA_S)));
    }
  }
  return out;
}

function estimateSecPerSyl(activity: VoiceActivity, units: number): number {
  let voiced = 0;
  for (let t = 0; t < activity.prob.length; t++) voiced += activity.prob[t];
  voiced *= activity.hopS;
  if (voiced <= 0 || units <= 0) return DEFAULT_SEC_PER_SYL;
  return Math.min(MAX_SEC_PER_SYL, Math.max(MIN_SEC_PER_SYL, voiced / units));
}

function startBands(
  mu: number[],
  activity: VoiceActivity,
  hop: number,
  T: number,
  dMin: number,
): { lo: number; hi: number }[] {
  const S = mu.length;
  const cum = new Float64Array(activity.prob.length + 1);
  for (let t = 0; t < activity.prob.length; t++) cum[t + 1] = cum[t] + activity.prob[t];
  const totalVoiced = cum[cum.length - 1];
  let totalMu = 0;
  for (const m of mu) totalMu += m;
  const halfBand = Math.max(BAND_MIN_S, BAND_FRACTION * T * hop) / hop;
  const bands: { lo: number; hi: number }[] = [];
  let acc = 0;
  let f = 0;
  for (let j = 0; j < S; j++) {
    const target = totalMu > 0 ? (acc / totalMu) * totalVoiced : 0;
    while (f < activity.prob.length && cum[f + 1] < target) f++;
    const guess = (f * activity.hopS) / hop;
    const lo = Math.max(0, j * dMin, Math.floor(guess - halfBand));
    let hi = Math.min(T - (S - j) * dMin + 1, Math.ceil(guess + halfBand));
    if (hi <= lo) hi = lo + 1;
    bands.push({ lo, hi });
    acc += mu[j];
  }
  return bands;
}
