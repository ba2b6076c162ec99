#!/usr/bin/python3
"""Beat and tempo confidence against error: per-song beat F (mir_eval, 70 ms, first 5 s dropped, as
the kit's scorer) and tempo Acc1 (within 4 %), the Spearman correlation of beat_confidence with F,
the AUC with which each confidence (and, with TERMS=1, each of its terms) picks out the failures,
and calibration tables (confidence bins -> songs, mean F, min F, share F >= 0.90, Acc1), and
meter_confidence against downbeat F (Spearman, AUC for downbeat F >= 0.80, bins).
    calibrate.py CORPUS RESULTS [CORPUS RESULTS ...]
RESULTS/<song>/beats.json is what analyze-corpus.ts writes (beat_confidence, tempo_confidence,
confidence_terms). TERMS=1 also prints each term; CSV=path writes the per-song rows; WARN=x sets
the warning threshold (default 0.5, the stage's)."""
import json, os, sys, warnings
import numpy as np
import mir_eval
from scipy.stats import spearmanr
warnings.filterwarnings("ignore")

def trim(x):
    x = np.asarray(x, dtype=float)
    return x[x >= 5.0]

def auc(score, good):
    """P(score of a good song > score of a bad one), ties half: 0.5 = chance, 1 = perfect split."""
    s, g = np.asarray(score, float), np.asarray(good, bool)
    pos, neg = s[g], s[~g]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    return float(np.mean([(p > n) + 0.5 * (p == n) for p in pos for n in neg]))

rows = []
args = sys.argv[1:]
for corpus, results in zip(args[0::2], args[1::2]):
    for song in sorted(os.listdir(corpus)):
        tp, rp = os.path.join(corpus, song, "truth.json"), os.path.join(results, song, "beats.json")
        if not (os.path.exists(tp) and os.path.exists(rp)):
            continue
        t, r = json.load(open(tp)), json.load(open(rp))
        rb, eb = trim(t["beats"]), trim(r.get("beats", []))
        f = mir_eval.beat.f_measure(rb, eb, 0.07) if len(eb) else 0.0
        acc1 = abs(r.get("tempo_bpm", 0) / t["tempo_bpm"] - 1) <= 0.04
        ed = trim(r.get("downbeats", []))
        dbf = mir_eval.beat.f_measure(trim(t["downbeats"]), ed, 0.07) if len(ed) else 0.0
        rows.append(dict(set=os.path.basename(corpus.rstrip("/")), song=song, f=f, acc1=float(acc1), dbf=dbf,
                         conf=r.get("beat_confidence", 0.0), tconf=r.get("tempo_confidence", 0.0),
                         mconf=r.get("meter_confidence", 0.0),
                         **{k: v for k, v in (r.get("confidence_terms") or {}).items()}))
f = np.array([x["f"] for x in rows]); c = np.array([x["conf"] for x in rows])
a = np.array([x["acc1"] for x in rows]); tc = np.array([x["tconf"] for x in rows])
print(f"{len(rows)} songs, {int(np.sum(f < 0.9))} with beat F < 0.90, {int(np.sum(a == 0))} with a wrong tempo (Acc1)")
print(f"beat_confidence vs beat F: Spearman {spearmanr(c, f).correlation:+.2f}; AUC for F ≥ 0.90 {auc(c, f >= 0.9):.2f}; AUC for Acc1 {auc(c, a > 0):.2f}")
print(f"tempo_confidence vs Acc1: AUC {auc(tc, a > 0):.2f}; vs beat F: Spearman {spearmanr(tc, f).correlation:+.2f}\n")
if os.environ.get("TERMS"):
    for k in [k for k in rows[0] if k not in ("set", "song", "f", "conf", "acc1", "tconf", "dbf", "mconf")]:
        v = np.array([x.get(k, np.nan) for x in rows], dtype=float)
        ok = ~np.isnan(v)
        print(f"  term {k:15s} Spearman {spearmanr(v[ok], f[ok]).correlation:+.2f}  AUC F≥0.90 {auc(v[ok], f[ok] >= 0.9):.2f}  AUC Acc1 {auc(v[ok], a[ok] > 0):.2f}")
    print()

def table(name, conf):
    print(f"| {name} | songs | mean beat F | min beat F | share F ≥ 0.90 | tempo Acc1 |")
    print("| --- | ----- | ----------- | ---------- | -------------- | ---------- |")
    for lo, hi in ((0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01)):
        sel = (conf >= lo) & (conf < hi)
        if sel.any():
            print(f"| {lo:.1f}–{min(hi, 1):.1f} | {int(sel.sum())} | {f[sel].mean():.3f} | {f[sel].min():.3f} | {np.mean(f[sel] >= 0.9):.2f} | {a[sel].mean():.2f} |")
        else:
            print(f"| {lo:.1f}–{min(hi, 1):.1f} | 0 | | | | |")
    print()

table("beat_confidence", c)
table("tempo_confidence", tc)
# meter_confidence against downbeat F (the songs with a meter: all of them here).
d = np.array([x["dbf"] for x in rows]); mc = np.array([x["mconf"] for x in rows])
print(f"meter_confidence vs downbeat F: Spearman {spearmanr(mc, d).correlation:+.2f}; AUC for downbeat F ≥ 0.80 {auc(mc, d >= 0.8):.2f}\n")
print("| meter_confidence | songs | mean downbeat F | min downbeat F | share ≥ 0.80 |")
print("| --- | ----- | --------------- | -------------- | ------------ |")
for lo, hi in ((0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01)):
    sel = (mc >= lo) & (mc < hi)
    cells = f"{d[sel].mean():.3f} | {d[sel].min():.3f} | {np.mean(d[sel] >= 0.8):.2f}" if sel.any() else " | |"
    print(f"| {lo:.1f}–{min(hi, 1):.1f} | {int(sel.sum())} | {cells} |")
print()
if os.environ.get("CSV"):
    import csv
    keys = sorted({k for x in rows for k in x}, key=lambda k: list(rows[0]).index(k) if k in rows[0] else 99)
    with open(os.environ["CSV"], "w") as fh:
        w = csv.DictWriter(fh, keys); w.writeheader(); [w.writerow(x) for x in rows]
th = float(os.environ.get("WARN", "0.5"))
lo, hi = f[c < th], f[c >= th]
bad = f < 0.9
print(f"warning below {th}: {len(lo)} songs warned (mean F {lo.mean() if len(lo) else float('nan'):.3f}, Acc1 {a[c < th].mean() if len(lo) else float('nan'):.2f}), "
      f"{len(hi)} not (mean F {hi.mean() if len(hi) else float('nan'):.3f}, Acc1 {a[c >= th].mean() if len(hi) else float('nan'):.2f}); "
      f"songs with F < 0.90 warned: {int(np.sum(bad & (c < th)))} of {int(bad.sum())}; "
      f"warned songs with F ≥ 0.90: {int(np.sum(~bad & (c < th)))}")
