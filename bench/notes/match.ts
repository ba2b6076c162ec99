/**
 * The notes target's match (issue 13), shared by `bench/notes-eval.ts` and `bench/notes-fast.ts`: a
 * true note is matched by the nearest reported note not matched yet whose onset is within
 * ONSET_S and whose MIDI pitch is within one semitone.
 */
export const ONSET_S = 0.1;

/** Index in `notes` of the note that matches `truth` (marked in `used`), or −1. */
export function matchNote(
  notes: readonly { start: number; midi: number }[],
  truth: { start: number; midi: number },
  used: Set<number>,
): number {
  let best = -1;
  let bestD = Infinity;
  notes.forEach((n, i) => {
    const d = Math.abs(n.start - truth.start);
    if (used.has(i) || d > ONSET_S || Math.abs(n.midi - truth.midi) > 1) return;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  if (best >= 0) used.add(best);
  return best;
}
