/**
 * @file A graph rewrite of an ONNX model's attention into onnxruntime's fused operator: every
 * `MatMul(Q, Kᵀ) → Softmax(axis −1) → MatMul(·, V)` chain (htdemucs' cross-transformer: 5 layers
 * per branch, self- and cross-attention in turn, 10 chains; Q `[batch, heads, L, head]`,
 * Kᵀ `[batch, heads, head, Lk]`, V `[batch, heads, Lk, head]`) becomes one
 * `com.microsoft.MultiHeadAttention` on the same tensors laid out as `[batch, length, heads × head]`,
 * its output put back into the chain's layout under the chain's output name. onnxruntime's
 * optimiser does not find this pattern in the exported graph (the scale is applied to Q and Kᵀ
 * apart, before the product); the fused operator's CPU kernel
 * computes the attention in tiles, without materialising the score matrix (8 × 2688² floats =
 * 231 MB for a frequency-branch self-attention). The graph's own scaling of Q and Kᵀ stays where
 * it is (the operator's `scale` is 1), so the computation is the same up to float rounding.
 * The rewritten model is written once next to the models (see `ensureFusedModel`), named after the
 * source model's checksum and this code's version.
 */

import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ensureDerivedModel } from './derived-model.js';
import { findAttentionChains, freshNames, int64s, replaceChains } from './chunk-attention.js';

const { onnx } = onnxProto;

/** Bumped whenever the graph this code writes changes. */
export const FUSER_VERSION = 1;
/** htdemucs' cross-transformer heads (`cross_transformer_heads` of the exported model). */
export const HTDEMUCS_HEADS = 8;
const MS_DOMAIN = 'com.microsoft';

export interface FuseReport {
  /** Attention chains fused. */
  attentions: number;
}

/**
 * The fused graph of an ONNX model (bytes in, bytes out) whose attention chains are rank 4 with
 * `heads` heads. A model with no attention chain comes back unchanged with `attentions: 0`.
 */
export function fuseAttention(
  bytes: Uint8Array,
  heads: number = HTDEMUCS_HEADS,
): { model: Uint8Array; report: FuseReport } {
  if (!Number.isInteger(heads) || heads < 1)
    throw new RangeError(`heads must be an integer ≥ 1, got ${heads}`);
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new RangeError('the ONNX model has no graph');
  const nodes = graph.node ?? [];
  const chains = findAttentionChains(graph);
  if (chains.size === 0) return { model: bytes, report: { attentions: 0 } };

  const fresh = freshNames(graph);
  const INT = onnx.AttributeProto.AttributeType.INT;
  const INTS = onnx.AttributeProto.AttributeType.INTS;
  const FLOAT = onnx.AttributeProto.AttributeType.FLOAT;
  const shape = (values: bigint[], base: string): string => {
    const t = int64s(fresh(base), values);
    graph.initializer = [...(graph.initializer ?? []), t];
    return t.name!;
  };
  const flat = shape([0n, 0n, -1n], 'attn_fused/flat'); // [B, L, N, H] → [B, L, N·H]
  const split = shape([0n, 0n, BigInt(heads), -1n], 'attn_fused/heads'); // and back

  graph.node = replaceChains(nodes, chains, (node, first, _softmax, out) => {
    const [q, kt] = first.input ?? [];
    const v = node.input?.[1] ?? '';
    const base = (first.name || first.output?.[0] || 'attention').replace(/\/[^/]*$/, '') + '/attn_fused';
    const n = (
      opType: string,
      input: string[],
      name: string,
      attribute: onnxProto.onnx.IAttributeProto[] = [],
      domain?: string,
    ): string => {
      const output = fresh(`${base}/${name}_output`);
      out.push(
        onnx.NodeProto.create({
          opType,
          input,
          output: [output],
          name: fresh(`${base}/${name}`),
          attribute,
          ...(domain ? { domain } : {}),
        }),
      );
      return output;
    };
    const perm = (p: number[]) => [{ name: 'perm', type: INTS, ints: p }];
    // [B, N, L, H] → [B, L, N·H]; Kᵀ [B, N, H, Lk] → [B, Lk, N·H].
    const q3 = n('Reshape', [n('Transpose', [q], 'q_bsnh', perm([0, 2, 1, 3])), flat], 'q_bsd');
    const k3 = n('Reshape', [n('Transpose', [kt], 'k_bsnh', perm([0, 3, 1, 2])), flat], 'k_bsd');
    const v3 = n('Reshape', [n('Transpose', [v], 'v_bsnh', perm([0, 2, 1, 3])), flat], 'v_bsd');
    const o3 = n(
      'MultiHeadAttention',
      [q3, k3, v3],
      'mha',
      [
        { name: 'num_heads', type: INT, i: heads },
        { name: 'scale', type: FLOAT, f: 1 },
      ],
      MS_DOMAIN,
    );
    const o4 = n('Reshape', [o3, split], 'o_bsnh');
    out.push(
      onnx.NodeProto.create({
        opType: 'Transpose',
        input: [o4],
        output: node.output,
        name: fresh(`${base}/o_bnsh`),
        attribute: perm([0, 2, 1, 3]),
      }),
    );
  });
  if (!(model.opsetImport ?? []).some((o) => o.domain === MS_DOMAIN))
    model.opsetImport = [...(model.opsetImport ?? []), { domain: MS_DOMAIN, version: 1 }];
  return { model: onnx.ModelProto.encode(model).finish(), report: { attentions: chains.size } };
}

/** Where the fused copy of `modelFile` (checksum `sha256` of the model it came from) lives. */
export function fusedModelPath(
  modelsDir: string,
  modelFile: string,
  sha256: string,
  heads: number = HTDEMUCS_HEADS,
): string {
  const stem = path.basename(modelFile, '.onnx');
  return path.join(modelsDir, `${stem}.mha${heads}-f${FUSER_VERSION}-${sha256.slice(0, 12)}.onnx`);
}

/**
 * The attention-fused model for `modelPath`, written on first use (temporary name, then rename,
 * so a concurrent reader never sees half a file).
 */
export async function ensureFusedModel(
  modelPath: string,
  modelsDir: string,
  sha256: string,
  heads: number = HTDEMUCS_HEADS,
): Promise<{ path: string; created: boolean; report?: FuseReport }> {
  return ensureDerivedModel(fusedModelPath(modelsDir, modelPath, sha256, heads), modelPath, (b) =>
    fuseAttention(b, heads),
  );
}
