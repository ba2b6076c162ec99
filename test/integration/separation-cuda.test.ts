import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../src/audio/pcm.js';
import { testConfig } from '../../src/config.js';
import { locateModel, MODELS } from '../../src/engines/models.js';
import { createSeparationEngine, type SeparationEngine } from '../../src/engines/separation/index.js';
import { cudaAvailability, defaultProbe, providerReport } from '../../src/engines/separation/provider.js';
import { silentLogger } from '../../src/infra/logger.js';
import { STEM_NAMES } from '../../src/storage/paths.js';

/**
 * ONNX_PROVIDER=cuda with the real model, on a machine with an NVIDIA GPU and the CUDA execution
 * provider installed (`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`).
 * Skipped elsewhere. The stems must add back up to the mixture and the provider report must say cuda.
 */
function hasGpu(): boolean {
  try {
    return execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 }).includes('GPU');
  } catch {
    return false;
  }
}

let engine: SeparationEngine | undefined;
afterAll(async () => {
  await engine?.dispose();
});

describe('htdemucs on CUDA', async () => {
  const ready =
    hasGpu() &&
    cudaAvailability(defaultProbe()).available &&
    (await locateModel(MODELS.htdemucs, '/nonexistent')) !== undefined;

  it.runIf(ready)(
    'runs the real model on the GPU and says so',
    async () => {
      const sel = await createSeparationEngine(
        testConfig({ offline: true, onnxProvider: 'cuda', onnxCacheOptimized: false }),
        'htdemucs',
        silentLogger(),
      );
      engine = sel.engine;
      expect(providerReport('cuda')).toEqual({ requested: 'cuda', active: 'cuda', status: 'ok' });
      const sr = 44_100;
      const n = sr * 10;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++)
        x[i] = 0.3 * Math.sin((2 * Math.PI * 55 * i) / sr) + 0.1 * Math.sin((2 * Math.PI * 880 * i) / sr);
      const mix: PcmAudio = { sampleRate: sr, channels: [x, x.slice()] };
      const stems = await engine.separate(mix);
      let err = 0;
      let sig = 0;
      for (let i = 0; i < n; i++) {
        const sum = STEM_NAMES.reduce((acc, s) => acc + stems[s].channels[0][i], 0);
        err += (sum - x[i]) ** 2;
        sig += x[i] ** 2;
      }
      expect(10 * Math.log10(sig / err)).toBeGreaterThan(10);
    },
    300_000,
  );
});
