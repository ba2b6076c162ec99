/**
 * @file int8 dynamic weight quantization of an ONNX graph, as onnxruntime's `quantize_dynamic`
 * does it for MatMul/Gemm: every `MatMul(A, W)` and `Gemm(A, W, C)` whose weight is a float
 * initializer becomes `com.microsoft.DynamicQuantizeMatMul(A, W_q, scale, zero_point[, C])`:
 *  - W_q: the weight as int8, symmetric, one scale per output column (max |w| / 127);
 *  - A is quantized to uint8 per run by the operator itself (its range measured on the fly).
 * Convolutions are left in float (ConvInteger has no per-channel weights and is slower on the CPU).
 * The quantized model is written once next to the models (see `ensureQuantizedModel`), named
 * after the float model's checksum and this code's version, so a changed model or quantizer
 * never reuses a stale file.
 */

import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ensureDerivedModel } from './derived-model.js';

const { onnx } = onnxProto;

/** Bumped whenever the quantized graph this code writes changes. */
export const QUANTIZER_VERSION = 1;
const MS_DOMAIN = 'com.microsoft';
const FLOAT = 1;
const INT8 = 3;

export interface QuantizeReport {
  matmuls: number;
  gemms: number;
  /** Weight bytes before → after (the whole initializer set). */
  bytesBefore: number;
  bytesAfter: number;
}

type Tensor = onnxProto.onnx.ITensorProto;
type Node = onnxProto.onnx.INodeProto;

/** The float32 values of an initializer (raw bytes or the float_data field). */
export function floatValues(t: Tensor): Float32Array {
  if (t.dataType !== FLOAT) throw new RangeError(`${t.name ?? '?'} is not float32`);
  if (t.rawData && t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData); // aligned copy
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

/**
 * Per-column symmetric int8 quantization of a [K, N] matrix (row-major): q = round(w / s_n),
 * s_n = max_k |w_kn| / 127 (1 for an all-zero column).
 */
export function quantizeColumns(
  w: Float32Array,
  k: number,
  n: number,
): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++) scale[c] = Math.max(scale[c], Math.abs(w[r * n + c]));
  }
  for (let c = 0; c < n; c++) scale[c] = scale[c] > 0 ? scale[c] / 127 : 1;
  const q = new Int8Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++)
      q[r * n + c] = Math.max(-127, Math.min(127, Math.round(w[r * n + c] / scale[c])));
  }
  return { q, scale };
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

function tensor(name: string, dataType: number, dims: number[], bytes: Uint8Array): Tensor {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: bytes });
}

function attr(node: Node, name: string): number | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  if (!a) return undefined;
  return a.type === onnx.AttributeProto.AttributeType.FLOAT ? (a.f ?? undefined) : Number(a.i ?? 0);
}

/** Quantizes the MatMul/Gemm weights of an ONNX model (bytes in, bytes out). */
export function quantizeModel(bytes: Uint8Array): { model: Uint8Array; report: QuantizeReport } {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new RangeError('the ONNX model has no graph');
  const initializers = graph.initializer ?? [];
  const inits = new Map(initializers.map((t) => [t.name ?? '', t]));
  const uses = new Map<string, number>();
  for (const node of graph.node ?? []) for (const i of node.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);
  const sizeOf = (ts: Tensor[]) =>
    ts.reduce((acc, t) => acc + (t.rawData?.length ?? 0) + 4 * (t.floatData?.length ?? 0), 0);
  const bytesBefore = sizeOf(initializers);
  const replaced = new Set<string>();
  const added: Tensor[] = [];
  const report: QuantizeReport = { matmuls: 0, gemms: 0, bytesBefore, bytesAfter: 0 };
  graph.node = (graph.node ?? []).map((node, idx) => {
    const input = node.input ?? [];
    const w = inits.get(input[1] ?? '');
    const name = w?.name ?? '';
    if (!w || w.dataType !== FLOAT || w.dims?.length !== 2 || (uses.get(name) ?? 0) !== 1) return node;
    let values = floatValues(w);
    let [k, n] = w.dims.map(Number);
    let bias: string | undefined;
    if (node.opType === 'Gemm') {
      const alpha = attr(node, 'alpha') ?? 1;
      const beta = attr(node, 'beta') ?? 1;
      if ((attr(node, 'transA') ?? 0) !== 0 || alpha !== 1 || beta !== 1) return node;
      if ((attr(node, 'transB') ?? 0) === 1) {
        values = transpose(values, k, n);
        [k, n] = [n, k];
      }
      bias = input[2];
      const c = bias ? inits.get(bias) : undefined;
      if (bias && (!c?.dims || c.dims.length !== 1 || Number(c.dims[0]) !== n)) return node;
      report.gemms++;
    } else if (node.opType === 'MatMul') {
      report.matmuls++;
    } else {
      return node;
    }
    const { q, scale } = quantizeColumns(values, k, n);
    const base = `${name}_q${idx}`;
    added.push(
      tensor(`${base}_int8`, INT8, [k, n], new Uint8Array(q.buffer)),
      tensor(`${base}_scale`, FLOAT, [n], new Uint8Array(scale.buffer)),
      tensor(`${base}_zero`, INT8, [n], new Uint8Array(n)),
    );
    replaced.add(name);
    return onnx.NodeProto.create({
      name: `${node.name || base}_dq`,
      opType: 'DynamicQuantizeMatMul',
      domain: MS_DOMAIN,
      input: [input[0], `${base}_int8`, `${base}_scale`, `${base}_zero`, ...(bias ? [bias] : [])],
      output: node.output,
    });
  });
  graph.initializer = [...initializers.filter((t) => !replaced.has(t.name ?? '')), ...added];
  model.opsetImport ??= [];
  if (!model.opsetImport.some((o) => o.domain === MS_DOMAIN))
    model.opsetImport.push(onnx.OperatorSetIdProto.create({ domain: MS_DOMAIN, version: 1 }));
  report.bytesAfter = sizeOf(graph.initializer);
  return { model: onnx.ModelProto.encode(model).finish(), report };
}

/** Where the quantized copy of a model with checksum `sha256` lives. */
export function quantizedModelPath(modelsDir: string, modelFile: string, sha256: string): string {
  const stem = path.basename(modelFile, '.onnx');
  return path.join(modelsDir, `${stem}.int8-q${QUANTIZER_VERSION}-${sha256.slice(0, 12)}.onnx`);
}

/**
 * The quantized model for `modelPath`, written on first use (temporary name, then rename, so a
 * concurrent reader never sees half a file).
 */
export async function ensureQuantizedModel(
  modelPath: string,
  modelsDir: string,
  sha256: string,
): Promise<{ path: string; created: boolean; report?: QuantizeReport }> {
  return ensureDerivedModel(quantizedModelPath(modelsDir, modelPath, sha256), modelPath, quantizeModel);
}
