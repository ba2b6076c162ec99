/**
 * @file An exact rewrite of an ONNX graph's attention: every `MatMul(Q, Kᵀ) → Softmax(axis −1) →
 * MatMul(·, V)` chain (htdemucs' cross-transformer: 5 self- and 5 cross-attention layers per branch
 * pair, scores up to 8 heads × 2688² floats = 231 MB each) is computed in `chunks` slices of Q's
 * query axis (−2), each slice through the same three ops, and the results concatenated along the
 * same axis. Softmax runs over the key axis and each query row of the output depends only on its
 * own row of Q, so the result is the same computation on each row (exact up to the kernels'
 * own blocking); the largest live intermediate becomes 1/`chunks` of the score matrix.
 * The slice bounds are computed in the graph from Q's shape (`ceil(L / chunks)` rows a slice,
 * the last one to the end), so any query length works.
 * The rewritten model is written once next to the models (see `ensureChunkedModel`), named after
 * the source model's checksum, the chunk count and this code's version.
 */

import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ensureDerivedModel } from './derived-model.js';

const { onnx } = onnxProto;

/** Bumped whenever the graph this code writes changes. */
export const CHUNKER_VERSION = 1;
const INT64 = 7;
const INT64_MAX = 9223372036854775807n;

type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

export interface ChunkReport {
  /** Attention chains rewritten. */
  attentions: number;
  chunks: number;
}

/** An int64 tensor (a shape or index constant) named `name`. */
export function int64s(name: string, values: bigint[]): Tensor {
  return onnx.TensorProto.create({
    name,
    dataType: INT64,
    dims: [values.length],
    rawData: new Uint8Array(BigInt64Array.from(values).buffer),
  });
}

function intAttr(node: Node, name: string): number | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a ? Number(a.i ?? 0) : undefined;
}

function isDefaultDomain(node: Node): boolean {
  return !node.domain || node.domain === 'ai.onnx';
}

/**
 * The graph's attention chains: index of each chain's second MatMul → [its first MatMul, its
 * Softmax], for every `MatMul(Q, Kᵀ) → Softmax(axis −1) → MatMul(·, V)` whose scores and
 * probabilities feed nothing else (and are no graph outputs).
 */
export function findAttentionChains(graph: onnxProto.onnx.IGraphProto): Map<number, [number, number]> {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) producer.set(o, i);
    for (const x of n.input ?? []) {
      if (!x) continue;
      const list = consumers.get(x) ?? [];
      list.push(i);
      consumers.set(x, list);
    }
  });
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const only = (name: string): number | undefined => {
    const c = consumers.get(name);
    return c && c.length === 1 && !graphOutputs.has(name) ? c[0] : undefined;
  };

  /** Index of the second MatMul → [first MatMul, Softmax] of each chain found. */
  const chains = new Map<number, [number, number]>();
  nodes.forEach((s, si) => {
    if (s.opType !== 'Softmax' || !isDefaultDomain(s) || (intAttr(s, 'axis') ?? -1) !== -1) return;
    const m1 = producer.get(s.input?.[0] ?? '');
    if (m1 === undefined) return;
    const first = nodes[m1];
    if (first.opType !== 'MatMul' || !isDefaultDomain(first) || only(first.output?.[0] ?? '') !== si) return;
    const m2 = only(s.output?.[0] ?? '');
    if (m2 === undefined) return;
    const second = nodes[m2];
    if (second.opType !== 'MatMul' || !isDefaultDomain(second) || second.input?.[0] !== s.output?.[0]) return;
    chains.set(m2, [m1, si]);
  });
  return chains;
}

/** A namer of new tensors and nodes that never collides with a name the graph has. */
export function freshNames(graph: onnxProto.onnx.IGraphProto): (base: string) => string {
  const nodes = graph.node ?? [];
  const taken = new Set<string>([
    ...nodes.flatMap((n) => [...(n.output ?? []), n.name ?? '']),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...(graph.input ?? []).map((t) => t.name ?? ''),
  ]);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  return fresh;
}

/**
 * `nodes` with every chain of `chains` (`findAttentionChains`) replaced: its first MatMul and its
 * Softmax dropped, and in the place of its last MatMul (`last`) the nodes `replace` pushes onto
 * `out`, which must end in `last`'s output name.
 */
export function replaceChains(
  nodes: Node[],
  chains: Map<number, [number, number]>,
  replace: (last: Node, first: Node, softmax: Node, out: Node[]) => void,
): Node[] {
  const dropped = new Set<number>();
  for (const [m1, si] of chains.values()) dropped.add(m1).add(si);
  const out: Node[] = [];
  nodes.forEach((node, i) => {
    if (dropped.has(i)) return;
    const chain = chains.get(i);
    if (chain) replace(node, nodes[chain[0]], nodes[chain[1]], out);
    else out.push(node);
  });
  return out;
}

