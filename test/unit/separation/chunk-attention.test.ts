import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/audio/random.js';
import { derivedModelPath } from '../../../src/engines/separation/htdemucs-load.js';
import { silentLogger } from '../../../src/infra/logger.js';
import {
  chunkAttention,
  chunkedModelPath,
  ensureChunkedModel,
} from '../../../src/engines/separation/chunk-attention.js';

const { onnx } = onnxProto;
const H = 3; // heads
const D = 8; // head size
const LK = 7; // key length of the cross attention

/**
 * q [H, L, D] (L free), kv [H, LK, D]:
 *   self  = Softmax((q·s) (q·s)ᵀ) q          (self-attention, the scale on both sides as htdemucs has it)
 *   cross = Softmax(q kvᵀ) kv               (cross-attention: L queries, LK keys)
 *   other = Softmax(q kvᵀ, axis 1)          (not an attention chain: softmax over the query axis,
 *                                           and its scores are also a graph output)
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
  const perm = [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }];
  const graph = onnx.GraphProto.create({
    name: 'attention',
    input: [vi('q', [H, 'L', D]), vi('kv', [H, LK, D])],
    output: [
      vi('self', [H, 'L', D]),
      vi('cross', [H, 'L', D]),
      vi('other', [H, 'L', LK]),
      vi('raw', [H, 'L', LK]),
    ],
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
      node('Softmax', ['raw'], 'other', [{ name: 'axis', type: INT, i: 1 }]),
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
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chunk-attn-'));
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
    q: new ort.Tensor('float32', randn(H * L * D, rand), [H, L, D]),
    kv: new ort.Tensor('float32', randn(H * LK * D, rand), [H, LK, D]),
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

describe('attention chunked along the query axis', () => {
  it('rewrites the two attention chains only, and gives the same output for any query length', async () => {
    const src = path.join(dir, 'attention.onnx');
    await fs.writeFile(src, attentionModel());
    const sha = 'cd'.repeat(32);
    const r = await ensureChunkedModel(src, dir, sha, 4);
    expect(r).toMatchObject({ path: chunkedModelPath(dir, src, sha, 4), created: true });
    expect(r.report).toEqual({ attentions: 2, chunks: 4 });
    const back = onnx.ModelProto.decode(await fs.readFile(r.path));
    const ops = (back.graph?.node ?? []).map((n) => n.opType);
    const count = (op: string) => ops.filter((o) => o === op).length;
    // 4 slices per chain, each with its scores, softmax and output; the third softmax is left alone.
    expect(count('Slice')).toBe(8);
    expect(count('Softmax')).toBe(9);
    expect(count('MatMul')).toBe(17);
    expect(count('Concat')).toBe(2);
    expect(back.graph?.output?.map((o) => o.name)).toEqual(['self', 'cross', 'other', 'raw']);
    // L = 13 (not a multiple of 4), 16, 5 and 3 (fewer rows than chunks: one slice is empty).
    for (const L of [13, 16, 5, 3]) {
      const ref = await run(src, L);
      const got = await run(r.path, L);
      for (const name of ['self', 'cross', 'other', 'raw']) {
        expect(got[name]).toHaveLength(ref[name].length);
        expect(maxRelErr(ref[name], got[name])).toBeLessThan(1e-6);
      }
    }
    expect(await ensureChunkedModel(src, dir, sha, 4)).toEqual({ path: r.path, created: false });
    expect(chunkedModelPath(dir, src, sha, 8)).not.toBe(r.path);
  });

  it('leaves a graph without attention alone and rejects a chunk count below 2', () => {
    const bytes = attentionModel();
    const model = onnx.ModelProto.decode(bytes);
    // Only the softmax over the query axis.
    model.graph!.node = model.graph!.node!.filter((n) => ['kvt', 'raw', 'other'].includes(n.name ?? ''));
    model.graph!.output = model.graph!.output!.slice(2);
    const plain = onnx.ModelProto.encode(model).finish();
    expect(chunkAttention(plain, 4)).toEqual({ model: plain, report: { attentions: 0, chunks: 4 } });
    expect(() => chunkAttention(bytes, 1)).toThrow(RangeError);
    expect(() => chunkAttention(bytes, 2.5)).toThrow(RangeError);
  });

  it('is the model file a session loads when DEMUCS_ATTENTION_CHUNKS > 1, written once', async () => {
    const src = path.join(dir, 'derived.onnx');
    await fs.writeFile(src, attentionModel());
    const sha = 'ef'.repeat(32);
    const config = {
      demucsQuantize: 'off' as const,
      demucsSplit: 'off' as const,
      demucsFusedAttention: false,
      modelsDir: dir,
      onnxThreads: 1,
    };
    const log = silentLogger();
    expect(await derivedModelPath(src, { ...config, demucsAttentionChunks: 0 }, sha, log)).toBe(src);
    expect(await derivedModelPath(src, { ...config, demucsAttentionChunks: 1 }, sha, log)).toBe(src);
    const chunked = await derivedModelPath(src, { ...config, demucsAttentionChunks: 8 }, sha, log);
    expect(chunked).toBe(chunkedModelPath(dir, src, sha, 8));
    const back = onnx.ModelProto.decode(await fs.readFile(chunked));
    expect((back.graph?.node ?? []).filter((n) => n.opType === 'Softmax')).toHaveLength(17);
  });
});
