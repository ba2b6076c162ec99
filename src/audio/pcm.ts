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
