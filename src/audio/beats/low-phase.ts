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
  const mids = new Float64Array(beats.length - 1);
  for (let i = 0; i < mids.length; i++) mids[i] = 0.5 * (beats[i] + beats[i + 1]);
  const need = alternation(odf, beats) >= ALIKE ? LOW_PHASE_SWITCH_ALIKE : LOW_PHASE_SWITCH;
  return contrastBase(low, mids) > need * contrastBase(low, beats) ? mids : beats;
}
