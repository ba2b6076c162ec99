import { describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { Worker } from 'node:worker_threads';
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

  it('keeps the mixture on shared memory, so a stage thread reads the same samples instead of a copy', async () => {
    const cache = new MixCache(2);
    const plain = { sampleRate: 8000, channels: [Float32Array.from([0.25, -0.5])] };
    cache.prime('j1', plain);
    const mix = await cache.get('j1', async () => audio(1));
    expect(mix.channels[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(mix.channels[0])).toEqual([0.25, -0.5]);
    const loaded = await cache.get('j2', async () => audio(3));
    expect(loaded.channels[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    // What a thread writes into the posted channel is seen here: one copy, not two.
    const worker = new Worker(
      'const { parentPort } = require("node:worker_threads"); parentPort.once("message", (ch) => { ch[1] = 7; parentPort.postMessage("done"); });',
      { eval: true },
    );
    await new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(mix.channels[0]);
    });
    await worker.terminate();
    expect(mix.channels[0][1]).toBe(7);
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
