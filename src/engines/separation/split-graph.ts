/**
 * @file Cuts an ONNX graph into consecutive parts that run as separate sessions, one after the other.
 * onnxruntime keeps far more of a run's intermediates alive than their last use needs (BENCHMARKS.md,
 * "attention chunked along the query axis": ≈ 0.2 GB live against 1.6 GB grown within one run); a
 * part's intermediates are all released when its run ends, so the peak becomes the largest part's
 * plus the tensors that cross from one part to a later one (the boundary: skip connections, the
 * transformer's streams).
 *
 * The graph's nodes are in topological order (ONNX requires it), so cutting the list at indices
 * gives parts in which every input comes from the graph or an earlier part. `Constant` nodes are
 * copied into every part that reads them. A boundary tensor whose value depends only on constants
 * and shapes (the graph's shape arithmetic, positional embeddings) is "static": its value, learnt
 * once when the parts are written, is embedded into the parts that read it as an initializer, so
 * their optimiser can still fold it as it did in the whole graph.
 */

import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Model = onnxProto.onnx.ModelProto;

/** ONNX element types used here. */
export const ONNX_TYPE = { float: 1, int32: 6, int64: 7, bool: 9 } as const;

export interface GraphPart {
  /** The part's nodes, in the graph's order (copied Constant nodes first). */
  nodes: Node[];
  /** Tensors it reads from the graph's inputs or from earlier parts, in first-use order. */
  inputs: string[];
  /** Tensors it produces that a later part or the graph's outputs read. */
  outputs: string[];
  /** Names of the initializers its nodes read. */
  initializers: string[];
}

export interface Partition {
  parts: GraphPart[];
  /** The graph's inputs and outputs, in order. */
  graphInputs: string[];
  graphOutputs: string[];
  /** Boundary tensors whose value depends on no graph input data (only constants and shapes). */
  staticTensors: Set<string>;
  /** Element type of every tensor a node produces (from the operator's type rule). */
  elemType: Map<string, number>;
}

/**
 * Index of the first node (other than a Constant) whose name starts with each prefix, sorted and
 * without duplicates; a prefix no node has is skipped. These are where the parts begin.
 */
export function cutsAt(nodes: readonly Node[], prefixes: readonly string[]): number[] {
  const cuts = new Set<number>();
  for (const prefix of prefixes) {
    const i = nodes.findIndex((n) => n.opType !== 'Constant' && (n.name ?? '').startsWith(prefix));
    if (i > 0) cuts.add(i);
  }
  return [...cuts].sort((a, b) => a - b);
}

/** The element type of each node output, by the operator's rule (most ops keep their input's type). */
function elementTypes(model: Model): Map<string, number> {
  const graph = model.graph!;
  const types = new Map<string, number>();
  for (const t of graph.initializer ?? []) types.set(t.name ?? '', t.dataType ?? ONNX_TYPE.float);
  for (const i of graph.input ?? []) types.set(i.name ?? '', i.type?.tensorType?.elemType ?? ONNX_TYPE.float);
  const attr = (n: Node, name: string) => (n.attribute ?? []).find((a) => a.name === name);
  for (const n of graph.node ?? []) {
    const input = (k: number) => types.get(n.input?.[k] ?? '') ?? ONNX_TYPE.float;
    let type: number;
    switch (n.opType ?? '') {
      case 'Shape':
      case 'NonZero':
      case 'ArgMax':
      case 'ArgMin':
        type = ONNX_TYPE.int64;
        break;
      case 'Equal':
      case 'Less':
      case 'Greater':
      case 'LessOrEqual':
      case 'GreaterOrEqual':
      case 'Not':
      case 'And':
      case 'Or':
      case 'IsNaN':
        type = ONNX_TYPE.bool;
        break;
      case 'Cast':
        type = Number(attr(n, 'to')?.i ?? ONNX_TYPE.float);
        break;
      case 'Constant':
        type = attr(n, 'value')?.t?.dataType ?? ONNX_TYPE.float;
        break;
      case 'ConstantOfShape':
        type = attr(n, 'value')?.t?.dataType ?? ONNX_TYPE.float;
        break;
      case 'Where':
        type = input(1);
        break;
      default:
        type = input(0);
    }
    for (const o of n.output ?? []) types.set(o, type);
  }
  return types;
}

