import { trackBeats } from '../../audio/beats/dp-tracker.js';
import { doubledBeats, estimateMeter } from '../../audio/beats/meter.js';
import { onsetStrength, type OnsetStrength } from '../../audio/beats/onset-strength.js';
import { pickOnsets } from '../../audio/beats/onsets.js';
import { pulseProfile } from '../../audio/beats/pulse.js';
import { clamp01, maxAround, mean, median, std } from '../../audio/beats/stats.js';
import {
  acfAt,
  acfNear,
  autocorrelation,
  chooseLevel,
  LATTICE,
  tempoPeaks,
  type LevelInfo,
  type TempoPeak,
} from '../../audio/beats/tempo.js';
import type { EngineInfo } from '../../domain/stage.js';
import type { AnalyzeOptions, BeatAnalysis, TempoCandidate } from './types.js';

export const BEAT_ENGINE: EngineInfo = { name: 'beat-dsp', version: '1.0.0', quality: 'dsp', license: 'MIT' };

/** Reference peak for the metrical lattice is looked for in this tempo range first. */
const REF_MIN_BPM = 40;
const REF_MAX_BPM = 240;
/** How many of the strongest peaks compete to be the reference, and the period multiples that support one. */
const REF_PEAKS = 8;
const REF_SUPPORT = [0.5, 2, 4];
/** Slowest level considered (a long bar). */
const LATTICE_MIN_BPM = 15;
/** The autocorrelation is computed down to this tempo; slower levels are not snapped. */
const ACF_MIN_BPM = 20;
const LATTICE_MAX_BPM = 600;
/** Lattice levels snap to the autocorrelation peak within this relative distance. */
const SNAP_TOLERANCE = 0.03;
/** Mean absolute level below which a frame counts as silent (−60 dBFS). */
const SILENCE_RMS = 1e-3;
/** Fewer beats than this: no meter. */
const MIN_BEATS_FOR_METER = 6;
/** Where the metered part starts and ends (see `trimUnsupported`); strengths relative to the median beat. */
const SUPPORT_RADIUS = 3;
const SUPPORT_RUN = 4;
const START_FRACTION = 0.15;
const END_STRONG = 0.8;
const END_SUSTAIN = 0.55;
/** Compound (ternary) beat when the thirds outweigh the half-beat by this factor. */
const COMPOUND_RATIO = 1.3;
const COMPOUND_MIN = 0.15;
/** Maps the autocorrelation at the beat period to a 0..1 tempo confidence. */
const ACF_CONFIDENT = 0.5;
const ACF_FLOOR = 0.05;
/** Beat onset strength this many times the average makes a fully confident beat. */
const SALIENCE_CONFIDENT = 4;
/** Alternative tempi are looked up among the levels within this relative distance; they score below the reported one. */
const CANDIDATE_MATCH = 0.045;
const CANDIDATE_MAX_SCORE = 0.99;
/** Coefficient of variation of inter-beat intervals at which regularity reaches 0. */
const CV_IRREGULAR = 0.15;

/**
 * Tempo, beats, downbeats, meter and onsets of a song. `audio` is mono, or the channels of a
 * multichannel signal (analysed as their average, without a full-rate mono copy). Pure: no I/O.
 */
