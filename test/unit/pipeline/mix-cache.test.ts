import { describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { MixCache } from '../../../src/pipeline/mix-cache.js';

const audio = (n: number): PcmAudio => ({ sampleRate: 8000, channels: [new Float32Array(n)] });

describe('MixCache', () => {
  it('loads once per job and shares the result', async () => {
    const cache = new MixCache(2);
    let loads = 0;
    const load = async () => {
      loads++;
      return audio(10);
    };
    const [a, b] = await Promise.all([cache.get('j1', load), cache.get('j1', load)]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });

  it('keeps only the most recently used jobs, so a burst of uploads does not pile up in memory', async () => {
    const cache = new MixCache(2);
    cache.prime('j1', audio(1));
    cache.prime('j2', audio(2));
    await cache.get('j1', async () => audio(99)); // j1 is now the most recent
    cache.prime('j3', audio(3));
    expect(cache.has('j1')).toBe(true);
    expect(cache.has('j2')).toBe(false);
    expect(cache.has('j3')).toBe(true);
    const again = await cache.get('j2', async () => audio(22));
    expect(again.channels[0].length).toBe(22);
  });

  it('forgets a failed load so the next call tries again', async () => {
    const cache = new MixCache(2);
    await expect(cache.get('j1', async () => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    await new Promise((r) => setTimeout(r, 0));
    expect((await cache.get('j1', async () => audio(5))).channels[0].length).toBe(5);
  });
});
