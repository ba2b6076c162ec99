import type { SungNote } from '../../audio/pitch/notes.js';
import type { PitchTrack } from '../../audio/pitch/track.js';

/**
 * The body of transcription/notes.json:
 *   { hop, grid: "beats" | "none", notes: [{ start, end, midi, word_index, syllable, text, confidence }],
 *     pitch: { hop, f0: Hz per frame (0 = unvoiced), voicing: 0..1 per frame } }
 * `hop` is the analysis hop of the f0 tracker; `pitch` is that track downsampled by PITCH_STEP
 * (every PITCH_STEP-th frame) to keep the file small.
 * `text` is the syllable's spelling, or "~" for a second note on the same syllable.
 * `confidence` is how likely the note is right (pitch within a semitone, onset within 100 ms),
 * calibrated on the kit's sung songs (BENCHMARKS.md, "Sung notes, fourth pass"), and lowered for
 * a word whose timing is unsure (its transcript confidence below 0.85: "Sung notes, eighth pass").
 */
const PITCH_STEP = 2;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const r2 = (v: number): number => Math.round(v * 100) / 100;

export function renderNotesJson(
  notes: readonly SungNote[],
  track: PitchTrack,
  grid: 'beats' | 'none',
): string {
  const f0: number[] = [];
  const voicing: number[] = [];
  for (let i = 0; i < track.f0.length; i += PITCH_STEP) {
    f0.push(r1(track.f0[i]));
    voicing.push(r2(track.voicing[i]));
  }
  return `${JSON.stringify({
    hop: track.hop,
    grid,
    notes: notes.map((n) => ({
      start: r3(n.start),
      end: r3(n.end),
      midi: n.midi,
      word_index: n.wordIndex,
      syllable: n.syllable,
      text: n.text,
      confidence: Number.isFinite(n.confidence) ? r2(n.confidence) : 0,
    })),
    pitch: { hop: r3(track.hop * PITCH_STEP), f0, voicing },
  })}\n`;
}
