import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/audio/random.js';
import { SessionChain } from '../../../src/engines/separation/session-chain.js';
import { cutsAt, partitionGraph } from '../../../src/engines/separation/split-graph.js';
import {
  readSplitManifest,
  splitModelDir,
  writeSplitModel,
} from '../../../src/engines/separation/split-model.js';
import { derivedModelPath } from '../../../src/engines/separation/htdemucs-load.js';
import { silentLogger } from '../../../src/infra/logger.js';

const { onnx } = onnxProto;
const N = 64;

/**
 * Three modules (`/enc/`, `/crosstransformer/`, `/Reshape_2/`: named so that the `coarse` cut set
 * finds them) with what the htdemucs graph has across its cuts: a skip connection (e1, from the
 * first module to the last), shape arithmetic (Shape in the first, the Reshape target in the
 * second), a Constant node read in two modules, an initializer, and two graph outputs, one of which
 * a later module also reads.
 */
function modulesModel(): Uint8Array {
  const vi = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
  const node = (opType: string, input: string[], output: string, name: string) =>
    onnx.NodeProto.create({ opType, input, output: [output], name });
  const graph = onnx.GraphProto.create({
    name: 'modules',
    input: [vi('x', [1, 2, N])],
    output: [vi('first', [1, 2, N]), vi('second', [1, 2, N])],
    initializer: [onnx.TensorProto.create({ name: 'w', dataType: 1, dims: [1], floatData: [1.5] })],
    node: [
      onnx.NodeProto.create({
        opType: 'Constant',
        output: ['c'],
        name: '/Constant',
        attribute: [
          {
            name: 'value',
            type: onnx.AttributeProto.AttributeType.TENSOR,
            t: { dataType: 1, dims: [], floatData: [0.25] },
          },
        ],
      }),
      node('Mul', ['x', 'w'], 'e1', '/enc/Mul'),
      node('Shape', ['e1'], 'shape', '/enc/Shape'),
      node('Add', ['e1', 'c'], 'e2', '/enc/Add'),
      node('Relu', ['e2'], 'm1', '/crosstransformer/Relu'),
      node('Flatten', ['m1'], 'm1f', '/crosstransformer/Flatten'),
      node('Reshape', ['m1f', 'shape'], 'm1r', '/crosstransformer/Reshape'),
      node('Mul', ['m1r', 'c'], 'first', '/crosstransformer/Mul'),
      node('Add', ['first', 'e1'], 'second', '/Reshape_2/Add'),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'split-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('partitionGraph', () => {
  it('cuts at the named modules, copies Constant nodes, and finds the boundary and its static part', () => {
    const model = onnx.ModelProto.decode(modulesModel());
    const cuts = cutsAt(model.graph!.node!, ['/crosstransformer/', '/Reshape_2/', '/nowhere/']);
    expect(cuts).toEqual([4, 8]);
    const p = partitionGraph(model, cuts);
    expect(p.parts.map((x) => x.inputs)).toEqual([['x'], ['e2', 'shape'], ['first', 'e1']]);
    expect(p.parts.map((x) => x.outputs)).toEqual([['e1', 'shape', 'e2'], ['first'], ['second']]);
    // The Constant is copied into both modules that read it; the weight goes where it is used.
    expect(p.parts.map((x) => x.nodes.filter((n) => n.opType === 'Constant').length)).toEqual([1, 1, 0]);
    expect(p.parts.map((x) => x.initializers)).toEqual([['w'], [], []]);
    expect([...p.staticTensors]).toEqual(['shape']);
    expect(p.elemType.get('shape')).toBe(7);
  });
});

describe('a split model run as a chain of sessions', () => {
  it('gives bit-identical outputs to the whole graph, with static boundary values embedded', async () => {
    const file = path.join(dir, 'modules.onnx');
    await fs.writeFile(file, modulesModel());
    const out = path.join(dir, 'modules.split');
    await fs.mkdir(out);
    const report = await writeSplitModel(file, out, ['/crosstransformer/', '/Reshape_2/'], 1);
    expect(report).toMatchObject({ parts: 3, embedded: 1, boundaryTensors: 2 });
    const manifestPath = path.join(out, 'manifest.json');
    const manifest = await readSplitManifest(manifestPath);
    expect(manifest.parts.map((p) => p.inputs)).toEqual([['x'], ['e2'], ['first', 'e1']]);
    expect(Object.keys(manifest.boundary).sort()).toEqual(['e1', 'e2']);
    expect(manifest.boundary.e1).toEqual({ type: 'float32', dims: [1, 2, N] });

    const rand = mulberry32(7);
    const whole = await ort.InferenceSession.create(file);
    const chain = await SessionChain.load(manifestPath, manifest, {});
    for (let run = 0; run < 2; run++) {
      const x = Float32Array.from({ length: 2 * N }, () => rand() * 2 - 1);
      const feeds = { x: new ort.Tensor('float32', x, [1, 2, N]) };
      const want = await whole.run(feeds);
      const first = new ort.Tensor('float32', new Float32Array(2 * N), [1, 2, N]);
      const second = new ort.Tensor('float32', new Float32Array(2 * N), [1, 2, N]);
      await chain.run(feeds, { first, second });
      expect(first.data).toEqual(want.first.data);
      expect(second.data).toEqual(want.second.data);
    }
    expect(chain.inputNames).toEqual(['x']);
    expect(chain.outputMetadata.map((m) => (m.isTensor ? m.shape : []))).toEqual([
      [1, 2, N],
      [1, 2, N],
    ]);
    await chain.release();
    await whole.release();
  });

  it('is what a session loads when DEMUCS_SPLIT is set, written once under the checksum and cut set', async () => {
    const src = path.join(dir, 'derived.onnx');
    await fs.writeFile(src, modulesModel());
    const sha = 'ab'.repeat(32);
    const config = {
      demucsQuantize: 'off' as const,
      demucsAttentionChunks: 0,
      demucsFusedAttention: false,
      modelsDir: dir,
      onnxThreads: 1,
    };
    const log = silentLogger();
    expect(await derivedModelPath(src, { ...config, demucsSplit: 'off' }, sha, log)).toBe(src);
    const manifest = await derivedModelPath(src, { ...config, demucsSplit: 'coarse' }, sha, log);
    expect(manifest).toBe(path.join(splitModelDir(dir, src, sha, 'coarse'), 'manifest.json'));
    expect(path.basename(path.dirname(manifest))).toMatch(/^derived\.split-coarse-s\d+-abababababab$/);
    expect((await readSplitManifest(manifest)).parts).toHaveLength(3);
    const written = (await fs.stat(manifest)).mtimeMs;
    expect(await derivedModelPath(src, { ...config, demucsSplit: 'coarse' }, sha, log)).toBe(manifest);
    expect((await fs.stat(manifest)).mtimeMs).toBe(written);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a manifest of another version', async () => {
    const bad = path.join(dir, 'bad-manifest.json');
    await fs.writeFile(bad, JSON.stringify({ version: 0, parts: [{}], boundary: {} }));
    await expect(readSplitManifest(bad)).rejects.toThrow(/not a split model/);
  });
});
