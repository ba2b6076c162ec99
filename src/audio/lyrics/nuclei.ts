/**
 * Syllable nuclei: the vowel of every sung syllable is a local energy peak that stands out
 * from the dips on both sides (consonants, gaps). Counting them inside a word's span and
 * comparing with the word's syllable count tells the aligner which word a stretch of audio
 * can be — the only trace of word identity a model-free aligner has.
 */
const SMOOTH_FRAMES = 2; // ±20 ms moving average: one peak per vowel, not per pitch period
const PEAK_HALF_WIDTH = 5; // a nucleus is the maximum within ±50 ms
const DIP_SEARCH_FRAMES = 10; // looks up to 100 ms each side for the dip that delimits it
export const NUCLEUS_PROMINENCE_DB = 2.5;
const VOICED = 0.5;

/** 1 at frames that are syllable nuclei, else 0 (frames as in `energyDb`). */
export function syllableNuclei(energyDb: Float32Array, voicedProb: Float32Array): Uint8Array {
  const n = energyDb.length;
  const sm = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    let c = 0;
    for (let k = -SMOOTH_FRAMES; k <= SMOOTH_FRAMES; k++) {
      if (t + k >= 0 && t + k < n) {
        s += energyDb[t + k];
        c++;
      }
    }
    sm[t] = s / c;
  }
  const out = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    if (voicedProb[t] < VOICED) continue;
    let isMax = true;
    for (let k = 1; k <= PEAK_HALF_WIDTH && isMax; k++) {
      // Strict on one side so a flat top yields one nucleus.
      if ((t - k >= 0 && sm[t - k] > sm[t]) || (t + k < n && sm[t + k] >= sm[t])) isMax = false;
    }
    if (!isMax) continue;
    let left = sm[t];
    let right = sm[t];
    for (let k = 1; k <= DIP_SEARCH_FRAMES; k++) {
      if (t - k >= 0) left = Math.min(left, sm[t - k]);
      if (t + k < n) right = Math.min(right, sm[t + k]);
    }
    if (sm[t] - left >= NUCLEUS_PROMINENCE_DB && sm[t] - right >= NUCLEUS_PROMINENCE_DB) out[t] = 1;
  }
  return out;
}