/**
 * The chunked graph of an ONNX model (bytes in, bytes out). `chunks` ≥ 2; a model with no attention
 * chain comes back with `attentions: 0` and its graph unchanged.
 */
export function chunkAttention(
  bytes: Uint8Array,
  chunks: number,
): { model: Uint8Array; report: ChunkReport } {
  if (!Number.isInteger(chunks) || chunks < 2)
    throw new RangeError(`chunks must be an integer ≥ 2, got ${chunks}`);
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new RangeError('the ONNX model has no graph');
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  // Shape's start/end attributes need opset 15; Softmax over one axis (not "the flattened rest") 13.
  if (!opset || Number(opset.version ?? 0) < 15) {
    return { model: bytes, report: { attentions: 0, chunks } };
  }
  const nodes = graph.node ?? [];
  const chains = findAttentionChains(graph);
  if (chains.size === 0) return { model: bytes, report: { attentions: 0, chunks } };

  const fresh = freshNames(graph);
  // Shared constants: the chunk count's rounding, the slice index multipliers, the open end.
  const c = (values: bigint[], base: string) => {
    const t = int64s(fresh(base), values);
    graph.initializer = [...(graph.initializer ?? []), t];
    return t.name!;
  };
  const roundUp = c([BigInt(chunks - 1)], 'attn_chunk/round_up');
  const count = c([BigInt(chunks)], 'attn_chunk/count');
  const axisQ = c([-2n], 'attn_chunk/axis');
  const end = c([INT64_MAX], 'attn_chunk/end');
  const index = Array.from({ length: chunks }, (_, i) => c([BigInt(i)], `attn_chunk/index_${i}`));

  graph.node = replaceChains(nodes, chains, (node, first, soft, out) => {
    const [q, k] = first.input ?? [];
    const v = node.input?.[1] ?? '';
    const base = (first.name || first.output?.[0] || 'attention').replace(/\/[^/]*$/, '') + '/attn_chunk';
    const n = (
      opType: string,
      input: string[],
      name: string,
      attribute: onnxProto.onnx.IAttributeProto[] = [],
    ) => {
      const output = fresh(`${base}/${name}_output`);
      out.push(
        onnx.NodeProto.create({ opType, input, output: [output], name: fresh(`${base}/${name}`), attribute }),
      );
      return output;
    };
    const INT = onnx.AttributeProto.AttributeType.INT;
    const rows = n('Shape', [q], 'rows', [
      { name: 'start', type: INT, i: -2 },
      { name: 'end', type: INT, i: -1 },
    ]);
    const step = n('Div', [n('Add', [rows, roundUp], 'rows_up'), count], 'step');
    const parts: string[] = [];
    for (let j = 0; j < chunks; j++) {
      const from = j === 0 ? index[0] : n('Mul', [step, index[j]], `from_${j}`);
      const to = j === chunks - 1 ? end : n('Mul', [step, index[j + 1]], `to_${j}`);
      const qj = n('Slice', [q, from, to, axisQ], `q_${j}`);
      const scores = n('MatMul', [qj, k], `scores_${j}`);
      const probs = n('Softmax', [scores], `probs_${j}`, soft.attribute ?? []);
      parts.push(n('MatMul', [probs, v], `out_${j}`));
    }
    out.push(
      onnx.NodeProto.create({
        opType: 'Concat',
        input: parts,
        output: node.output,
        name: fresh(`${base}/concat`),
        attribute: [{ name: 'axis', type: INT, i: -2 }],
      }),
    );
  });
  return { model: onnx.ModelProto.encode(model).finish(), report: { attentions: chains.size, chunks } };
}

/** Where the chunked copy of `modelFile` (checksum `sha256` of the model it came from) lives. */
export function chunkedModelPath(
  modelsDir: string,
  modelFile: string,
  sha256: string,
  chunks: number,
): string {
  const stem = path.basename(modelFile, '.onnx');
  return path.join(modelsDir, `${stem}.attn${chunks}-a${CHUNKER_VERSION}-${sha256.slice(0, 12)}.onnx`);
}

/**
 * The attention-chunked model for `modelPath`, written on first use (temporary name, then rename,
 * so a concurrent reader never sees half a file).
 */
export async function ensureChunkedModel(
  modelPath: string,
  modelsDir: string,
  sha256: string,
  chunks: number,
): Promise<{ path: string; created: boolean; report?: ChunkReport }> {
  return ensureDerivedModel(chunkedModelPath(modelsDir, modelPath, sha256, chunks), modelPath, (b) =>
    chunkAttention(b, chunks),
  );
}
