/**
 * @file Which buffer each tensor passed between the parts of a split model lives in. A tensor lives
 * from the part that writes it to the last part that reads it; once that part has run, its buffer
 * can take a tensor a later part writes. Buffers are handed out best fit (the smallest free one
 * that is large enough, else a new one), so the buffers held add up to about the most bytes ever
 * live at once rather than the sum over every tensor (the htdemucs modules split: ≈ 100 MB live of
 * 304 MB passed).
 */

export interface PlanPart {
  inputs: readonly string[];
  outputs: readonly string[];
}

export interface BoundaryPlan {
  /** Byte size of each buffer. */
  buffers: number[];
  /** Buffer index of each planned tensor. */
  slot: Map<string, number>;
}

/**
 * Plans buffers for the tensors in `bytes` (others, such as the graph's own inputs and outputs, are
 * left alone), given the parts in run order.
 */
export function planBoundary(parts: readonly PlanPart[], bytes: ReadonlyMap<string, number>): BoundaryPlan {
  const lastRead = new Map<string, number>();
  parts.forEach((p, i) => p.inputs.forEach((x) => lastRead.set(x, i)));
  const buffers: number[] = [];
  const slot = new Map<string, number>();
  const free: number[] = [];
  parts.forEach((part, i) => {
    for (const o of part.outputs) {
      const size = bytes.get(o);
      if (size === undefined) continue;
      let best = -1;
      for (const [k, b] of free.entries()) {
        if (buffers[b] >= size && (best < 0 || buffers[b] < buffers[free[best]])) best = k;
      }
      const b = best >= 0 ? free.splice(best, 1)[0] : buffers.push(size) - 1;
      slot.set(o, b);
    }
    // A tensor no later part reads frees its buffer once its part has run.
    for (const o of part.outputs) if (slot.has(o) && !lastRead.has(o)) free.push(slot.get(o)!);
    for (const x of part.inputs) {
      const b = slot.get(x);
      if (b !== undefined && lastRead.get(x) === i) free.push(b);
    }
  });
  return { buffers, slot };
}
