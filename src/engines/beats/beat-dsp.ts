import { trackBeats } from '../../audio/beats/dp-tracker.js';
import { doubledBeats, estimateMeter, meterSignals } from '../../audio/beats/meter.js';
import { FLUX_DELAY, onsetStrength, type OnsetStrength } from '../../audio/beats/onset-strength.js';
import { pickOnsets } from '../../audio/beats/onsets.js';
import { checkOctave, octaveCues } from '../../audio/beats/octave.js';
import { confidenceTerms, type ConfidenceTerms } from '../../audio/beats/confidence.js';
import { clamp01, maxFilter3, std } from '../../audio/beats/stats.js';
import { lattice, referencePeak } from '../../audio/beats/levels.js';
import { offSnare, onLowPhase } from '../../audio/beats/low-phase.js';
import { followOffSections } from '../../audio/beats/follow-sections.js';
import { bestGrid, CLICK_TIGHTNESS, clickGrid, REFINE_SPAN } from '../../audio/beats/click-grid.js';
import { dewarp, localTempo, ratioFromBeats } from '../../audio/beats/local-tempo.js';
import { medianInterval, shareAtPeriod, tempoCurve, tempoSteady } from '../../audio/beats/tempo-curve.js';
import { offPeriodShare, sectionAgreement } from '../../audio/beats/sections.js';
import { CV_IRREGULAR, fitPeriod, intervalCv, trimUnsupported } from '../../audio/beats/metered.js';
import {
  acfAt,
  autocorrelation,
  chooseLevel,
  FAST_BPM,
  levelMargin,
  tempoPeaks,
  type LevelInfo,
} from '../../audio/beats/tempo.js';
import type { EngineInfo } from '../../domain/stage.js';
import type { AnalyzeOptions, BeatAnalysis, TempoCandidate } from './types.js';

export const BEAT_ENGINE: EngineInfo = { name: 'beat-dsp', version: '1.8.0', quality: 'dsp', license: 'MIT' };

/** The autocorrelation is computed down to this tempo (a slow bar). */
const ACF_MIN_BPM = 20;
/** Frame RMS below which a frame counts as silent (−60 dBFS). */
const SILENCE_RMS = 1e-3;
/** Fewer beats than this: no meter. */
const MIN_BEATS_FOR_METER = 6;
/** Compound (ternary) beat when the thirds outweigh the half-beat by this factor. */
const COMPOUND_RATIO = 1.3;
const COMPOUND_MIN = 0.15;
/**
 * A compound beat this fast would have eighths above 450 per minute: at such tempi the thirds are
 * a figure of a fast simple beat (punk's kick on 1 and the "a"), not a 6/8 bar.
 */
const COMPOUND_MAX_BPM = 150;
/** Maps the autocorrelation at the beat period to a 0..1 tempo confidence. */
const ACF_CONFIDENT = 0.5;
const ACF_FLOOR = 0.05;
/** Beat-confidence terms (`beatConfidenceOf`), set on the development sets' calibration. */
const PHASE_UNSURE = 1;
const PHASE_SURE = 1.25;
/**
 * Quarter-beat over half-beat onset strength (`divisionOf`): up to DIVISION_EVEN the beat divides
 * in two (sure), from DIVISION_NOT on the half-beat is no stronger than the quarter-beats (a
 * reading that splits a ternary bar, or the half of a beat whose own eighths are the hats).
 */
const DIVISION_EVEN = 0.9;
const DIVISION_NOT = 1.2;
const EVEN_FROM = 0.6;
const EVEN_POWER = 8;
const SALIENCE_SURE = 2;
const ACF_SURE = 0.15;
/** Share of off-period sections tolerated, and the share at which the beats count as lost (`sectionsFollowed`). */
const SECTIONS_OFF_FREE = 0.1;
const SECTIONS_OFF_FAIL = 0.3;
/** A local tempo within this of the reported one counts as played at it (the scorer's Acc1 window). */
const TEMPO_TOLERANCE = 0.04;
/** Alternative tempi are looked up among the levels within this relative distance; they score below the reported one. */
const CANDIDATE_MATCH = 0.045;
const CANDIDATE_MAX_SCORE = 0.99;
/**
 * Beat and tempo confidence keep this share when the bars are unclear (`barSupport`): beats on
 * the off-beats, at the wrong level or lost after a step blur the bar accents, so a clear bar
 * phase speaks for the beats, but music whose accents do not mark the bar is not wrong for that.
 */
