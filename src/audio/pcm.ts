/** Planar float PCM: one Float32Array per channel, samples in [-1, 1]. */
export interface PcmAudio {
  sampleRate: number;
  channels: Float32Array[];
}

export function pcmLength(audio: PcmAudio): number {
  return audio.channels[0]?.length ?? 0;
}

export function pcmDuration(audio: PcmAudio): number {
  return pcmLength(audio) / audio.sampleRate;
}

/** Average of all channels (a new array). */
export function toMono(audio: PcmAudio): Float32Array {
  const n = pcmLength(audio);
  const out = new Float32Array(n);
  const k = audio.channels.length;
  if (k === 0) return out;
  for (const ch of audio.channels) for (let i = 0; i < n; i++) out[i] += ch[i];
  if (k > 1) for (let i = 0; i < n; i++) out[i] /= k;
  return out;
}

/**
 * The same audio on shared memory (SharedArrayBuffer), so that handing it to a worker thread
 * shares it instead of copying it (≈ 63 MB per 3-minute stereo song and thread). Audio already
 * on shared memory is returned as it is. Whoever holds it must treat it as read-only.
 */
export function sharedPcm(audio: PcmAudio): PcmAudio {
  if (audio.channels.every((ch) => ch.buffer instanceof SharedArrayBuffer)) return audio;
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((ch) => {
      const shared = new Float32Array(new SharedArrayBuffer(ch.length * Float32Array.BYTES_PER_ELEMENT));
      shared.set(ch);
      return shared;
    }),
  };
}
