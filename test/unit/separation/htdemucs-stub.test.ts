import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { CancelledError, UnavailableError } from '../../../src/errors.js';
import { HtdemucsEngine, triangularWeight } from '../../../src/engines/separation/htdemucs-onnx.js';
import { HTDEMUCS_SEGMENT, HtdemucsSession } from '../../../src/engines/separation/htdemucs-session.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { STEM_NAMES } from '../../../src/storage/paths.js';
import { buildStubModel, type StubKind } from './stub-model.js';

const SR = 44_100;
let dir: string;
const sessions: HtdemucsSession[] = [];

async function load(kind: StubKind): Promise<HtdemucsSession> {
  const file = path.join(dir, `${kind}.onnx`);
  await fs.writeFile(file, buildStubModel(kind));
  const s = await HtdemucsSession.load(file, { threads: 1, provider: 'cpu', log: silentLogger() });
  sessions.push(s);
  return s;
}

function engine(session: HtdemucsSession, shifts = 0): HtdemucsEngine {
  return new HtdemucsEngine(session, {
    shifts,
    info: { name: 'htdemucs-onnx', version: 'stub', quality: 'model', license: 'test' },
  });
}

/** A stereo test signal with a DC offset, different in each channel (the standardisation must not mix them). */
function song(seconds: number, sampleRate = SR, channels = 2): PcmAudio {
  const n = Math.round(seconds * sampleRate);
  return {
    sampleRate,
    channels: Array.from({ length: channels }, (_, c) => {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++)
        x[i] =
          0.05 + 0.4 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / sampleRate) + 0.1 * Math.sin(i / 50);
      return x;
    }),
  };
}

/** Σ stems, which must give the mixture back (its DC offset included, shared among the sources). */
function sumOfStems(stems: Record<string, PcmAudio>, mix: PcmAudio, c: number): Float32Array {
  const s = new Float32Array(mix.channels[0].length);
  for (const name of STEM_NAMES) for (let i = 0; i < s.length; i++) s[i] += stems[name].channels[c][i];
  return s;
}

function maxDiff(a: Float32Array, b: Float32Array, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sep-stub-'));
});

afterAll(async () => {
  for (const s of sessions) await s.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('HtdemucsSession with stub models', () => {
  it('rejects a graph whose shapes break the contract, naming the mismatch', async () => {
    const file = path.join(dir, 'wrong.onnx');
    await fs.writeFile(file, buildStubModel('wrong-shape'));
    const err = await HtdemucsSession.load(file, { threads: 1, provider: 'cpu', log: silentLogger() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/input 0 has shape \[1, 2, 1000\], expected \[1, 2, 343980\]/);
  });

  it('reports a corrupt model file as unavailable', async () => {
    const file = path.join(dir, 'corrupt.onnx');
    await fs.writeFile(file, Buffer.from('definitely not a protobuf'));
    await expect(
      HtdemucsSession.load(file, { threads: 1, provider: 'cpu', log: silentLogger() }),
    ).rejects.toThrow(/could not be loaded/);
  });
});

describe('HtdemucsEngine segmenting and overlap-add', () => {
  it('reconstructs the mixture from a stub returning a quarter of it per source (several segments)', async () => {
    const e = engine(await load('quarter-time'));
    const mix = song(20); // 3 full segments and a partial one
    const fractions: number[] = [];
    const stems = await e.separate(mix, { onProgress: (f) => fractions.push(f) });
    for (const name of STEM_NAMES) expect(stems[name].channels[0].length).toBe(mix.channels[0].length);
    for (let c = 0; c < 2; c++)
      expect(maxDiff(sumOfStems(stems, mix, c), mix.channels[c])).toBeLessThan(1e-5);
    expect(maxDiff(stems.vocals.channels[1], stems.drums.channels[1])).toBe(0);
    expect(fractions).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('averages random shifts without changing an exact reconstruction, reproducibly', async () => {
    const e = engine(await load('quarter-time'), 2);
    const mix = song(9);
    const a = await e.separate(mix);
    expect(maxDiff(sumOfStems(a, mix, 0), mix.channels[0])).toBeLessThan(1e-5);
    const b = await e.separate(mix);
    expect(maxDiff(a.bass.channels[0], b.bass.channels[0])).toBe(0);
  });

  it('inverts the frequency branch into the time domain (iSTFT path) for a short song', async () => {
    const e = engine(await load('quarter-freq'));
    const mix = song(4); // shorter than a segment: centred in it, away from the dropped edge frames
    const stems = await e.separate(mix);
    for (let c = 0; c < 2; c++)
      expect(maxDiff(sumOfStems(stems, mix, c), mix.channels[c])).toBeLessThan(1e-4);
  });

  it('handles mono input at another sample rate by resampling and returns mono at that rate', async () => {
    const e = engine(await load('quarter-time'));
    const mix = song(3, 22_050, 1);
    const stems = await e.separate(mix);
    expect(stems.vocals.sampleRate).toBe(22_050);
    expect(stems.vocals.channels).toHaveLength(1);
    expect(stems.vocals.channels[0].length).toBe(mix.channels[0].length);
    const n = mix.channels[0].length;
    const sum = new Float32Array(n);
    for (const name of STEM_NAMES) for (let i = 0; i < n; i++) sum[i] += stems[name].channels[0][i];
    // Two band-limited resamplings: allow their ripple, but the signal must come back.
    expect(maxDiff(sum, mix.channels[0], 200, n - 200)).toBeLessThan(0.01);
  });

  it('stops between segments when cancelled', async () => {
    const e = engine(await load('quarter-time'));
    const ac = new AbortController();
    const run = e.separate(song(20), { signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('triangularWeight', () => {
  it('rises from 1/peak to 1 and falls back symmetrically', () => {
    const w = triangularWeight(HTDEMUCS_SEGMENT);
    expect(w[0]).toBeCloseTo(1 / (HTDEMUCS_SEGMENT / 2), 12);
    expect(Math.max(...w.subarray(HTDEMUCS_SEGMENT / 2 - 2, HTDEMUCS_SEGMENT / 2 + 2))).toBe(1);
    expect(w[10]).toBe(w[HTDEMUCS_SEGMENT - 11]);
  });
});
