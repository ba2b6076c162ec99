import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/audio/random.js';
import { derivedModelPath } from '../../../src/engines/separation/htdemucs-load.js';
import {
  ensureFusedModel,
  fuseAttention,
  fusedModelPath,
} from '../../../src/engines/separation/fuse-attention.js';
import { silentLogger } from '../../../src/infra/logger.js';

const { onnx } = onnxProto;
const H = 8; // heads (htdemucs'), the rewrite's default
const D = 4; // head size
const LK = 7; // key length of the cross attention

/**
 * q [1, H, L, D] (L free), kv [1, H, LK, D], htdemucs' layout (batch, heads, length, head size):
 *   self  = Softmax((q·s) (q·s)ᵀ) q     (self-attention, the scale on both sides as htdemucs has it)
 *   cross = Softmax(q kvᵀ) kv          (cross-attention: L queries, LK keys)
 *   other = Softmax(q kvᵀ, axis 2)     (not an attention chain: softmax over the query axis)
 */
function attentionModel(): Uint8Array {
  const INT = onnx.AttributeProto.AttributeType.INT;
  const vi = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: 1,
          shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
  const node = (
    opType: string,
    input: string[],
    output: string,
    attribute: onnxProto.onnx.IAttributeProto[] = [],
  ) => onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute });
  const perm = [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 1, 3, 2] }];
  const graph = onnx.GraphProto.create({
    name: 'attention',
    input: [vi('q', [1, H, 'L', D]), vi('kv', [1, H, LK, D])],
    output: [vi('self', [1, H, 'L', D]), vi('cross', [1, H, 'L', D]), vi('other', [1, H, 'L', LK])],
    initializer: [onnx.TensorProto.create({ name: 's', dataType: 1, dims: [], floatData: [0.6] })],
    node: [
      node('Mul', ['q', 's'], 'qs'),
      node('Transpose', ['qs'], 'qst', perm),
      node('MatMul', ['qs', 'qst'], 'self_scores'),
      node('Softmax', ['self_scores'], 'self_probs', [{ name: 'axis', type: INT, i: -1 }]),
      node('MatMul', ['self_probs', 'q'], 'self'),
      node('Transpose', ['kv'], 'kvt', perm),
      node('MatMul', ['q', 'kvt'], 'cross_scores'),
      node('Softmax', ['cross_scores'], 'cross_probs', [{ name: 'axis', type: INT, i: -1 }]),
      node('MatMul', ['cross_probs', 'kv'], 'cross'),
      node('MatMul', ['q', 'kvt'], 'raw'),
      node('Softmax', ['raw'], 'other', [{ name: 'axis', type: INT, i: 2 }]),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

function randn(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * (rand() + rand() + rand() - 1.5));
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fuse-attn-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function run(file: string, L: number): Promise<Record<string, Float32Array>> {
  const rand = mulberry32(L);
  const s = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const out = await s.run({
    q: new ort.Tensor('float32', randn(H * L * D, rand), [1, H, L, D]),
    kv: new ort.Tensor('float32', randn(H * LK * D, rand), [1, H, LK, D]),
  });
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

function maxRelErr(ref: Float32Array, x: Float32Array): number {
  let peak = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    peak = Math.max(peak, Math.abs(ref[i]));
    err = Math.max(err, Math.abs(ref[i] - x[i]));
  }
  return err / peak;
}

describe("attention fused into onnxruntime's MultiHeadAttention", () => {
  it('fuses the two attention chains only, and gives the same output for any query length', async () => {
    const src = path.join(dir, 'attention.onnx');
    await fs.writeFile(src, attentionModel());
    const sha = 'cd'.repeat(32);
    const r = await ensureFusedModel(src, dir, sha);
    expect(r).toMatchObject({ path: fusedModelPath(dir, src, sha), created: true });
    expect(r.report).toEqual({ attentions: 2 });
    const back = onnx.ModelProto.decode(await fs.readFile(r.path));
    const ops = (back.graph?.node ?? []).map((n) => n.opType);
    expect(ops.filter((o) => o === 'MultiHeadAttention')).toHaveLength(2);
    // Only the query-axis softmax (no attention) is left, and its MatMul.
    expect(ops.filter((o) => o === 'Softmax')).toHaveLength(1);
    expect(ops.filter((o) => o === 'MatMul')).toHaveLength(1);
    expect(back.opsetImport?.some((o) => o.domain === 'com.microsoft')).toBe(true);
    for (const L of [1, 5, 16]) {
      const [ref, fused] = await Promise.all([run(src, L), run(r.path, L)]);
      for (const name of ['self', 'cross', 'other'])
        expect(maxRelErr(ref[name], fused[name])).toBeLessThan(1e-5);
      expect(fused.other).toEqual(ref.other);
    }
    expect(await ensureFusedModel(src, dir, sha)).toEqual({ path: r.path, created: false });
  });

  it('leaves a model without attention unchanged, and refuses a head count below 1', () => {
    const graph = onnx.GraphProto.create({ name: 'none', node: [] });
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }),
    ).finish();
    expect(fuseAttention(bytes)).toEqual({ model: bytes, report: { attentions: 0 } });
    expect(() => fuseAttention(bytes, 0)).toThrow(RangeError);
  });

  it('is what a session loads when DEMUCS_FUSED_ATTENTION is on, in place of the chunked copy', async () => {
    const src = path.join(dir, 'derived.onnx');
    await fs.writeFile(src, attentionModel());
    const sha = 'ef'.repeat(32);
    const config = {
      demucsQuantize: 'off' as const,
      demucsSplit: 'off' as const,
      demucsAttentionChunks: 8,
      modelsDir: dir,
      onnxThreads: 1,
    };
    const log = silentLogger();
    const fused = await derivedModelPath(src, { ...config, demucsFusedAttention: true }, sha, log);
    expect(fused).toBe(fusedModelPath(dir, src, sha));
    const back = onnx.ModelProto.decode(await fs.readFile(fused));
    expect((back.graph?.node ?? []).filter((n) => n.opType === 'MultiHeadAttention')).toHaveLength(2);
    expect(await derivedModelPath(src, { ...config, demucsFusedAttention: false }, sha, log)).not.toBe(fused);
  });
});
