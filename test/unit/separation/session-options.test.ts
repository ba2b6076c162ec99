import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { optimizedCacheFor, optimizedModelPath } from '../../../src/engines/separation/htdemucs-load.js';
import {
  HTDEMUCS_SEGMENT,
  HtdemucsSession,
  sessionOptions,
} from '../../../src/engines/separation/htdemucs-session.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { buildStubModel } from './stub-model.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'session-opts-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('htdemucs session options', () => {
  it('turns spinning off unless asked, and keeps the arena off by default', () => {
    const off = sessionOptions({ threads: 2 }, 'run');
    expect(off).toMatchObject({
      intraOpNumThreads: 2,
      enableCpuMemArena: false,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
    expect(off.optimizedModelFilePath).toBeUndefined();
    const on = sessionOptions(
      { threads: 4, spinning: true, arena: true, optimizedPath: '/m/x.onnx' },
      'write',
    );
    expect(on).toMatchObject({
      enableCpuMemArena: true,
      graphOptimizationLevel: 'extended',
      optimizedModelFilePath: '/m/x.onnx',
      extra: { session: { intra_op: { allow_spinning: '1' } } },
    });
    const config = testConfig();
    expect(config.onnxSpinning).toBe(false);
    expect(config.onnxCacheOptimized).toBe(true);
    expect(config.demucsQuantize).toBe('off');
    expect(config.demucsAttentionChunks).toBe(0);
    expect(config.demucsFusedAttention).toBe(true);
  });

  it('keys the cached graph by checksum, quantizer, onnxruntime version and provider', () => {
    const a = optimizedModelPath('/models', 'f'.repeat(64), 'off', 'cpu');
    expect(a).toMatch(/^\/models\/optimized\/htdemucs-ffffffffffff-ort\d+\.\d+\.\d+-cpu\.onnx$/);
    expect(optimizedModelPath('/models', 'f'.repeat(64), 'int8', 'cpu')).not.toBe(a);
    expect(optimizedModelPath('/models', 'e'.repeat(64), 'off', 'cpu')).not.toBe(a);
    expect(optimizedModelPath('/models', 'f'.repeat(64), 'off', 'cuda')).not.toBe(a);
    // The attention-chunked and -fused graphs are optimised at load, never through the cache; so are the parts
    // of a split graph (DEMUCS_SPLIT, `coarse` by default): the cache is for the graph as one session.
    expect(optimizedCacheFor(testConfig({ modelsDir: '/models' }), 'f'.repeat(64))).toBeUndefined();
    const config = testConfig({ modelsDir: '/models', demucsSplit: 'off', demucsFusedAttention: false });
    expect(optimizedCacheFor(config, 'f'.repeat(64))).toBe(a);
    expect(optimizedCacheFor({ ...config, demucsFusedAttention: true }, 'f'.repeat(64))).toBeUndefined();
    expect(optimizedCacheFor({ ...config, demucsAttentionChunks: 8 }, 'f'.repeat(64))).toBeUndefined();
    expect(optimizedCacheFor({ ...config, demucsAttentionChunks: 1 }, 'f'.repeat(64))).toBe(a);
    expect(optimizedCacheFor({ ...config, onnxCacheOptimized: false }, 'f'.repeat(64))).toBeUndefined();
  });

  it('writes the optimised graph once, loads it on the next start, and gives the same output', async () => {
    const model = path.join(dir, 'stub.onnx');
    await fs.writeFile(model, buildStubModel('quarter-time'));
    const cached = path.join(dir, 'optimized', 'stub-opt.onnx');
    const run = async () => {
      const s = await HtdemucsSession.load(model, {
        threads: 1,
        provider: 'cpu',
        log: silentLogger(),
        optimizedPath: cached,
      });
      for (let i = 0; i < s.input.length; i++) s.input[i] = Math.sin(i / 50);
      await s.run();
      const out = s.output.slice();
      await s.dispose();
      return out;
    };
    const first = await run();
    const written = await fs.stat(cached);
    // The file is a real ONNX graph (read back), and no temporary file is left behind.
    const graph = onnxProto.onnx.ModelProto.decode(await fs.readFile(cached)).graph;
    expect(graph?.node?.length).toBeGreaterThan(0);
    expect((await fs.readdir(path.dirname(cached))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const second = await run();
    expect((await fs.stat(cached)).mtimeMs).toBe(written.mtimeMs); // read, not rewritten
    let differ = 0;
    for (let i = 0; i < first.length; i++) if (first[i] !== second[i]) differ++;
    expect(differ).toBe(0); // (a loop: deep equality on 2.7 M floats is far slower)
    // The quarter-time stub puts a quarter of the input into each source's time branch.
    expect(first[100]).toBeCloseTo(0.25 * Math.sin(100 / 50), 3);
    expect(first.length).toBe(4 * 2 * HTDEMUCS_SEGMENT);
  });
});
