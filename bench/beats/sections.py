#!/usr/bin/python3
"""Section-level calibration of the local agreement terms (bench/beats/sections-dump.ts output):
each term's AUC for a right section (≥ 75 % of its beats within 70 ms of a true beat), and the
share of right sections per bin of each term.
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
terms = [k for k in rows[0] if k not in ("set", "song", "t", "start", "hits", "conf")]
for k in terms:
    v = np.array([r[k] for r in rows], float)
    print(f"  {k:10s} AUC (higher = right) {auc(v, good):.2f}   quantiles right {np.percentile(v[good], [10, 50, 90]).round(3)}  wrong {np.percentile(v[~good], [10, 50, 90]).round(3) if (~good).any() else '-'}")
