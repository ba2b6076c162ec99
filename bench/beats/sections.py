#!/usr/bin/python3
"""Section-level calibration of the local agreement term (bench/beats/sections-dump.ts output):
the AUC of `period` (the section's own periodicity against the tracked interval) for a right
section (≥ 75 % of its beats within 70 ms of a true beat), and the share of right sections per bin.
    sections.py SECTIONS.jsonl [...]"""
import json, sys
import numpy as np

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
good = np.array([r["hits"] >= 0.75 for r in rows])

def auc(score, g):
    s = np.asarray(score, float); pos, neg = s[g], s[~g]
    if not len(pos) or not len(neg): return float("nan")
    # rank-based (Mann-Whitney), ties half
    allv = np.concatenate([pos, neg]); order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv)); ranks[order] = np.arange(1, len(allv) + 1)
    for v in np.unique(allv):
        m = allv == v; ranks[m] = ranks[m].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))

print(f"{len(rows)} sections, {int((~good).sum())} wrong ({len({(r['set'], r['song']) for r in rows})} songs)")
for k in ("period",):
    v = np.array([r[k] for r in rows], float)
    print(f"  {k:10s} AUC (higher = right) {auc(v, good):.2f}   quantiles right {np.percentile(v[good], [10, 50, 90]).round(3)}  wrong {np.percentile(v[~good], [10, 50, 90]).round(3) if (~good).any() else '-'}")

p = np.array([r["period"] for r in rows], float)
print("\n| section's own period vs tracked interval, abs(log) | sections | share right |")
print("| --- | --- | --- |")
for lo, hi in ((0, 0.03), (0.03, 0.06), (0.06, 0.1), (0.1, 0.2), (0.2, np.inf)):
    sel = (p >= lo) & (p < hi)
    print(f"| {lo:.2f}–{'∞' if hi == np.inf else f'{hi:.2f}'} | {int(sel.sum())} | {good[sel].mean() if sel.any() else float('nan'):.2f} |")
