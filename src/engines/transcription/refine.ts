import type { VocalFeatures } from '../../audio/lyrics/features.js';

/**
 * Start refinement: the programme's start is on a 20 ms grid and tied to the activity
 * threshold, which fires after the word has begun. Look near it for the strongest onset
 * and then walk back to where the energy left the background before that onset.
 */
const SEARCH_BEFORE_S = 0.08;
const SEARCH_AFTER_S = 0.06;
const RISE_ABOVE_BACKGROUND_DB = 6;
const BACKGROUND_LOOKBACK_S = 0.1;

export function refineStart(features: VocalFeatures, start: number, end: number): number {
  const hop = features.hopS;
  const n = features.onset.length;
  const a = Math.max(1, Math.round((start - SEARCH_BEFORE_S) / hop));
  const b = Math.min(n - 1, Math.round(Math.min(end, start + SEARCH_AFTER_S) / hop));
  if (b <= a) return start;
  let peak = a;
  for (let t = a; t <= b; t++) if (features.onset[t] > features.onset[peak]) peak = t;
  const e = features.energyDb;
  const lb = Math.max(0, peak - Math.round(BACKGROUND_LOOKBACK_S / hop));
  let bg = Infinity;
  for (let t = lb; t <= peak; t++) bg = Math.min(bg, e[t]);
  let t = peak;
  while (t > lb && e[t - 1] > bg + RISE_ABOVE_BACKGROUND_DB) t--;
  return t * hop;
}
