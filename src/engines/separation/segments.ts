/**
 * @file How htdemucs walks a song: segments of the training length, each overlapping its
 * neighbour by a share of a segment (demucs' `--overlap`, 0.25 by default there and here).
 * A smaller overlap runs fewer segments (0.25: one every 5.85 s; 0.1: every 7.02 s).
 */

export const DEFAULT_OVERLAP = 0.25;
