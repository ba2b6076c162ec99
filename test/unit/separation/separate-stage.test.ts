import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { decodeWav } from '../../../src/audio/wav.js';
import type { AppConfig } from '../../../src/config.js';
import type { JobOptions, StageContext } from '../../../src/domain/stage.js';
import type { ModelSpec } from '../../../src/engines/models.js';
import { separationEngine } from '../../../src/engines/separation/engines.js';
import { SessionCache } from '../../../src/engines/session-cache.js';
import { CancelledError, UnavailableError } from '../../../src/errors.js';
import { createSeparationStage } from '../../../src/stages/separate.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { buildStubModel } from './stub-model.js';
import { stageContext } from '../../helpers/stage-context.js';

const SR = 44_100;
let dir: string;
let cache: SessionCache;

function mix(seconds = 2): PcmAudio {
  const n = Math.round(seconds * SR);
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    l[i] = 0.3 * Math.sin((2 * Math.PI * 110 * i) / SR) + 0.2 * Math.sin((2 * Math.PI * 523 * i) / SR);
    r[i] = 0.3 * Math.sin((2 * Math.PI * 110 * i) / SR) - 0.1 * Math.sin((2 * Math.PI * 784 * i) / SR);
  }
  return { sampleRate: SR, channels: [l, r] };
}

function context(
  config: Partial<AppConfig>,
  options: Partial<JobOptions> = {},
  signal?: AbortSignal,
): StageContext & { seen: number[] } {
  const audio = mix();
  const { ctx, progress } = stageContext({
    stage: 'separation',
    jobId: '00000000-0000-4000-8000-000000000000',
    paths: jobPaths(path.join(dir, 'job')),
    options,
    config: {
      modelsDir: path.join(dir, 'models'),
      offline: true,
      stemFormat: 'wav_f32',
      onnxThreads: 1,
      ...config,
    },
    signal,
    loadMix: async () => audio,
  });
  return { ...ctx, seen: progress };
}

/** A model table entry that exists nowhere: no npm copy, no URL. */
function absentSpec(bytes = 123): ModelSpec {
  return {
    name: 'htdemucs',
    file: 'htdemucs.onnx',
    bytes,
    sha256: '0'.repeat(64),
    license: 'research only',
    urls: [],
  };
}

async function readStem(
  ctx: StageContext,
  name: 'vocals' | 'drums' | 'bass' | 'other' | 'instrumental',
): Promise<PcmAudio> {
  return decodeWav(await fs.readFile(ctx.paths.stem(name)));
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sep-stage-'));
  cache = new SessionCache();
});

afterEach(async () => {
  await cache.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('separation stage', () => {
  it('with the DSP engine writes five full-length stems, instrumental = drums + bass + other, flagged as fallback', async () => {
    const ctx = context({ separationEngine: 'dsp' });
    const out = await createSeparationStage({ cache })(ctx);
    expect(out.status).toBe('completed');
    expect(out.outputs).toEqual({
      vocals: 'stems/vocals.wav',
      drums: 'stems/drums.wav',
      bass: 'stems/bass.wav',
      other: 'stems/other.wav',
      instrumental: 'stems/instrumental.wav',
    });
    expect(out.summary).toEqual({
      separation_engine: 'dsp-fallback',
      separation_quality: 'fallback',
      stem_format: 'wav_f32',
    });
    expect(out.warnings?.join(' ')).toMatch(/DSP fallback/);
    const n = mix().channels[0].length;
    const [drums, bass, other, inst] = await Promise.all(
      (['drums', 'bass', 'other', 'instrumental'] as const).map((s) => readStem(ctx, s)),
    );
    expect(inst.channels[1].length).toBe(n);
    for (const i of [0, 1000, n - 1]) {
      expect(inst.channels[1][i]).toBeCloseTo(
        drums.channels[1][i] + bass.channels[1][i] + other.channels[1][i],
        6,
      );
    }
    expect(ctx.seen[0]).toBe(0);
    expect(ctx.seen.at(-1)).toBe(100);
    expect(await fs.readdir(ctx.paths.stageDir('separation'))).toHaveLength(5); // no temp files left
  });

  it('auto falls back to DSP with the reason when the model is missing and OFFLINE=1', async () => {
    const out = await createSeparationStage({ cache, spec: absentSpec() })(
      context({ separationEngine: 'auto' }),
    );
    expect(out.engine?.name).toBe('dsp-fallback');
    expect(out.warnings?.join(' ')).toMatch(/htdemucs unavailable: .*OFFLINE=1/);
  });

  it('an explicit htdemucs request fails as unavailable instead of degrading', async () => {
    await expect(
      createSeparationStage({ cache, spec: absentSpec() })(context({ separationEngine: 'htdemucs' })),
    ).rejects.toBeInstanceOf(UnavailableError);
  });

  it('a corrupt model file: explicit request fails with the load error, auto falls back', async () => {
    const garbage = Buffer.from('garbage'.repeat(50));
    await fs.mkdir(path.join(dir, 'models'), { recursive: true });
    await fs.writeFile(path.join(dir, 'models', 'htdemucs.onnx'), garbage);
    const spec = absentSpec(garbage.length);
    await expect(
      createSeparationStage({ cache, spec })(context({ separationEngine: 'htdemucs' })),
    ).rejects.toThrow(/could not be loaded/);
    const out = await createSeparationStage({ cache, spec })(context({ separationEngine: 'auto' }));
    expect(out.engine?.name).toBe('dsp-fallback');
  });

  it('runs htdemucs (a stub graph) from MODELS_DIR with the licence note; the job option overrides the config', async () => {
    const model = buildStubModel('quarter-time');
    await fs.mkdir(path.join(dir, 'models'), { recursive: true });
    await fs.writeFile(path.join(dir, 'models', 'htdemucs.onnx'), model);
    const stage = createSeparationStage({ cache, spec: absentSpec(model.length) });
    const out = await stage(context({ separationEngine: 'auto' }));
    expect(out.engine).toMatchObject({ name: 'htdemucs-onnx', quality: 'model' });
    expect(out.summary).toEqual({
      separation_engine: 'htdemucs-onnx',
      separation_quality: 'model',
      stem_format: 'wav_f32',
    });
    expect(out.warnings).toContain(separationEngine('htdemucs').licenceWarning);
    const ctx = context({ separationEngine: 'auto' });
    const vocals = await readStem(ctx, 'vocals');
    expect(vocals.channels[0][5000]).toBeCloseTo(mix().channels[0][5000] / 4, 4);
    const dsp = await stage(context({ separationEngine: 'htdemucs' }, { separationEngine: 'dsp' }));
    expect(dsp.engine?.name).toBe('dsp-fallback');
  });

  it('throws CancelledError when the job is cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      createSeparationStage({ cache })(context({ separationEngine: 'dsp' }, {}, ac.signal)),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
