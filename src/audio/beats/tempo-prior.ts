/**
 * @file Where a beat rate sits against the range listeners tap along to. Tapping studies
 * (Fraisse; Moelants 2002; van Noorden & Moelants 1999) find the preferred beat between about
 * 80 and 140 BPM, with the resonance near 120: outside it a listener more readily hears the pulse
 * one metrical level nearer that range. The octave check asks for less evidence to move a reading
 * towards the range the further outside it the reading is — never for none: punk and metal are
 * sung at 170–196, and the music decides there (BENCHMARKS.md, "Tempo level from the preferred
 * tempo band").
 */

/** The band of beat rates that needs no correction (BPM). */
export const PREFERRED_LOW_BPM = 80;
export const PREFERRED_HIGH_BPM = 140;
/** Rates at which the strain is full: about ¾ of an octave outside the band. */
const STRAIN_FULL_LOW_BPM = 50;
const STRAIN_FULL_HIGH_BPM = 200;

/**
 * 0 inside the preferred band, rising linearly in log tempo to 1 at STRAIN_FULL_LOW_BPM below it
 * and STRAIN_FULL_HIGH_BPM above it.
 */
export function tempoStrain(bpm: number): number {
  if (!(bpm > 0)) return 0;
  if (bpm > PREFERRED_HIGH_BPM)
    return Math.min(
      1,
      Math.log(bpm / PREFERRED_HIGH_BPM) / Math.log(STRAIN_FULL_HIGH_BPM / PREFERRED_HIGH_BPM),
    );
  if (bpm < PREFERRED_LOW_BPM)
    return Math.min(1, Math.log(PREFERRED_LOW_BPM / bpm) / Math.log(PREFERRED_LOW_BPM / STRAIN_FULL_LOW_BPM));
  return 0;
}
