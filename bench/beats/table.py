#!/usr/bin/python3
"""Per-song beat table of one or more scored corpora, with the mean signed beat offset and the
relation between beat_confidence and beat F (Spearman, bins).
    table.py CORPUS RESULTS [CORPUS RESULTS ...]
RESULTS/<song>/beats.json is what analyze-corpus.ts writes (it includes beat_confidence,
tempo_steady and tempo_curve). Uses the same metrics as the kit's scorer (mir_eval, 70 ms,
first 5 s dropped)."""
import json, os, sys, warnings
import numpy as np
import mir_eval
warnings.filterwarnings("ignore")

def trim(x):
    x = np.asarray(x, dtype=float)
    return x[x >= 5.0]

def offset_ms(ref, est):
    """Median signed error (ms) of estimated beats matched within 70 ms."""
    d = []
    for t in est:
        j = np.argmin(np.abs(ref - t)) if len(ref) else -1
        if j >= 0 and abs(ref[j] - t) <= 0.07:
            d.append(t - ref[j])
    return 1000 * float(np.median(d)) if d else float("nan")

rows = []
args = sys.argv[1:]
for corpus, results in zip(args[0::2], args[1::2]):
    for song in sorted(os.listdir(corpus)):
        tp = os.path.join(corpus, song, "truth.json")
        rp = os.path.join(results, song, "beats.json")
        if not os.path.exists(tp) or not os.path.exists(rp):
            continue
        t = json.load(open(tp)); r = json.load(open(rp))
        rb, eb = trim(t["beats"]), trim(r.get("beats", []))
        f = mir_eval.beat.f_measure(rb, eb, 0.07) if len(eb) else 0.0
        cmlt, amlt = (mir_eval.beat.continuity(rb, eb)[1::2] if len(eb) > 1 else (0.0, 0.0))
        dbf = mir_eval.beat.f_measure(trim(t["downbeats"]), trim(r.get("downbeats", [])), 0.07) if len(trim(r.get("downbeats", []))) else 0.0
        tt = t["tempo_bpm"]; te = r.get("tempo_bpm", 0)
        rows.append(dict(song=song, f=f, cmlt=cmlt, amlt=amlt, dbf=dbf, tt=tt, te=te, acc1=abs(te / tt - 1) <= 0.04,
                         ts=r.get("time_signature") == t["time_signature"], tst=t["time_signature"], tse=r.get("time_signature"),
                         off=offset_ms(rb, eb), conf=r.get("beat_confidence", float("nan")),
                         steady=r.get("tempo_steady"), curve=t.get("tempo_curve") is not None))
print("| song | beat F | CMLt | AMLt | downbeat F | tempo est / true | meter est (true) | offset ms | beat conf | steady |")
print("|---|---|---|---|---|---|---|---|---|---|")
for x in rows:
    print(f"| {x['song']} | {x['f']:.3f} | {x['cmlt']:.3f} | {x['amlt']:.3f} | {x['dbf']:.3f} | {x['te']:.1f} / {x['tt']:.1f} | {x['tse']} ({x['tst']}) | {x['off']:+.1f} | {x['conf']:.2f} | {x['steady']} |")
if rows:
    m = lambda k: np.mean([float(x[k]) for x in rows])
    print(f"| **mean ({len(rows)} songs)** | **{m('f'):.3f}** | {m('cmlt'):.3f} | {m('amlt'):.3f} | {m('dbf'):.3f} | Acc1 {m('acc1'):.2f} | {m('ts'):.2f} | {np.nanmedian([x['off'] for x in rows]):+.1f} | | |")
    print(f"\nmin beat F {min(x['f'] for x in rows):.3f}; songs below 0.90: {sum(x['f'] < 0.9 for x in rows)}")
if os.environ.get("CONF_TABLE") and len(rows) >= 4:
    from scipy.stats import spearmanr
    c = np.array([x["conf"] for x in rows]); f = np.array([x["f"] for x in rows])
    rho = spearmanr(c, f).correlation
    print(f"\nbeat_confidence vs beat F over {len(rows)} songs: Spearman {rho:+.2f}\n")
    print("| beat_confidence | songs | mean beat F | min beat F | share F ≥ 0.90 |")
    print("|---|---|---|---|---|")
    for lo, hi in ((0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01)):
        sel = [x for x in rows if lo <= x["conf"] < hi]
        if sel:
            ff = [x["f"] for x in sel]
            print(f"| {lo:.1f}–{min(hi, 1):.1f} | {len(sel)} | {np.mean(ff):.3f} | {min(ff):.3f} | {np.mean([v >= 0.9 for v in ff]):.2f} |")
