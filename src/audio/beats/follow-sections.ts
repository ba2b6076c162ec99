import { trackBeats } from './dp-tracker.js';
import { onLowPhase } from './low-phase.js';
import { trimUnsupported } from './metered.js';
import type { OnsetStrength } from './onset-strength.js';
import {
  followSections,
  offPeriodShare,
  PERIOD_OFF,
  sectionAgreement,
  type SectionAgreement,
} from './sections.js';

/** A re-tracking along the sections must keep this share of the beats outside them (within KEPT_NEAR of an interval). */
const KEPT_OUTSIDE = 0.8;
const KEPT_NEAR = 0.15;
/** …and leave at most this share of the off-period sections it had. */
const OFF_IMPROVED = 0.5;
/** Fewer re-tracked beats than this: keep the first tracking. */
const MIN_BEATS = 6;

/**
 * The beats tracked again where sections have a periodicity of their own that the tracked
 * interval misses (a tempo step followed late, a stretch where the local tempo curve jumped to
 * another level): the period curve is scaled there to the sections' own periods
 * (`followSections`). The new beats are kept when fewer sections disagree with them.
 */
export function followOffSections(
  norm: Float32Array,
  os: OnsetStrength,
  beats: Float64Array,
  period: number,
  ratio: Float64Array | undefined,
): Float64Array {
  const before = sectionAgreement(os.odf, beats);
  const followed = followSections(before, ratio, os.odf.length);
  if (!followed) return beats;
  const again = trimUnsupported(trackBeats(norm, period, { ratio: followed }), os.odf);
  if (again.length < MIN_BEATS) return beats;
  const moved = onLowPhase(os.odf, os.low, again);
  const kept = keptOutside(before, beats, moved);
  const better = offPeriodShare(sectionAgreement(os.odf, moved)) <= OFF_IMPROVED * offPeriodShare(before);
  return kept >= KEPT_OUTSIDE && better ? moved : beats;
}

/** Share of the beats outside the off-period sections that `after` keeps (a beat within KEPT_NEAR of an interval). */
function keptOutside(
  sections: readonly SectionAgreement[],
  before: Float64Array,
  after: Float64Array,
): number {
  const off = sections.filter((s) => s.period > PERIOD_OFF);
  let outside = 0;
  let kept = 0;
  let j = 0;
  for (let i = 0; i < before.length; i++) {
    const t = before[i];
    if (off.some((s) => t >= s.start && t <= s.end)) continue;
    outside++;
    const tol =
      KEPT_NEAR * ((before[Math.min(i + 1, before.length - 1)] - before[Math.max(0, i - 1)]) / 2 || 1);
    while (j + 1 < after.length && after[j + 1] <= t) j++;
    const near = Math.min(
      Math.abs(after[j] - t),
      j + 1 < after.length ? Math.abs(after[j + 1] - t) : Infinity,
    );
    if (near <= tol) kept++;
  }
  return outside > 0 ? kept / outside : 1;
}
