#!/usr/bin/python3
"""Beat confidence against beat F: per-song F (mir_eval, 70 ms, first 5 s dropped, as the kit's
scorer), the Spearman correlation of beat_confidence and of each of its terms with F, and a
calibration table (confidence bins -> songs, mean F, min F, share F >= 0.90).
    calibrate.py CORPUS RESULTS [CORPUS RESULTS ...]
RESULTS/<song>/beats.json is what analyze-corpus.ts writes (beat_confidence, confidence_terms).
TERMS=1 also prints each term's Spearman; CSV=path writes the per-song rows."""
import json, os, sys, warnings
import numpy as np
import mir_eval
from scipy.stats import spearmanr
warnings.filterwarnings("ignore")

def trim(x):
    x = np.asarray(x, dtype=float)
    return x[x >= 5.0]

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
        rows.append(dict(set=os.path.basename(corpus.rstrip("/")), song=song, f=f, conf=r.get("beat_confidence", 0.0),
                         **{k: v for k, v in (r.get("confidence_terms") or {}).items()}))
f = np.array([x["f"] for x in rows]); c = np.array([x["conf"] for x in rows])
print(f"beat_confidence vs beat F over {len(rows)} songs: Spearman {spearmanr(c, f).correlation:+.2f}\n")
if os.environ.get("TERMS"):
    for k in [k for k in rows[0] if k not in ("set", "song", "f", "conf")]:
        v = np.array([x.get(k, np.nan) for x in rows], dtype=float)
        print(f"  term {k:10s} Spearman {spearmanr(v, f, nan_policy='omit').correlation:+.2f}")
    print()
print("| beat_confidence | songs | mean beat F | min beat F | share F ≥ 0.90 |")
print("| --------------- | ----- | ----------- | ---------- | -------------- |")
for lo, hi in ((0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01)):
    sel = f[(c >= lo) & (c < hi)]
    if len(sel):
        print(f"| {lo:.1f}–{min(hi, 1):.1f} | {len(sel)} | {sel.mean():.3f} | {sel.min():.3f} | {np.mean(sel >= 0.9):.2f} |")
    else:
        print(f"| {lo:.1f}–{min(hi, 1):.1f} | 0 | | | |")
if os.environ.get("CSV"):
    import csv
    keys = list(rows[0].keys())
    with open(os.environ["CSV"], "w") as fh:
        w = csv.DictWriter(fh, keys); w.writeheader(); [w.writerow(x) for x in rows]
th = float(os.environ.get("WARN", "0.5"))
lo, hi = f[c < th], f[c >= th]
bad = f < 0.9
print(f"\nwarning below {th}: {len(lo)} songs warned (mean F {lo.mean() if len(lo) else float('nan'):.3f}), "
      f"{len(hi)} not (mean F {hi.mean() if len(hi) else float('nan'):.3f}); "
      f"songs with F < 0.90 warned: {int(np.sum(bad & (c < th)))} of {int(bad.sum())}; "
      f"warned songs with F ≥ 0.90: {int(np.sum(~bad & (c < th)))}")