export function analyzeBeats(
  audio: Float32Array | readonly Float32Array[],
  sampleRate: number,
  opts: AnalyzeOptions = {},
): BeatAnalysis {
  const length = audio instanceof Float32Array ? audio.length : (audio[0]?.length ?? 0);
  const duration = length / sampleRate;
  const os = onsetStrength(audio, sampleRate);
  opts.checkAbort?.();
  const fr = os.frameRate;
  const silentFloor = silentFrames(os);
  const onsets = pickOnsets(os.high, fr, silentFloor);
  const empty = emptyAnalysis(duration, onsets);
  if (os.odf.length < 4) return empty;

  const acf = autocorrelation(os.odf, Math.min(os.odf.length - 1, Math.ceil((60 * fr) / ACF_MIN_BPM)));
  const peaks = tempoPeaks(acf, fr);
  const ref = referencePeak(peaks, acf) ?? peaks[0];
  if (!ref) return empty;
  const levels = lattice(os, acf, ref.period);
  const chosen = chooseLevel(levels);
  opts.checkAbort?.();
  if (!chosen) return empty;

  const sd = std(os.odf) || 1;
  const norm = new Float32Array(os.odf.length);
  for (let i = 0; i < norm.length; i++) norm[i] = os.odf[i] / sd;
  const raw = trackBeats(norm, chosen.period);
  let beatFrames = trimUnsupported(raw, os.odf);
  opts.checkAbort?.();
  if (beatFrames.length < 2) return empty;

  const compound = chosen.third > COMPOUND_RATIO * chosen.half && chosen.third > COMPOUND_MIN;
  const cues = { odf: os.odf, low: os.low, logMel: os.logMel, bands: os.bands };
  if (!compound) {
    const d = doubledBeats({ beats: beatFrames, ...cues });
    if (d.halve) beatFrames = beatFrames.filter((_, i) => i % 2 === d.parity);
  }
  const period = fitPeriod(beatFrames) ?? chosen.period;
  const tempoBpm = (60 * fr) / period;
  const meter =
    beatFrames.length >= MIN_BEATS_FOR_METER
      ? estimateMeter(
          { beats: beatFrames, odf: os.odf, low: os.low, logMel: os.logMel, bands: os.bands },
          compound,
        )
      : undefined;
  const beatsPerBar = meter?.beatsPerBar ?? 0;
  const phase = meter?.phase ?? 0;

  const beats = new Float64Array(beatFrames.length);
  const positions = new Int32Array(beatFrames.length);
  const down: number[] = [];
  for (let i = 0; i < beats.length; i++) {
    beats[i] = beatFrames[i] / fr;
    positions[i] = beatsPerBar > 0 ? ((((i - phase) % beatsPerBar) + beatsPerBar) % beatsPerBar) + 1 : 0;
    if (positions[i] === 1) down.push(beats[i]);
  }

  const tempoConfidence = clamp01((acfAt(acf, period) - ACF_FLOOR) / (ACF_CONFIDENT - ACF_FLOOR));
  // How far the onset strength at the beats stands above its average level, times periodicity.
  const salience = contrastBase(os.odf, beatFrames) / (mean(os.odf) || 1);
  const beatConfidence = tempoConfidence * clamp01((salience - 1) / (SALIENCE_CONFIDENT - 1));
  const rhythmRegularity = clamp01(1 - intervalCv(beatFrames) / CV_IRREGULAR) * tempoConfidence;
  return {
    tempoBpm,
    tempoCandidates: candidates(levels, tempoBpm, beatsPerBar === 3 || compound),
    timeSignature: signature(beatsPerBar, compound),
    beatsPerBar,
    compound,
    beats,
    beatPositions: positions,
    downbeats: Float64Array.from(down),
    onsets,
    tempoConfidence,
    beatConfidence,
    meterConfidence: (meter?.confidence ?? 0) * beatConfidence,
    rhythmRegularity,
    duration,
  };
}

function emptyAnalysis(duration: number, onsets: Float64Array): BeatAnalysis {
  return {
    tempoBpm: 0,
    tempoCandidates: [],
    timeSignature: 'unknown',
    beatsPerBar: 0,
    compound: false,
    beats: new Float64Array(0),
    beatPositions: new Int32Array(0),
    downbeats: new Float64Array(0),
    onsets,
    tempoConfidence: 0,
    beatConfidence: 0,
    meterConfidence: 0,
    rhythmRegularity: 0,
    duration,
  };
}

/** Onset-picking floor: the largest (high-weighted) flux seen in silent frames, so silence yields no onsets. */
function silentFrames(os: OnsetStrength): number {
  let floor = 0;
  for (let i = 0; i < os.rms.length; i++)
    if (os.rms[i] < SILENCE_RMS && os.high[i] > floor) floor = os.high[i];
  return floor;
}

/**
 * The peak whose metrical lattice is best supported: every level of a true meter (bar, beat,
 * subdivision) is itself periodic, so the right reference collects autocorrelation at its
 * multiples and fractions, while a spurious peak (e.g. a 2/5 relation) does not.
 */
function referencePeak(peaks: TempoPeak[], acf: Float64Array): TempoPeak | undefined {
  let best: TempoPeak | undefined;
  let bestScore = -Infinity;
  for (const p of peaks.slice(0, REF_PEAKS)) {
    if (p.bpm < REF_MIN_BPM || p.bpm > REF_MAX_BPM) continue;
    let s = p.acf;
    for (const m of REF_SUPPORT) s += 0.5 * acfNear(acf, p.period * m, SNAP_TOLERANCE);
    if (s > bestScore) {
      bestScore = s;
      best = p;
    }
  }
  return best;
}

/** Levels P0·m of the lattice, each snapped to its autocorrelation peak and profiled. */
function lattice(os: OnsetStrength, acf: Float64Array, p0: number): LevelInfo[] {
  const fr = os.frameRate;
  const out: LevelInfo[] = [];
  for (const m of LATTICE) {
    let period = p0 / m;
    const bpm = (60 * fr) / period;
    if (bpm < LATTICE_MIN_BPM || bpm > LATTICE_MAX_BPM || period < 2 || period * 2 > os.odf.length) continue;
    period = snap(acf, period);
    const pp = pulseProfile(os.odf, period);
    out.push({
      period,
      bpm: (60 * fr) / period,
      acf: acfAt(acf, period),
      half: pp.on > 0 ? pp.half / pp.on : 0,
      quarter: pp.on > 0 ? pp.quarter / pp.on : 0,
      third: pp.on > 0 ? pp.third / pp.on : 0,
      even2: pp.even2,
    });
  }
  return out;
}