/** Splits `model`'s graph before the node indices `cuts` (each in 1 … nodes − 1). */
export function partitionGraph(model: Model, cuts: readonly number[]): Partition {
  const graph = model.graph;
  if (!graph) throw new RangeError('the ONNX model has no graph');
  const nodes = graph.node ?? [];
  const bounds = [0, ...cuts, nodes.length];
  for (let i = 1; i < bounds.length; i++) {
    if (!(bounds[i] > bounds[i - 1])) throw new RangeError(`cuts must increase within 1…${nodes.length - 1}`);
  }
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const constants = new Map<string, Node>();
  for (const n of nodes) if (n.opType === 'Constant') for (const o of n.output ?? []) constants.set(o, n);
  const graphInputs = (graph.input ?? []).map((i) => i.name ?? '').filter((n) => !initializers.has(n));
  const graphOutputs = (graph.output ?? []).map((o) => o.name ?? '');

  // Which part produces each tensor, and the last part that reads it (graph outputs: beyond the end).
  const producedIn = new Map<string, number>();
  const lastReadIn = new Map<string, number>();
  const partOf = (i: number) => bounds.findIndex((b, k) => k > 0 && i < b) - 1;
  nodes.forEach((n, i) => {
    if (n.opType === 'Constant') return;
    const p = partOf(i);
    for (const o of n.output ?? []) if (o) producedIn.set(o, p);
    for (const x of n.input ?? []) if (x) lastReadIn.set(x, Math.max(lastReadIn.get(x) ?? -1, p));
  });
  for (const o of graphOutputs) lastReadIn.set(o, bounds.length);

  const staticTensors = new Set<string>();
  const isStatic = (x: string) => !x || initializers.has(x) || constants.has(x) || staticTensors.has(x);
  for (const n of nodes) {
    if (n.opType === 'Constant') continue;
    if (n.opType === 'Shape' || (n.input ?? []).every(isStatic)) {
      for (const o of n.output ?? []) staticTensors.add(o);
    }
  }

  const parts: GraphPart[] = [];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const own = nodes.slice(bounds[p], bounds[p + 1]).filter((n) => n.opType !== 'Constant');
    const produced = new Set(own.flatMap((n) => n.output ?? []));
    const inputs: string[] = [];
    const inits = new Set<string>();
    const copied = new Set<Node>();
    for (const n of own) {
      for (const x of n.input ?? []) {
        if (!x || produced.has(x)) continue;
        if (initializers.has(x)) inits.add(x);
        else if (constants.has(x)) copied.add(constants.get(x)!);
        else if (!inputs.includes(x)) inputs.push(x);
      }
    }
    const outputs = [...produced].filter((o) => (lastReadIn.get(o) ?? -1) > p);
    parts.push({ nodes: [...copied, ...own], inputs, outputs, initializers: [...inits] });
  }
  const boundary = new Set(parts.flatMap((p) => p.inputs));
  for (const s of [...staticTensors]) if (!boundary.has(s)) staticTensors.delete(s);
  return { parts, graphInputs, graphOutputs, staticTensors, elemType: elementTypes(model) };
}

export interface TensorInfo {
  elemType: number;
  dims: number[];
}

/**
 * One part as an ONNX model: inputs declared with their shapes, the `embedded` tensors (static
 * boundary values) as initializers instead of inputs, outputs with their shapes when known.
 */
export function partModel(
  model: Model,
  part: GraphPart,
  info: (name: string) => TensorInfo | undefined,
  embedded: ReadonlyMap<string, Tensor>,
  elemType: ReadonlyMap<string, number>,
): Uint8Array {
  const graph = model.graph!;
  const byName = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const valueInfo = (name: string) => {
    const known = info(name);
    const type = known?.elemType ?? elemType.get(name) ?? ONNX_TYPE.float;
    return onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: type,
          ...(known ? { shape: { dim: known.dims.map((d) => ({ dimValue: d })) } } : {}),
        },
      },
    });
  };
  const runtimeInputs = part.inputs.filter((x) => !embedded.has(x));
  for (const x of runtimeInputs) {
    if (!info(x)) throw new RangeError(`part input ${x} has no known shape`);
  }
  const sub = onnx.ModelProto.create({
    irVersion: model.irVersion,
    opsetImport: model.opsetImport,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    graph: {
      name: `${graph.name ?? 'graph'}_part`,
      node: part.nodes,
      initializer: [
        ...part.initializers.map((n) => byName.get(n)!),
        ...part.inputs.filter((x) => embedded.has(x)).map((x) => embedded.get(x)!),
      ],
      input: runtimeInputs.map(valueInfo),
      output: part.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(sub).finish();
}
