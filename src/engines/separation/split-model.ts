/**
 * @file The htdemucs graph as consecutive parts (split-graph.ts), written once into `MODELS_DIR`:
 * a folder named after the source model's checksum, the cut set and this code's version, holding
 * one ONNX file per part and `manifest.json` (each part's file, inputs and outputs; the graph's own
 * inputs and outputs in order). Written in a temporary folder and renamed when complete, so a
 * concurrent loader never sees half of it.
 *
 * Writing it runs the parts once on a silent segment, in order: that gives every boundary tensor's
 * shape (declared on the next part's inputs, so its optimiser sees static shapes as in the whole
 * graph) and the values of the static ones (embedded; split-graph.ts).
 */

import fs from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { moveInto, writeFileAtomic } from '../../storage/files.js';
import { cutsAt, ONNX_TYPE, partitionGraph, partModel, type TensorInfo } from './split-graph.js';

const { onnx } = onnxProto;

/** Bumped whenever the parts this code writes change. */
export const SPLITTER_VERSION = 1;

const LAYERS = [0, 1, 2, 3];
const TRANSFORMER_LAYERS = [0, 1, 2, 3, 4];

/** Each encoder (time `tencoder.k`, frequency `encoder.k`) and decoder, in graph order. */
const MODULES = [
  ...LAYERS.flatMap((k) => [`/tencoder.${k}/`, `/encoder.${k}/`]),
  '/Reshape', // the channel upsampler, before the transformer
  '/crosstransformer/',
  ...TRANSFORMER_LAYERS.flatMap((k) => [
    `/crosstransformer/layers.${k}/`,
    `/crosstransformer/layers_t.${k}/`,
  ]),
  '/Reshape_2', // the channel downsampler, after it
  ...LAYERS.flatMap((k) => [`/decoder.${k}/`, `/tdecoder.${k}/`]),
];

/** Inside encoder/decoder layer `k`: its two residual DConv layers, and the convolution after them. */
function inside(k: number): string[] {
  return [
    ...['tencoder', 'encoder'].flatMap((e) =>
      ['dconv/layers.0/', 'dconv/layers.1/', 'rewrite/'].map((s) => `/${e}.${k}/${s}`),
    ),
    ...['tdecoder', 'decoder'].flatMap((d) =>
      ['dconv/layers.0/', 'dconv/layers.1/', 'conv_tr/'].map((s) => `/${d}.${LAYERS.length - 1 - k}/${s}`),
    ),
  ];
}

/**
 * Where the parts begin, by module name in the exported htdemucs graph. `coarse`: encoders,
 * transformer, decoders; `modules`: every encoder, transformer layer and decoder; `outer`: also
 * inside the outermost encoders and decoders (full resolution: the largest tensors, 32–66 MB);
 * `fine`: inside every encoder and decoder. A finer cut bounds each part's intermediates more
 * tightly, but every part is a session of its own (BENCHMARKS.md has what each costs).
 */
export const HTDEMUCS_CUTS: Record<string, readonly string[]> = {
  coarse: ['/crosstransformer/', '/Reshape_2'],
  modules: MODULES,
  outer: [...MODULES, ...inside(0)],
  fine: [...MODULES, ...LAYERS.flatMap(inside)],
};

export interface SplitManifest {
  version: number;
  inputs: string[];
  outputs: string[];
  parts: { file: string; inputs: string[]; outputs: string[] }[];
  /** Type and shape of every tensor passed between parts (for the runner's buffer plan). */
  boundary: Record<string, { type: BoundaryType; dims: number[] }>;
}

export type BoundaryType = 'float32' | 'int32' | 'int64' | 'bool';

export interface SplitReport {
  parts: number;
  /** Boundary tensors passed between parts at run time, and their bytes per run. */
  boundaryTensors: number;
  boundaryBytes: number;
  /** Static boundary tensors embedded into the parts that read them. */
  embedded: number;
}

const ELEM: Record<string, number> = {
  float32: ONNX_TYPE.float,
  int32: ONNX_TYPE.int32,
  int64: ONNX_TYPE.int64,
  bool: ONNX_TYPE.bool,
};

function toProto(name: string, t: ort.Tensor): onnxProto.onnx.ITensorProto {
  const data = t.data as ArrayBufferView;
  return onnx.TensorProto.create({
    name,
    dataType: ELEM[t.type],
    dims: [...t.dims],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  });
}

export function splitModelDir(modelsDir: string, modelFile: string, sha256: string, cuts: string): string {
  const stem = path.basename(modelFile, '.onnx');
  return path.join(modelsDir, `${stem}.split-${cuts}-s${SPLITTER_VERSION}-${sha256.slice(0, 12)}`);
}

