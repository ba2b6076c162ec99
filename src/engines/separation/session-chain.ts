/**
 * @file A model split into consecutive parts (split-model.ts) run as one: each part is its own
 * onnxruntime session, run in order, so each part's intermediates are released when its run ends.
 * The tensors one part hands to a later one live in buffers planned at load (boundary-plan.ts:
 * a buffer is reused once the tensor in it has been read for the last time) and reused by every run,
 * since the segment's shape never changes. The graph's own outputs are written into the caller's
 * pre-allocated tensors by whichever part produces them.
 */

import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { planBoundary } from './boundary-plan.js';
import type { BoundaryType, SplitManifest } from './split-model.js';

type Feeds = Record<string, ort.Tensor>;

/** What HtdemucsSession needs of a session: one onnxruntime session or a chain of parts. */
export interface ModelRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  run(feeds: Feeds, fetches: Feeds): Promise<ort.InferenceSession.ReturnType>;
  release(): Promise<void>;
}

interface Part {
  session: ort.InferenceSession;
  inputs: string[];
  outputs: string[];
}

const BYTES: Record<BoundaryType, number> = { float32: 4, int32: 4, int64: 8, bool: 1 };

function view(type: BoundaryType, buffer: ArrayBuffer, length: number): ort.Tensor['data'] {
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, 0, length);
    case 'int32':
      return new Int32Array(buffer, 0, length);
    case 'int64':
      return new BigInt64Array(buffer, 0, length);
    case 'bool':
      return new Uint8Array(buffer, 0, length);
  }
}

/** The boundary tensors of `manifest`, each a view on its planned buffer. */
function boundaryTensors(manifest: SplitManifest): Map<string, ort.Tensor> {
  const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const bytes = new Map(
    Object.entries(manifest.boundary).map(([n, t]) => [n, count(t.dims) * BYTES[t.type]] as const),
  );
  const plan = planBoundary(manifest.parts, bytes);
  const buffers = plan.buffers.map((size) => new ArrayBuffer(size));
  const tensors = new Map<string, ort.Tensor>();
  for (const [name, t] of Object.entries(manifest.boundary)) {
    const data = view(t.type, buffers[plan.slot.get(name)!], count(t.dims));
    tensors.set(name, new ort.Tensor(t.type, data as never, t.dims));
  }
  return tensors;
}

export class SessionChain implements ModelRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];

  private constructor(
    private readonly parts: Part[],
    manifest: SplitManifest,
    private readonly boundary: Map<string, ort.Tensor>,
  ) {
    this.inputNames = manifest.inputs;
    this.outputNames = manifest.outputs;
    const meta = (name: string, kind: 'input' | 'output') => {
      for (const p of parts) {
        const names = kind === 'input' ? p.session.inputNames : p.session.outputNames;
        const i = names.indexOf(name);
        if (i >= 0) return (kind === 'input' ? p.session.inputMetadata : p.session.outputMetadata)[i];
      }
      throw new RangeError(`no part of the split model has the ${kind} ${name}`);
    };
    this.inputMetadata = manifest.inputs.map((n) => meta(n, 'input'));
    this.outputMetadata = manifest.outputs.map((n) => meta(n, 'output'));
  }

  /** Loads every part of the split model whose manifest is `manifestPath`. */
  static async load(
    manifestPath: string,
    manifest: SplitManifest,
    options: ort.InferenceSession.SessionOptions,
  ): Promise<SessionChain> {
    const parts: Part[] = [];
    try {
      for (const p of manifest.parts) {
        const file = path.join(path.dirname(manifestPath), p.file);
        const session = await ort.InferenceSession.create(file, options);
        parts.push({ session, inputs: p.inputs, outputs: p.outputs });
      }
    } catch (err) {
      await Promise.all(parts.map((p) => p.session.release()));
      throw err;
    }
    return new SessionChain(parts, manifest, boundaryTensors(manifest));
  }

  async run(feeds: Feeds, fetches: Feeds): Promise<ort.InferenceSession.ReturnType> {
    const tensor = (name: string): ort.Tensor => {
      const t = feeds[name] ?? fetches[name] ?? this.boundary.get(name);
      if (!t) throw new RangeError(`split model: no tensor ${name} (not an input, output or boundary)`);
      return t;
    };
    for (const part of this.parts) {
      const partFeeds = Object.fromEntries(part.inputs.map((x) => [x, tensor(x)]));
      const partFetches = Object.fromEntries(part.outputs.map((o) => [o, tensor(o)]));
      await part.session.run(partFeeds, partFetches);
    }
    return Object.fromEntries(this.outputNames.map((o) => [o, tensor(o)]));
  }

  async release(): Promise<void> {
    this.boundary.clear();
    await Promise.all(this.parts.map((p) => p.session.release()));
  }
}
