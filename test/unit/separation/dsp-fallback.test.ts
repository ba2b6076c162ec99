import { describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { DspFallbackEngine } from '../../../src/engines/separation/dsp-fallback.js';
import { engineInfo } from '../../../src/engines/descriptor.js';
import { separationEngine } from '../../../src/engines/separation/engines.js';
import { CancelledError } from '../../../src/errors.js';
import { STEM_NAMES, type StemName } from '../../../src/storage/paths.js';

const SR = 44_100;
const N = SR * 3;

function stereo(fn: (i: number) => [number, number], n = N): PcmAudio {
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) [l[i], r[i]] = fn(i);
  return { sampleRate: SR, channels: [l, r] };
}

const sine = (hz: number, i: number) => Math.sin((2 * Math.PI * hz * i) / SR);
/** A 0.5 s click train: short decaying noise bursts, broadband and brief. */
const click = (i: number) => {
  const k = i % (SR / 2);
  return k < 300 ? Math.exp(-k / 60) * Math.sin(k * 2.3) * Math.sin(k * 0.77 + 1) : 0;
};

function energy(a: PcmAudio): number {
  let e = 0;
  for (const ch of a.channels) for (let i = 0; i < ch.length; i++) e += ch[i] * ch[i];
  return e;
}

function shares(stems: Record<StemName, PcmAudio>): Record<StemName, number> {
  const total = STEM_NAMES.reduce((acc, s) => acc + energy(stems[s]), 0);
  return Object.fromEntries(STEM_NAMES.map((s) => [s, energy(stems[s]) / total])) as Record<StemName, number>;
}

describe('DspFallbackEngine', () => {
  const engine = new DspFallbackEngine(engineInfo(separationEngine('dsp')));

  it('is labelled as a fallback', () => {
    expect(engine.info).toMatchObject({ name: 'dsp-fallback', quality: 'fallback' });
  });

  it('returns four stems that sum exactly to the mixture', async () => {
    const mix = stereo((i) => [
      0.3 * sine(82, i) + 0.5 * click(i) + 0.2 * sine(660, i),
      0.3 * sine(82, i) + 0.4 * click(i) - 0.1 * sine(990, i),
    ]);
    const stems = await engine.separate(mix);
    for (let c = 0; c < 2; c++) {
      let maxErr = 0;
      for (let i = 0; i < N; i++) {
        const s = STEM_NAMES.reduce((acc, name) => acc + stems[name].channels[c][i], 0);
        maxErr = Math.max(maxErr, Math.abs(s - mix.channels[c][i]));
      }
      expect(maxErr).toBeLessThan(1e-5);
    }
  });

  it('sends a steady low tone to bass, clicks to drums, a centred voice-band tone to vocals, a side tone to other', async () => {
    expect(
      shares(await engine.separate(stereo((i) => [0.5 * sine(55, i), 0.5 * sine(55, i)]))).bass,
    ).toBeGreaterThan(0.8);
    expect(shares(await engine.separate(stereo((i) => [click(i), click(i)]))).drums).toBeGreaterThan(0.6);
    expect(
      shares(await engine.separate(stereo((i) => [0.5 * sine(440, i), 0.5 * sine(440, i)]))).vocals,
    ).toBeGreaterThan(0.8);
    expect(
      shares(await engine.separate(stereo((i) => [0.5 * sine(440, i), -0.5 * sine(440, i)]))).other,
    ).toBeGreaterThan(0.8);
  });

  it('keeps mono input mono and reports monotonic progress up to 1', async () => {
    const mono: PcmAudio = { sampleRate: SR, channels: [stereo((i) => [sine(220, i), 0]).channels[0]] };
    const seen: number[] = [];
    const stems = await engine.separate(mono, { onProgress: (f) => seen.push(f) });
    expect(stems.vocals.channels).toHaveLength(1);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('honours cancellation', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      engine.separate(
        stereo(() => [0, 0]),
        { signal: ac.signal },
      ),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