/** Writes the parts of `modelPath`, cut before the first node named by each of `prefixes`, into `dir` (see the file comment). */
export async function writeSplitModel(
  modelPath: string,
  dir: string,
  prefixes: readonly string[],
  threads: number,
): Promise<SplitReport> {
  const model = onnx.ModelProto.decode(await fs.readFile(modelPath));
  const nodes = model.graph?.node ?? [];
  const partition = partitionGraph(model, cutsAt(nodes, prefixes));
  const { parts, staticTensors, elemType } = partition;
  const infos = new Map<string, TensorInfo>();
  for (const i of model.graph?.input ?? []) {
    const dims = (i.type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue ?? 0));
    if (dims.some((d) => !(d > 0))) throw new RangeError(`graph input ${i.name ?? '?'} has no static shape`);
    infos.set(i.name ?? '', { elemType: i.type?.tensorType?.elemType ?? ONNX_TYPE.float, dims });
  }
  const values = new Map<string, ort.Tensor>();
  for (const name of partition.graphInputs) {
    const { dims } = infos.get(name)!;
    values.set(name, new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims));
  }
  const embedded = new Map<string, onnxProto.onnx.ITensorProto>();
  const manifest: SplitManifest = {
    version: SPLITTER_VERSION,
    inputs: partition.graphInputs,
    outputs: partition.graphOutputs,
    parts: [],
    boundary: {},
  };
  const report: SplitReport = { parts: parts.length, boundaryTensors: 0, boundaryBytes: 0, embedded: 0 };
  const graphOutputs = new Set(partition.graphOutputs);
  for (const [p, part] of parts.entries()) {
    for (const x of part.inputs) {
      if (staticTensors.has(x) && !embedded.has(x)) embedded.set(x, toProto(x, values.get(x)!));
    }
    const probe = partModel(model, part, (n) => infos.get(n), embedded, elemType);
    const session = await ort.InferenceSession.create(probe, {
      intraOpNumThreads: threads,
      enableCpuMemArena: false,
      graphOptimizationLevel: 'basic',
    });
    const feeds = Object.fromEntries(session.inputNames.map((n) => [n, values.get(n)!]));
    const result = await session.run(feeds);
    await session.release();
    for (const [name, t] of Object.entries(result)) {
      if (!(t instanceof ort.Tensor)) throw new RangeError(`part ${p} output ${name} is not a tensor`);
      infos.set(name, { elemType: ELEM[t.type], dims: [...t.dims] });
      values.set(name, t);
    }
    // Static outputs are embedded where they are read, so at run time a part passes only the rest.
    const runtime = {
      ...part,
      outputs: part.outputs.filter((o) => graphOutputs.has(o) || !staticTensors.has(o)),
    };
    const file = `part-${String(p).padStart(2, '0')}.onnx`;
    await writeFileAtomic(
      path.join(dir, file),
      partModel(model, runtime, (n) => infos.get(n), embedded, elemType),
      { fsync: false },
    );
    const inputs = part.inputs.filter((x) => !embedded.has(x));
    manifest.parts.push({ file, inputs, outputs: runtime.outputs });
    for (const o of runtime.outputs) {
      if (graphOutputs.has(o)) continue;
      const t = values.get(o)!;
      if (!(t.type in ELEM)) throw new RangeError(`boundary tensor ${o} has the unsupported type ${t.type}`);
      manifest.boundary[o] = { type: t.type as BoundaryType, dims: [...t.dims] };
      report.boundaryTensors++;
      report.boundaryBytes += (values.get(o)!.data as ArrayBufferView).byteLength;
    }
    // Values no later part reads are dropped as the probe goes.
    const later = new Set(parts.slice(p + 1).flatMap((q) => q.inputs));
    for (const k of [...values.keys()]) if (!later.has(k)) values.delete(k);
  }
  report.embedded = embedded.size;
  await writeFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return report;
}

/**
 * The split model for `modelPath` (its manifest's path), written on first use. `cuts` names an
 * entry of `HTDEMUCS_CUTS`.
 */
export async function ensureSplitModel(
  modelPath: string,
  modelsDir: string,
  sha256: string,
  cuts: string,
  threads = 1,
): Promise<{ manifest: string; created: boolean; report?: SplitReport }> {
  const prefixes = HTDEMUCS_CUTS[cuts];
  if (!prefixes) throw new RangeError(`unknown cut set ${cuts}`);
  const dir = splitModelDir(modelsDir, modelPath, sha256, cuts);
  const manifest = path.join(dir, 'manifest.json');
  if (await hasManifest(manifest)) return { manifest, created: false };
  const tmp = `${dir}.${process.pid}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  try {
    const report = await writeSplitModel(modelPath, tmp, prefixes, threads);
    // Another process may have finished the same folder meanwhile: then its copy is kept (a loader
    // may be reading it) and this one dropped.
    if (await hasManifest(manifest)) {
      await fs.rm(tmp, { recursive: true, force: true });
      return { manifest, created: false };
    }
    await moveInto(tmp, dir, { replace: true });
    return { manifest, created: true, report };
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function hasManifest(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).size > 0;
  } catch {
    return false;
  }
}

/** Reads and checks a split model's manifest. */
export async function readSplitManifest(file: string): Promise<SplitManifest> {
  const m = JSON.parse(await fs.readFile(file, 'utf8')) as SplitManifest;
  if (m.version !== SPLITTER_VERSION || !Array.isArray(m.parts) || m.parts.length === 0 || !m.boundary)
    throw new RangeError(`${file} is not a split model of version ${SPLITTER_VERSION}`);
  return m;
}
