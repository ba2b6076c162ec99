import { alternation } from './confidence.js';
import { contrastBase } from './metered.js';

/**
 * The low band must be this much stronger half-way between the beats to move them there; less
 * (LOW_PHASE_SWITCH_ALIKE) when every tracked beat is the same hit (odd and even beats alike
 * within ALIKE): a snare on every off-beat, as in a skank. A one-drop groove (kick on 3 only, the
 * bass on the off-beats) has uneven beats and keeps the stricter ratio.
 */
const LOW_PHASE_SWITCH = 1.5;
const LOW_PHASE_SWITCH_ALIKE = 1.15;
const ALIKE = 0.8;
/**
 * Alike beats brighter than the points half-way by this factor relative to the low band, while
 * the low band is not clearly on them (below LOW_UNSURE): see `offSnare`.
 */
const BRIGHT_BEATS = 1.4;
const LOW_UNSURE = 1.3;
/** Fewer beats than this: too few to compare the phases. */
const MIN_BEATS = 6;

/**
 * The beats half a beat later when the low band (kick, bass notes) sits markedly more on the points
 * half-way between the tracked beats than on them: a loud snare on every off-beat (a punk "skank"
 * beat, a polka) pulls the full-band tracker onto the off-beats while the kick and the bass stay on
 * the beat.
 */
export function onLowPhase(odf: Float32Array, low: Float32Array, beats: Float64Array): Float64Array {
  if (beats.length < MIN_BEATS) return beats;
  const later = halfway(beats, odf.length);
  const mids = between(later, beats);
  const need = alternation(odf, beats) >= ALIKE ? LOW_PHASE_SWITCH_ALIKE : LOW_PHASE_SWITCH;
  return contrastBase(low, mids) > need * contrastBase(low, beats) ? later : beats;
}

/**
 * The beats half a beat later when every tracked beat is the same bright hit and the points
 * half-way are the darker ones: a loud snare on every off-beat over a kick turned down in the
 * mix (a punk or ska chorus), whose low band the snare's body fools as well (the kick no longer
 * wins there, so `onLowPhase` keeps the beats). Run on the final beats only: on a first tracking
 * at another level a drum'n'bass break (kick on the "and" of 3) looks the same.
 */
export function offSnare(odf: Float32Array, low: Float32Array, beats: Float64Array): Float64Array {
  if (beats.length < MIN_BEATS || alternation(odf, beats) < ALIKE) return beats;
  const later = halfway(beats, odf.length);
  const mids = between(later, beats);
  const full = contrastBase(odf, beats) / contrastBase(odf, mids);
  const lowRatio = contrastBase(low, beats) / contrastBase(low, mids);
  return lowRatio < LOW_UNSURE && full >= BRIGHT_BEATS * lowRatio ? later : beats;
}

/**
 * The points half-way between the beats, and half a beat after the last one while that lies within
 * `frames` (the analysed length): moving the beats half a beat later keeps their number.
 */
function halfway(beats: Float64Array, frames: number): Float64Array {
  const n = beats.length;
  const after = n >= 2 ? beats[n - 1] + 0.5 * (beats[n - 1] - beats[n - 2]) : Infinity;
  const mids = new Float64Array(after < frames - 1 ? n : n - 1);
  for (let i = 0; i < n - 1; i++) mids[i] = 0.5 * (beats[i] + beats[i + 1]);
  if (mids.length === n) mids[n - 1] = after;
  return mids;
}

/** The points of `later` (from `halfway`) that lie between two of `beats`: the phase is judged on these. */
function between(later: Float64Array, beats: Float64Array): Float64Array {
  return later.subarray(0, beats.length - 1);
}
