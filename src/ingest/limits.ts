/**
 * @file What decoded audio may look like, whichever decoder read it (WAV header, WebAssembly decoders,
 * ffprobe): more channels or a rate outside this range is refused before anything is allocated
 * for it. 8 channels covers 7.1; 384 kHz is the highest rate studio formats use.
 */

import { InputError } from '../errors.js';

export const AUDIO_LIMITS = Object.freeze({
  minChannels: 1,
  maxChannels: 8,
  minSampleRate: 8_000,
  maxSampleRate: 384_000,
});

/**
 * Samples (frames × channels) a file may decode to: its longest accepted duration in 7.1 at
 * 48 kHz (or stereo at 192 kHz). Compressed formats store silence in a few bytes a frame: a
 * 386 KB FLAC of 15 min, 8 channels at 384 kHz, is 2.8 billion samples (11 GB as float, 35 times
 * the longest stereo song at 44.1 kHz), where a real recording of that layout and length is
 * gigabytes. Within this bound no file costs more than a 7.1 film soundtrack of that length.
 */
export function decodedSampleLimit(maxDurationS: number): number {
  return Math.ceil(maxDurationS * 8 * 48_000);
}

/** The reason audio with this layout is refused, or undefined when it is within the limits. */
export function layoutProblem(channels: number, sampleRate: number): string | undefined {
  const L = AUDIO_LIMITS;
  if (!Number.isInteger(channels) || channels < L.minChannels || channels > L.maxChannels)
    return `the audio has ${channels} channels; ${L.minChannels}–${L.maxChannels} are accepted`;
  if (!(sampleRate >= L.minSampleRate && sampleRate <= L.maxSampleRate))
    return `the audio's sample rate is ${sampleRate} Hz; ${L.minSampleRate}–${L.maxSampleRate} Hz are accepted`;
  return undefined;
}

/** Throws a 422 when a header's sample rate or channel count is outside AUDIO_LIMITS. */
export function checkAudioFormat(fmt: { sampleRate: number; channels: number }): void {
  const L = AUDIO_LIMITS;
  if (!(fmt.sampleRate >= L.minSampleRate && fmt.sampleRate <= L.maxSampleRate))
    throw new InputError(
      'BAD_SAMPLE_RATE',
      `the audio header claims ${fmt.sampleRate} Hz; accepted: ${L.minSampleRate}–${L.maxSampleRate} Hz`,
      422,
    );
  if (!(Number.isInteger(fmt.channels) && fmt.channels >= L.minChannels && fmt.channels <= L.maxChannels))
    throw new InputError(
      'BAD_CHANNELS',
      `the audio header claims ${fmt.channels} channels; accepted: ${L.minChannels}–${L.maxChannels}`,
      422,
    );
}