const BAR_FLOOR = 0.6;

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

  // The metrical level is chosen on the onset strength dewarped to a constant tempo, so that a
  // ramp or a tempo step does not smear the periodicities it is chosen from.
  const rawAcf = globalAcf(os.odf, fr);
  const rawPeaks = tempoPeaks(rawAcf, fr);
  const rawRef = referencePeak(rawPeaks, rawAcf) ?? rawPeaks[0];
  if (!rawRef) return empty;
  const sd = std(os.odf) || 1;
  const norm = new Float32Array(os.odf.length);
  for (let i = 0; i < norm.length; i++) norm[i] = os.odf[i] / sd;
  const local = localTempo(os.odf, fr, rawRef.period);
  let steadyOs = os;
  if (!local.steady) {
    // Beats at the reference level, tracked along the tempogram's coarse curve, give the exact
    // warp: each of their intervals becomes one median period.
    const refBeats = trackBeats(norm, rawRef.period, { ratio: local.ratio });
    const warp = ratioFromBeats(refBeats, os.odf.length, false);
    steadyOs = { ...os, odf: dewarp(os.odf, warp), low: dewarp(os.low, warp) };
    local.ratio = ratioFromBeats(refBeats, os.odf.length, true);
  }
  const acf = local.steady ? rawAcf : globalAcf(steadyOs.odf, fr);
  const peaks = local.steady ? rawPeaks : tempoPeaks(acf, fr);
  const ref = local.steady ? rawRef : (referencePeak(peaks, acf) ?? peaks[0]);
  if (!ref) return empty;
  const levels = lattice(steadyOs, acf, ref.period);
  let chosen = chooseLevel(levels);
  opts.checkAbort?.();
  if (!chosen) return empty;
  chosen = notCutAcross(levels, chosen);

  const ratio = local.steady ? undefined : local.ratio;
  // Every grid search reads the strength max-filtered over ±1 frame (click-grid.ts).
  const gridStrength = maxFilter3(norm);
  // A steady song is tracked at the period of its best constant grid (finer than the ACF's lag).
  if (local.steady) chosen = { ...chosen, period: bestGrid(gridStrength, chosen.period, REFINE_SPAN).period };
  const raw = trackBeats(norm, chosen.period, { ratio });
  let beatFrames = trimUnsupported(raw, os.odf);
  opts.checkAbort?.();
  if (beatFrames.length < 2) return empty;
  // A song played to a click keeps one grid: track it again with the grid held (click-grid.ts).
  // Where the local tempo curve moved, the grid is looked for at the song-wide periodicity's
  // multiple nearest the chosen level (the chosen period is the dewarped signal's).
  const rawLevel = rawRef.period * 2 ** Math.round(Math.log2(chosen.period / rawRef.period));
  const near = local.steady ? undefined : bestGrid(gridStrength, rawLevel, REFINE_SPAN).period;
  const click = clickGrid(gridStrength, beatFrames, near);
  const track = (p: number): Float64Array =>
    trimUnsupported(
      click ? trackBeats(norm, p, { tightness: CLICK_TIGHTNESS }) : trackBeats(norm, p, { ratio }),
      os.odf,
    );
  if (click) {
    const locked = track(click.period);
    if (locked.length >= 2) beatFrames = locked;
  }

  beatFrames = onLowPhase(os.odf, os.low, beatFrames);
  const compound =
    chosen.third > COMPOUND_RATIO * chosen.half &&
    chosen.third > COMPOUND_MIN &&
    chosen.bpm <= COMPOUND_MAX_BPM;
  // The level walk decides on periodicities; the tracked beats show what sits on and between them.
  const octave = checkOctave(
    os.odf,
    os.low,
    beatFrames,
    (60 * fr) / (medianInterval(beatFrames) ?? chosen.period),
    compound,
    os.body,
  );
  if (octave.factor !== 1) {
    const period = chosen.period / octave.factor;
    chosen = levelNear(levels, period, fr) ?? { ...chosen, period, bpm: (60 * fr) / period };
    if (octave.factor === 0.5 && !octave.trackAgain)
      beatFrames = beatFrames.filter((_, i) => i % 2 === octave.parity);
    else {
      const again = track(click ? click.period / octave.factor : period);
      if (again.length >= 2) beatFrames = onLowPhase(os.odf, os.low, again);
    }
  }
  const cues = meterSignals(os);
  let beatPeriod = chosen.period;
  if (!compound) {
    const d = doubledBeats({ beats: beatFrames, ...cues });
    if (d.halve) {
      beatFrames = beatFrames.filter((_, i) => i % 2 === d.parity);
      beatPeriod *= 2;
    }
  }
  if (!click) beatFrames = followOffSections(norm, os, beatFrames, beatPeriod, ratio);
  const beforeSnare = beatFrames;
  beatFrames = offSnare(os.odf, os.low, beatFrames);
  const snareMoved = beatFrames !== beforeSnare;
  // On a click grid the beats are consecutive grid points: their least-squares period is the grid's.
  const steady = click !== undefined || (local.steady && tempoSteady(beatFrames));
  const period = (steady ? fitPeriod(beatFrames) : medianInterval(beatFrames)) ?? chosen.period;
  const tempoBpm = (60 * fr) / period;
  const meter =
    beatFrames.length >= MIN_BEATS_FOR_METER
      ? estimateMeter({ beats: beatFrames, ...cues }, compound)
      : undefined;
  const beatsPerBar = meter?.beatsPerBar ?? 0;
  const phase = meter?.phase ?? 0;

  const beats = new Float64Array(beatFrames.length);
  const positions = new Int32Array(beatFrames.length);
  const down: number[] = [];
  for (let i = 0; i < beats.length; i++) {
    beats[i] = Math.max(0, beatFrames[i] - FLUX_DELAY) / fr;
    positions[i] = beatsPerBar > 0 ? ((((i - phase) % beatsPerBar) + beatsPerBar) % beatsPerBar) + 1 : 0;
    if (positions[i] === 1) down.push(beats[i]);
  }

  const oc = octaveCues(os.odf, os.low, beatFrames, os.body);
  const offPeriod = offPeriodShare(sectionAgreement(os.odf, beatFrames));
  const tempoShare = shareAtPeriod(beatFrames, period, TEMPO_TOLERANCE);
  // Periodic at the beat period, a beat that divides in two, the song played at the reported
  // tempo (not the median of a step) and followed in every section (BENCHMARKS.md, calibration).
  const tempoConfidence =
    clamp01((acfAt(acf, steady ? period : chosen.period) - ACF_FLOOR) / (ACF_CONFIDENT - ACF_FLOOR)) *
    (compound ? 1 : divisionOf(oc.half, oc.quarter)) *
    tempoShare *
    sectionsTerm(offPeriod, click?.share) *
    barSupport(meter?.phaseClear);
  const rhythmRegularity = clamp01(1 - intervalCv(beatFrames) / CV_IRREGULAR) * tempoConfidence;
  // Beat confidence from what predicts a wrong beat (calibrated in BENCHMARKS.md, "Beat
  // confidence against beat F"): see `beatConfidenceOf`.
  const terms: ConfidenceTerms = {
    ...confidenceTerms(
      os.odf,
      os.low,
      beatFrames,
      acfAt(acf, steady ? period : chosen.period),
      os.odf.length,
      levelMargin(levels, chosen),
    ),
    half: oc.half,
    quarter: oc.quarter,
    lowHalf: oc.lowHalf,
    lowAlternation: oc.lowAlternation,
    backbeat: oc.backbeat,
    octave: octave.factor,
    compound,
    offPeriod,
    tempoShare,
    snareMoved,
    meterLength: meter?.confidence,
    meterPhase: meter?.phaseClarity,
    barClear: meter?.phaseClear,
    clickShare: click?.share,
  };
  const beatConfidence = beatConfidenceOf(terms);
  return {
    confidenceTerms: terms,
    tempoBpm,
    tempoCandidates: candidates(levels, tempoBpm, beatsPerBar === 3 || compound),
    tempoCurve: tempoCurve(beats, beatsPerBar || 4),
    tempoSteady: steady,
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

/**
 * Beat confidence, 0..1, from the terms that predicted beat F on the development sets (the
 * autocorrelation and the full-band contrast did not: the strongest periodicity is often the
 * wrong level, and a loud off-beat snare makes the off-beats the strongest onsets):
 *  - phase: the low band (kick, bass) at the beats over half-way between them. Below 1 the
 *    beats sit on the off-beats of the kick and bass (a loud off-beat snare won); a half-tempo
 *    reading also shows a low-band beat half-way. Not on a click grid (see the comment inside).
 *  - evenness: weaker over stronger of the odd and even beats. Every beat alike (a snare on every
 *    beat of a half-tempo reading, the off-beats of a skank) makes the phase evidence count for
 *    more: the phase term is raised to the power 1 + EVEN_POWER · evenness.
 *  - a pulse at all: onset strength at the beats above its mean, and some periodicity (noise).
 *  - division: the beat divides in two (`divisionOf`; simple meters only).
 *  - sections: the beats follow the music section by section (`sectionsTerm`; not on a click grid).
 */
export function beatConfidenceOf(t: ConfidenceTerms): number {
  // Beats `offSnare` moved are half-way between the snare hits, where the low band cannot tell:
  // the move itself is the phase evidence (right on every development and held-out song it fired).
  // On a click grid (`clickShare`) the phase is held over the whole song, and on band recordings
  // the low band's ratio is no evidence either way (0.95–1.21 for right beats; BENCHMARKS.md,
  // "Real recordings").
  const phase =
    t.snareMoved || t.clickShare !== undefined
      ? 1
      : clamp01((t.offLow - PHASE_UNSURE) / (PHASE_SURE - PHASE_UNSURE));
  const even = clamp01((t.alternation - EVEN_FROM) / (1 - EVEN_FROM));
  const pulse =
    clamp01((t.salience - 1) / (SALIENCE_SURE - 1)) * clamp01((t.acf - ACF_FLOOR) / (ACF_SURE - ACF_FLOOR));
  const division = t.compound || t.half === undefined ? 1 : divisionOf(t.half, t.quarter ?? 0);
  return (
    phase ** (1 + EVEN_POWER * even) *
    pulse *
    division *
    sectionsTerm(t.offPeriod, t.clickShare) *
    barSupport(t.barClear)
  );
}

/**
 * BAR_FLOOR..1 with the clarity of the bar phase (0..1; 1 without a meter, too few beats to
 * judge). On the development sets this term alone picked the wrong beats and tempi best of all
 * (AUC 0.85 for beat F ≥ 0.90, 0.84 for Acc1; BENCHMARKS.md, "Tempo level and confidences").
 */
export function barSupport(barClear: number | undefined): number {
  return BAR_FLOOR + (1 - BAR_FLOOR) * (barClear ?? 1);
}

/**
 * The sections term of both confidences: `sectionsFollowed`, except on a click grid. There the
 * grid was already required to collect the onsets in every third of the song (click-grid.ts), and
 * a section's own periodicity is no evidence against it: on the development sets every click-grid
 * song with off-period sections (10–43 % of them: syncopated kicks, a ballad's "and"s) was right
 * (beat F 0.96–1.00), so the term only warned on right songs (BENCHMARKS.md, "A slow groove's
 * eighths").
 */
export function sectionsTerm(offPeriod: number | undefined, clickShare: number | undefined): number {
  return clickShare !== undefined ? 1 : sectionsFollowed(offPeriod ?? 0);
}

/**
 * 1 while at most SECTIONS_OFF_FREE of the sections have a periodicity of their own that the
 * tracked interval misses (`offPeriodShare`: a step followed late, a free-tempo intro), falling
 * to 0 at SECTIONS_OFF_FAIL. A failure confined to part of a song leaves every song-wide term
 * intact; this is the term that sees it.
 */
export function sectionsFollowed(offPeriod: number): number {
  return clamp01(1 - (offPeriod - SECTIONS_OFF_FREE) / (SECTIONS_OFF_FAIL - SECTIONS_OFF_FREE));
}

/**
 * 1 when the beats divide in two (the half-beat stronger than the quarter-beats), falling to 0
 * where the half-beat is no stronger than the quarter-beats: four even hits per beat, or beats
 * that cut across a ternary bar (a fast waltz read at 2/3 of its tempo).
 */
export function divisionOf(half: number, quarter: number): number {
  if (!(half > 0)) return 1;
  return clamp01((DIVISION_NOT - quarter / half) / (DIVISION_NOT - DIVISION_EVEN));
}

/**
 * A compound reading (the beat divides in three) whose level 3/2 as fast is more periodic than
 * itself cuts across the bar: the eighths group in twos (a fast 3/4, or a simple beat whose
 * bar the ×3 step split in three), so the beat is two eighths long. In a true 6/8 the two-eighth
 * pulse is far less periodic than the dotted quarter (BENCHMARKS.md: ACF 0.3–0.45 of it).
 */
function notCutAcross(levels: LevelInfo[], chosen: LevelInfo): LevelInfo {
  const compound = chosen.third > COMPOUND_RATIO * chosen.half && chosen.third > COMPOUND_MIN;
  if (!compound) return chosen;
  const faster = levels.find((l) => Math.abs(l.bpm / (1.5 * chosen.bpm) - 1) < CANDIDATE_MATCH);
  return faster && faster.acf > chosen.acf && faster.bpm <= FAST_BPM ? faster : chosen;
}

/** The lattice level within CANDIDATE_MATCH of `period` (frames), if any. */
function levelNear(levels: LevelInfo[], period: number, fr: number): LevelInfo | undefined {
  const bpm = (60 * fr) / period;
  return levels.find((l) => Math.abs(l.bpm / bpm - 1) < CANDIDATE_MATCH);
}

const globalAcf = (odf: Float32Array, fr: number): Float64Array =>
  autocorrelation(odf, Math.min(odf.length - 1, Math.ceil((60 * fr) / ACF_MIN_BPM)));

function emptyAnalysis(duration: number, onsets: Float64Array): BeatAnalysis {
  return {
    tempoBpm: 0,
    tempoCandidates: [],
    tempoCurve: [],
    tempoSteady: false,
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
 * The reported tempo first, then its metrical neighbours — half and double, and a third and
 * triple when the meter is ternary — at exact multiples of the reported tempo, each scored by the
 * autocorrelation of the lattice level there relative to the best level.
 */
function candidates(levels: LevelInfo[], tempoBpm: number, ternary: boolean): TempoCandidate[] {
  const top = Math.max(...levels.map((l) => l.acf), 1e-9);
  const ratios = ternary ? [0.5, 2, 1 / 3, 3] : [0.5, 2];
  const list: TempoCandidate[] = [];
  for (const r of ratios) {
    const target = tempoBpm * r;
    const lv = levels.find((l) => Math.abs(l.bpm / target - 1) < CANDIDATE_MATCH);
    // The reported tempo's exact multiple (the tracked beats are finer than the level's ACF lag).
    if (lv) list.push({ bpm: round2(target), score: round2(clamp01(lv.acf / top) * CANDIDATE_MAX_SCORE) });
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
