import { describe, expect, it } from 'vitest';
import { planBoundary, type PlanPart } from '../../../src/engines/separation/boundary-plan.js';

/** Every pair of planned tensors sharing a buffer must not be live at the same time. */
function overlaps(parts: readonly PlanPart[], slot: Map<string, number>): string[] {
  const from = new Map<string, number>();
  const to = new Map<string, number>();
  parts.forEach((p, i) => {
    p.outputs.forEach((o) => from.set(o, i));
    p.inputs.forEach((x) => to.set(x, i));
  });
  const names = [...slot.keys()];
  const bad: string[] = [];
  for (const a of names) {
    for (const b of names) {
      if (a >= b || slot.get(a) !== slot.get(b)) continue;
      const [fa, ta] = [from.get(a)!, to.get(a) ?? from.get(a)!];
      const [fb, tb] = [from.get(b)!, to.get(b) ?? from.get(b)!];
      if (fa <= tb && fb <= ta) bad.push(`${a}~${b}`);
    }
  }
  return bad;
}

describe('planBoundary', () => {
  it('reuses a buffer once its tensor has been read for the last time, never while it is live', () => {
    const parts: PlanPart[] = [
      { inputs: ['x'], outputs: ['a', 'skip'] },
      { inputs: ['a'], outputs: ['b'] },
      { inputs: ['b'], outputs: ['c'] },
      { inputs: ['c', 'skip'], outputs: ['y'] },
    ];
    const bytes = new Map([
      ['a', 100],
      ['skip', 50],
      ['b', 100],
      ['c', 80],
    ]);
    const plan = planBoundary(parts, bytes);
    expect(overlaps(parts, plan.slot)).toEqual([]);
    // a, b and c each live across one cut: a's buffer takes c; skip keeps its own throughout.
    expect(plan.slot.get('c')).toBe(plan.slot.get('a'));
    expect(plan.buffers).toHaveLength(3);
    expect(plan.buffers.reduce((s, b) => s + b, 0)).toBe(250);
    // The graph's own inputs and outputs are not planned.
    expect(plan.slot.has('x')).toBe(false);
    expect(plan.slot.has('y')).toBe(false);
  });

  it('never gives a part an output buffer that one of its own inputs is still in', () => {
    const parts: PlanPart[] = [
      { inputs: [], outputs: ['a'] },
      { inputs: ['a'], outputs: ['b'] },
      { inputs: ['b'], outputs: [] },
    ];
    const plan = planBoundary(
      parts,
      new Map([
        ['a', 10],
        ['b', 10],
      ]),
    );
    expect(plan.slot.get('a')).not.toBe(plan.slot.get('b'));
  });

  it('takes the smallest free buffer that is large enough', () => {
    const parts: PlanPart[] = [
      { inputs: [], outputs: ['big', 'small'] },
      { inputs: ['big', 'small'], outputs: [] },
      { inputs: [], outputs: ['mid'] },
      { inputs: ['mid'], outputs: [] },
    ];
    const bytes = new Map([
      ['big', 100],
      ['small', 40],
      ['mid', 30],
    ]);
    const plan = planBoundary(parts, bytes);
    expect(plan.buffers[plan.slot.get('mid')!]).toBe(40);
    expect(plan.buffers).toHaveLength(2);
  });
});
