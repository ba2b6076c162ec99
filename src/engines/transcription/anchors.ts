import { normalizeWord, type LyricToken } from './lyrics-text.js';
import type { RecognizedWord } from './recognizer.js';

/**
 * Recognised words → anchors for the given lyrics: a Levenshtein alignment of the two word
 * sequences; a lyric word gets the recognised start time when both agree on the word and
 * at least one neighbour also matches (a lone "the" matching somewhere is not evidence).
 */
export function matchAnchors(
  tokens: readonly LyricToken[],
  recognized: readonly RecognizedWord[],
): (number | undefined)[] {
  const a = tokens.map((t) => t.norm);
  const b = recognized.map((w) => normalizeWord(w.word));
  const n = a.length;
  const m = b.length;
  const anchors: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  if (n === 0 || m === 0) return anchors;
  // Cost matrix (n+1)×(m+1) in one typed array; songs have at most a few thousand words.
  const w = m + 1;
  const cost = new Uint32Array((n + 1) * w);
  for (let i = 0; i <= n; i++) cost[i * w] = i;
  for (let j = 0; j <= m; j++) cost[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = cost[(i - 1) * w + j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cost[i * w + j] = Math.min(sub, cost[(i - 1) * w + j] + 1, cost[i * w + j - 1] + 1);
    }
  }
  const match = new Int32Array(n).fill(-1);
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    const here = cost[i * w + j];
    if (a[i - 1] === b[j - 1] && here === cost[(i - 1) * w + j - 1]) {
      match[i - 1] = j - 1;
      i--;
      j--;
    } else if (here === cost[(i - 1) * w + j - 1] + 1) {
      i--;
      j--;
    } else if (here === cost[(i - 1) * w + j] + 1) i--;
    else j--;
  }
  let prevStart = -Infinity;
  for (let k = 0; k < n; k++) {
    if (match[k] < 0) continue;
    const neighbour = (k > 0 && match[k - 1] >= 0) || (k + 1 < n && match[k + 1] >= 0);
    const start = recognized[match[k]].start;
    if (neighbour && start >= prevStart) {
      anchors[k] = start;
      prevStart = start;
    }
  }
  return anchors;
}
