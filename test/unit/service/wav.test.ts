import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, WavFormatError } from '../../../src/audio/wav.js';

describe('WAV codec', () => {
  const sig = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin(i * f));
  it('round-trips float32 exactly and 16-bit within one step', () => {
    const audio = { sampleRate: 22050, channels: [sig(1000, 0.01), sig(1000, 0.03)] };
    const f = decodeWav(encodeWav(audio, 'f32'));
    expect(f.sampleRate).toBe(22050);
    expect(f.channels[1]).toEqual(audio.channels[1]);
    const s = decodeWav(encodeWav(audio, 's16'));
    for (let i = 0; i < 1000; i++)
      expect(Math.abs(s.channels[0][i] - audio.channels[0][i])).toBeLessThan(1 / 32767);
  });
  it('clips out-of-range samples when writing 16-bit', () => {
    const s = decodeWav(encodeWav({ sampleRate: 8000, channels: [Float32Array.from([2, -2, 0.5])] }, 's16'));
    expect(s.channels[0][0]).toBeCloseTo(1, 3);
    expect(s.channels[0][1]).toBeCloseTo(-1, 3);
  });
  it('refuses what is not WAV', () => {
    expect(() => decodeWav(Buffer.from('not a wav file at all'))).toThrow(WavFormatError);
  });
});