function snap(acf: Float64Array, period: number): number {
  const a = Math.max(1, Math.floor(period * (1 - SNAP_TOLERANCE)));
  const b = Math.min(acf.length - 2, Math.ceil(period * (1 + SNAP_TOLERANCE)));
  let best = -Infinity;
  let arg = -1;
  for (let i = a; i <= b; i++) {
    if (acf[i] > best && acf[i] >= acf[i - 1] && acf[i] >= acf[i + 1]) {
      best = acf[i];
      arg = i;
    }
  }
  if (arg < 0) return period;
  const d = acf[arg - 1] - 2 * acf[arg] + acf[arg + 1];
  return d < 0 ? arg + (0.5 * (acf[arg - 1] - acf[arg + 1])) / d : arg;
}

/**
 * The DP tracker runs its grid from the first frame to the last; outside the metered part (a
 * rubato intro, silence, the reverb tail after the final hit) its beats fall where nothing
 * happens. A beat's strength is the largest onset peak within SUPPORT_RADIUS frames, relative to
 * the median beat. The metered part starts at the first run of SUPPORT_RUN beats of at least
 * START_FRACTION, and ends at the last strong beat (END_STRONG) followed only by beats that keep
 * at least END_SUSTAIN (so a fade-out keeps its beats while a decaying tail does not).
 */
function trimUnsupported(frames: Int32Array, odf: Float32Array): Float64Array {
  const n = frames.length;
  const s = Float64Array.from(frames, (f) => peakAround(odf, f, SUPPORT_RADIUS));
  const med = median(s);
  let a = 0;
  while (a < n) {
    let run = 0;
    while (run < SUPPORT_RUN && a + run < n && s[a + run] >= START_FRACTION * med) run++;
    if (run === SUPPORT_RUN || a + run === n) break;
    a += run + 1;
  }
  let last = n - 1;
  while (last > a && s[last] < END_STRONG * med) last--;
  let b = last + 1;
  while (b < n && s[b] >= END_SUSTAIN * med) b++;
  return Float64Array.from(frames.subarray(a, b));
}

/** Largest local maximum of x (a frame not smaller than its neighbours) within ±radius of pos. */
function peakAround(x: Float32Array, pos: number, radius: number): number {
  let m = 0;
  for (let i = Math.max(1, pos - radius); i <= Math.min(x.length - 2, pos + radius); i++) {
    if (x[i] > m && x[i] >= x[i - 1] && x[i] >= x[i + 1]) m = x[i];
  }
  return m;
}

/** Least-squares period of beats assumed consecutive; undefined when too few. */
function fitPeriod(beats: Float64Array): number | undefined {
  const n = beats.length;
  if (n < 3) return n === 2 ? beats[1] - beats[0] : undefined;
  const mi = (n - 1) / 2;
  let mb = 0;
  for (let i = 0; i < n; i++) mb += beats[i];
  mb /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mi) * (beats[i] - mb);
    den += (i - mi) * (i - mi);
  }
  return num / den;
}

function intervalCv(beats: Float64Array): number {
  if (beats.length < 3) return 1;
  const d = new Float64Array(beats.length - 1);
  for (let i = 0; i < d.length; i++) d[i] = beats[i + 1] - beats[i];
  const m = d.reduce((s, v) => s + v, 0) / d.length;
  return m > 0 ? std(d) / m : 1;
}

function contrastBase(odf: Float32Array, beats: Float64Array): number {
  let s = 0;
  for (let i = 0; i < beats.length; i++) s += maxAround(odf, beats[i], 2);
  return beats.length > 0 && s > 0 ? s / beats.length : 1;
}

/**
 * The reported tempo first, then its metrical neighbours — half and double, and a third and
 * triple when the meter is ternary — each scored by its autocorrelation relative to the best level.
 */
function candidates(levels: LevelInfo[], tempoBpm: number, ternary: boolean): TempoCandidate[] {
  const top = Math.max(...levels.map((l) => l.acf), 1e-9);
  const ratios = ternary ? [0.5, 2, 1 / 3, 3] : [0.5, 2];
  const list: TempoCandidate[] = [];
  for (const r of ratios) {
    const target = tempoBpm * r;
    const lv = levels.find((l) => Math.abs(l.bpm / target - 1) < CANDIDATE_MATCH);
    if (lv) list.push({ bpm: round2(lv.bpm), score: round2(clamp01(lv.acf / top) * CANDIDATE_MAX_SCORE) });
  }
  list.sort((a, b) => b.score - a.score);
  return [{ bpm: round2(tempoBpm), score: 1 }, ...list];
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

function signature(beatsPerBar: number, compound: boolean): string {
  if (beatsPerBar === 0) return 'unknown';
  if (compound) return `${beatsPerBar * 3}/8`;
  return `${beatsPerBar}/4`;
}
