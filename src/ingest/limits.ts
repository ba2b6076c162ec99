/**
 * What decoded audio may look like, whichever decoder read it (WAV header, WebAssembly decoders,
 * ffprobe): more channels or a rate outside this range is refused before anything is allocated
 * for it. 8 channels covers 7.1; 384 kHz is the highest rate studio formats use.
 */
export const AUDIO_LIMITS = Object.freeze({
  minChannels: 1,
  maxChannels: 8,
  minSampleRate: 8_000,
  maxSampleRate: 384_000,
});

/** The reason audio with this layout is refused, or undefined when it is within the limits. */
export function layoutProblem(channels: number, sampleRate: number): string | undefined {
  const L = AUDIO_LIMITS;
  if (!Number.isInteger(channels) || channels < L.minChannels || channels > L.maxChannels)
    return `the audio has ${channels} channels; ${L.minChannels}–${L.maxChannels} are accepted`;
  if (!(sampleRate >= L.minSampleRate && sampleRate <= L.maxSampleRate))
    return `the audio's sample rate is ${sampleRate} Hz; ${L.minSampleRate}–${L.maxSampleRate} Hz are accepted`;
  return undefined;
}
