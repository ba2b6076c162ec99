#!/usr/bin/python3
"""Per-song, per-stem SDR of two score.py --json files side by side, with the difference.

    compare.py ours.json ref.json [name_a name_b]   → a markdown table on stdout
"""
import json
import sys

STEMS = ("vocals", "drums", "bass", "other", "accompaniment")


def main(a_path, b_path, a_name="ours", b_name="reference"):
    a, b = json.load(open(a_path)), json.load(open(b_path))
    bs = {s["song"]: s for s in b["songs"]}
    print("| song | stem | %s | %s | Δ |" % (a_name, b_name))
    print("|---|---|---|---|---|")
    for s in a["songs"]:
        o = bs.get(s["song"])
        if o is None:
            continue
        for k in STEMS:
            x, y = s["sep"]["sdr"][k], o["sep"]["sdr"][k]
            print("| %s | %s | %.3f | %.3f | %+.3f |" % (s["song"], k, x, y, x - y))
    print()
    print("| mean over songs | %s | %s | Δ |" % (a_name, b_name))
    print("|---|---|---|---|")
    for k in STEMS:
        x, y = a["summary"]["sdr"][k], b["summary"]["sdr"][k]
        print("| %s | %.3f | %.3f | %+.3f |" % (k, x, y, x - y))
    x, y = a["summary"]["sdr_mean_4stems"], b["summary"]["sdr_mean_4stems"]
    print("| mean of 4 stems | %.3f | %.3f | %+.3f |" % (x, y, x - y))


if __name__ == "__main__":
    main(*sys.argv[1:])
