#!/usr/bin/env python3
"""Where festival really starts each sung note, for a kit corpus of sung songs.

The kit's truth (`truth.json` → `notes`) is the melody as planned: each syllable's notes laid end
to end from the word's first placed sample. Festival's singing mode does not sing a word's inner
syllables at those times: its duration pass (`singing_do_syllable` in singing-mode.scm) sums the
phones of `item.leafs` of the syllable, which runs on to the end of the word, so a syllable's own
phones get only their share of its duration and the next syllable's first phone absorbs the rest.
The next syllable's pitch (its f0 targets start at festival's syllable start) therefore arrives
early — up to 250 ms — while its vowel comes near the planned time.

This script sings every word again exactly as the kit does (same voice, frequencies, seconds,
formant factor; festival is deterministic), reads festival's segment and syllable times, applies
the kit's resampling and its -40 dB trim, and writes, per song, OUT/<song>/sung_onsets.json: the
truth's notes with `start` replaced by the time festival starts that note's syllable (a slurred
note: its share of the syllable, as the f0 targets place it) and `vowel` = when the syllable's
vowel begins. Needs festival (../shared/eval/ensure_deps.sh).

Run: /usr/bin/python3 bench/notes/festival-onsets.py CORPUS_DIR OUT_DIR
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

KIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "eval")
sys.path.insert(0, os.environ.get("KIT_DIR", KIT))
import gen_corpus as kit  # noqa: E402

VOWELS = {"aa", "ae", "ah", "ao", "aw", "ax", "axr", "ay", "eh", "el", "em", "en", "er", "ey", "ih",
          "iy", "ow", "oy", "uh", "uw"}


def word_occurrences(notes):
    """Truth notes → [[notes of one sung word]], in order (a word's notes are laid end to end)."""
    words = []
    for n in notes:
        last = words[-1] if words else None
        if (last and last[0]["word"] == n["word"] and n["syllable"] >= last[-1]["syllable"]
                and abs(n["start"] - last[-1]["end"]) < 1e-5):
            last.append(n)
        else:
            words.append([n])
    return words


def festival_times(items, voice, work):
    """(word, freqs, secs) → [(segments [(name, start, end)], syllable index per segment, wav, sr)]."""
    lines = ["(voice_%s)" % voice,
             "(define (sw_hook utt)"
             " (mapcar (lambda (s) (format t \"SEG %s %f %s\\n\" (item.name s) (item.feat s \"end\")"
             " (item.feat s \"R:SylStructure.parent.R:Syllable.pos_in_word\")))"
             " (utt.relation.items utt 'Segment))"
             " (utt.save.wave utt (format nil \"%s.wav\" sw_base) 'riff))",
             "(set! tts_hooks (list utt.synth sw_hook))"]
    for i, (w, fr, secs) in enumerate(items):
        with open(os.path.join(work, "o%d.xml" % i), "w") as f:
            f.write('<?xml version="1.0"?>\n<!DOCTYPE SINGING PUBLIC "-//SINGING//DTD SINGING mark up//EN" '
                    '"Singing.v0_1.dtd" []>\n<SINGING BPM="60"><PITCH NOTE="X" FREQ="%s">'
                    '<DURATION BEATS="X" SECONDS="%s">%s</DURATION></PITCH></SINGING>\n' % (fr, secs, w))
        lines.append('(format t "ITEM %d\\n") (set! sw_base "o%d") (tts_file "o%d.xml" \'singing)' % (i, i, i))
    scm = os.path.join(work, "onsets.scm")
    with open(scm, "w") as f:
        f.write("\n".join(lines) + "\n")
    out = subprocess.run(["festival", "--batch", scm], cwd=work, capture_output=True, text=True).stdout
    segs = {}
    cur = None
    for ln in out.splitlines():
        p = ln.split()
        if len(p) == 2 and p[0] == "ITEM":
            cur = int(p[1])
            segs[cur] = []
        elif len(p) == 4 and p[0] == "SEG" and cur is not None:
            segs[cur].append((p[1], float(p[2]), p[3]))
    res = []
    for i in range(len(items)):
        path = os.path.join(work, "o%d.wav" % i)
        if i not in segs or not os.path.exists(path):
            res.append(None)
            continue
        x, sr = sf.read(path, dtype="float64")
        res.append((segs[i], x if x.ndim == 1 else x.mean(axis=1), sr))
    return res


def trim_lead(x, sr, fmt):
    """Seconds (in the placed word's time) that the kit's -40 dB trim cuts from the word's start."""
    sr_eff = int(round(sr * fmt))
    g = math.gcd(kit.SR, sr_eff)
    y = resample_poly(x, kit.SR // g, sr_eff // g)
    w = 132
    env = np.sqrt(np.convolve(y * y, np.ones(w) / w, mode="same"))
    idx = np.nonzero(env > env.max() * 10 ** (kit.SUNG_TRIM_DB / 20))[0]
    return idx[0] / kit.SR if len(idx) else 0.0


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    meta = json.load(open(os.path.join(corpus, "corpus.json")))
    conf = json.load(open(meta["config"]))
    cfgs = {s["name"]: s for s in conf["songs"]}
    for song in meta["songs"]:
        truth = json.load(open(os.path.join(corpus, song, "truth.json")))
        if not truth.get("notes"):
            continue
        cfg = cfgs[song]
        voice = cfg.get("sung_voice", "kal_diphone")
        fmt = float(cfg.get("sung_formant", 1.0))
        words = word_occurrences(truth["notes"])
        items = []
        for w in words:
            syls = {}
            for n in w:
                syls.setdefault(n["syllable"], []).append(n)
            fr = ",".join("+".join("%.2f" % (440.0 * 2 ** ((n["midi"] - 69) / 12.0) / fmt) for n in ns)
                          for _, ns in sorted(syls.items()))
            se = ",".join("+".join("%.3f" % ((n["end"] - n["start"]) * fmt) for n in ns)
                          for _, ns in sorted(syls.items()))
            items.append((w[0]["word"], fr, se))
        with tempfile.TemporaryDirectory() as work:
            sung = festival_times(items, voice, work)
        notes = []
        shifted = 0
        for w, got in zip(words, sung):
            if got is None:
                notes += [dict(n, vowel=n["start"]) for n in w]
                continue
            segs, x, sr = got
            lead = trim_lead(x, sr, fmt)
            t0 = w[0]["start"]
            starts, ends, vowels = {}, {}, {}
            prev_end = 0.0
            for name, end, syl in segs:
                if name in ("pau", "h#", "brth") or not syl.isdigit():
                    prev_end = end
                    continue
                k = int(syl)
                starts.setdefault(k, prev_end)
                ends[k] = end
                if name.rstrip(":") in VOWELS:
                    vowels.setdefault(k, prev_end)
                prev_end = end
            place = lambda t: t0 + max(0.0, t / fmt - lead)  # noqa: E731
            by_syl = {}
            for n in w:
                by_syl.setdefault(n["syllable"], []).append(n)
            for k, ns in sorted(by_syl.items()):
                s = place(starts.get(k, 0.0)) if k > 0 else t0
                e = place(ends.get(k, 0.0)) if k in ends else ns[-1]["end"]
                total = sum(n["end"] - n["start"] for n in ns)
                acc = 0.0
                for n in ns:
                    start = s + (e - s) * acc / total if total > 0 else s
                    acc += n["end"] - n["start"]
                    v = place(vowels[k]) if k in vowels else start
                    if abs(start - n["start"]) > 0.1:
                        shifted += 1
                    notes.append(dict(n, start=round(start, 6), planned=n["start"], vowel=round(v, 6)))
        os.makedirs(os.path.join(out, song), exist_ok=True)
        with open(os.path.join(out, song, "sung_onsets.json"), "w") as f:
            json.dump(notes, f, indent=1)
        print("%s: %d notes, %d start > 100 ms away from the planned time" % (song, len(notes), shifted))


if __name__ == "__main__":
    main()
