import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/audio/random.js';
import {
  ensureQuantizedModel,
  floatValues,
  quantizeColumns,
  quantizedModelPath,
} from '../../../src/engines/separation/quantize.js';

const { onnx } = onnxProto;
const K = 64;
const N = 48;
const M = 10;

function randn(n: number, rand: () => number, scale = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = scale * (rand() + rand() + rand() - 1.5);
  return x;
}

/** x [M, K] → MatMul(W1 [K, N]) → Gemm(W2 [K2=N, N] transposed, bias) → y [M, N]; plus an attention-like MatMul of two activations. */
function tinyModel(): Uint8Array {
  const rand = mulberry32(7);
  const t = (name: string, dims: number[], data: Float32Array) =>
    onnx.TensorProto.create({ name, dataType: 1, dims, rawData: new Uint8Array(data.buffer) });
  const vi = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
  const graph = onnx.GraphProto.create({
    name: 'tiny',
    input: [vi('x', [M, K])],
    output: [vi('y', [M, N]), vi('z', [M, M])],
    initializer: [
      t('w1', [K, N], randn(K * N, rand, 0.2)),
      t('w2', [N, N], randn(N * N, rand, 0.2)),
      t('b2', [N], randn(N, rand)),
    ],
    node: [
      onnx.NodeProto.create({ opType: 'MatMul', input: ['x', 'w1'], output: ['h'], name: 'mm' }),
      onnx.NodeProto.create({
        opType: 'Gemm',
        input: ['h', 'w2', 'b2'],
        output: ['y'],
        name: 'gemm',
        attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      }),
      onnx.NodeProto.create({ opType: 'Transpose', input: ['h'], output: ['ht'], name: 'tr' }),
      onnx.NodeProto.create({ opType: 'MatMul', input: ['h', 'ht'], output: ['z'], name: 'qk' }),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quantize-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function run(file: string, x: Float32Array): Promise<{ y: Float32Array; z: Float32Array }> {
  const s = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  const out = await s.run({ x: new ort.Tensor('float32', x, [M, K]) });
  await s.release();
  return { y: out.y.data as Float32Array, z: out.z.data as Float32Array };
}

function snrDb(ref: Float32Array, x: Float32Array): number {
  let sig = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    sig += ref[i] ** 2;
    err += (ref[i] - x[i]) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

describe('int8 dynamic weight quantization', () => {
  it('quantizes each column to int8 with its own scale', () => {
    const w = Float32Array.from([1, -0.5, 0, 0.25, -2, 0]); // [3, 2]: columns (1, 0, -2) and (-0.5, 0.25, 0)
    const { q, scale } = quantizeColumns(w, 3, 2);
    expect(Array.from(scale)).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127)]);
    expect(Array.from(q)).toEqual([64, -127, 0, 64, -127, 0]);
  });

  it('rewrites the weight MatMul and Gemm, leaves activation×activation alone, and runs close to the float graph', async () => {
    const src = path.join(dir, 'tiny.onnx');
    await fs.writeFile(src, tinyModel());
    const sha = 'ab'.repeat(32);
    const r = await ensureQuantizedModel(src, dir, sha);
    expect(r).toMatchObject({ path: quantizedModelPath(dir, src, sha), created: true });
    expect(r.report).toMatchObject({ matmuls: 1, gemms: 1 });
    // Read the written file back: the node types, the int8 weights and the opset.
    const back = onnx.ModelProto.decode(await fs.readFile(r.path));
    const ops = (back.graph?.node ?? []).map((n) => `${n.domain ?? ''}:${n.opType ?? ''}`);
    expect(ops).toEqual([
      'com.microsoft:DynamicQuantizeMatMul',
      'com.microsoft:DynamicQuantizeMatMul',
      ':Transpose',
      ':MatMul',
    ]);
    const inits = back.graph?.initializer ?? [];
    expect(inits.map((t) => t.name)).not.toContain('w1');
    expect(inits.filter((t) => t.dataType === 3).map((t) => t.dims?.map(Number))).toEqual([
      [K, N],
      [N],
      [N, N],
      [N],
    ]);
    expect(floatValues(inits.find((t) => t.name === 'b2')!)).toHaveLength(N);
    expect(back.opsetImport?.map((o) => o.domain)).toContain('com.microsoft');

    const x = randn(M * K, mulberry32(11));
    const float = await run(src, x);
    const quant = await run(r.path, x);
    const snrY = snrDb(float.y, quant.y);
    expect(snrY).toBeGreaterThan(25); // int8 weights and activations: ≈ 30–40 dB on random data
    expect(snrY).toBeLessThan(120); // and it really is quantized, not the float graph
    expect(snrDb(float.z, quant.z)).toBeGreaterThan(25);
    // A second call reuses the file.
    expect(await ensureQuantizedModel(src, dir, sha)).toEqual({ path: r.path, created: false });
  });
});
