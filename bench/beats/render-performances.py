#!/usr/bin/python3
"""Band-like drum performances rendered from MIDI with played (correlated) timing, for the beat
tracker's real-music development material.

    render-performances.py SEED OUTDIR        (e.g. 11 = development, 12 = held-out)
    render-performances.py SEED OUTDIR hard   (16 graded hard cases with their stems; 21 = dev, 22 = held-out)
    render-performances.py SEED OUTDIR mix    (16 loud-snare mixes with their stems; 31, 32 = dev, 33 = held-out)

Each song is drums + bass + a distorted-guitar part, rendered by fluidsynth with FluidR3_GM (the
kit generator's MIDI writer and renderer, ../shared/eval/gen_corpus.py), about 30 s long. The
patterns are the cases real band recordings break trackers on:
  skank     punk/polka beat: soft kick on the beats, LOUD snare on every off-beat eighth (170–190)
  halftime  kick on 1, loud snare on 3, eighth hi-hats (130–150): half-tempo bait
  metal     double-kick sixteenths, loud snare on 2 and 4, crash on 1 (176–196)
  disco     soft four-on-the-floor kick, loud open hi-hat on every off-beat (118–128)
  backbeat  soft kick, loud snare on 2 and 4 with ghost notes, slow drift (88–100)
  tresillo  kick 3+3+2 sixteenths, snare on 2 and 4, guitar accents on the off-beats (124–136)
  dnb       breakbeat: kick 1 and the "and" of 3, loud snare 2 and 4 (170–176)
  waltz     3/4 with a soft bass note on 1 and loud snare chords on 2 and 3 (140–170)
Timing is what a band does, not independent jitter: the whole band pushes and pulls together
(an AR(1) offset per beat, sigma 6–10 ms), every instrument adds its own jitter (3–6 ms), the
snare is laid back 4–10 ms, the bass plays slightly ahead, and the fill bar every 8 bars rushes
(up to −20 ms). Half the songs also change tempo at a bar line (±6–12 %) or drift (±2 %). The
truth beats are the click the band follows (the tempo map), not the notes.

Writes OUTDIR/<song>/mixture.wav (44.1 kHz stereo int16) and truth.json in the kit's format
(beats, beat_positions, downbeats, tempo_bpm = median beat tempo, time_signature).
"""
import json
import os
import sys
import tempfile

import numpy as np
import soundfile as sf

# The kit's directory: $EVAL, else ../shared/eval from the repository root (as bench/beats/run.sh).
sys.path.insert(0, os.environ.get("EVAL") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/eval"))
from gen_corpus import Midi, render_midi, SR  # noqa: E402

K, S, CH, OH, CR, RD = 36, 38, 42, 46, 49, 51
BARS = 14
FAMILIES = {
    # name: (bpm range, beats per bar, steps per beat, pattern {drum: string of velocities per step})
    "skank": ((170, 190), 4, 2, {K: "7.7.7.7.", S: ".X.X.X.X", CH: "55555555"}),
    "halftime": ((130, 150), 4, 2, {K: "X.......", S: "....X...", CH: "66666666"}),
    "metal": ((176, 196), 4, 4, {K: "7777777777777777", S: "....X.......X...", CH: "6.6.6.6.6.6.6.6."}),
    "disco": ((118, 128), 4, 2, {K: "5.5.5.5.", OH: ".X.X.X.X", S: "..7...7."}),
    "backbeat": ((88, 100), 4, 4, {K: "6.....5.6.......", S: "..2.X..2..2.X.2.", CH: "5.5.5.5.5.5.5.5."}),
    "tresillo": ((124, 136), 4, 4, {K: "7..7..7.7..7..7.", S: "....X.......X...", CH: "5.5.5.5.5.5.5.5."}),
    "dnb": ((170, 176), 4, 4, {K: "7.........7.....", S: "....X.......X...", CH: "5.5.5.5.5.5.5.5."}),
    "waltz": ((140, 170), 3, 2, {K: "6.....", S: "..X.X.", CH: "5.5.5."}),
}
# Real-mix failure cases (`mix` mode): loud snares and hats on the off-beats over a quiet kick.
MIX_FAMILIES = {
    # punk verse/chorus: backbeat verses, skank choruses (snare on every off-beat) every other 4 bars
    "punkvc": ((165, 192), 4, 2, {K: "7...7...", S: "..X...X.", CH: "55555555"},
               {K: "5.5.5.5.", S: ".X.X.X.X", CH: "........"}),
    # rock eighths: kick on 1, the "and" of 2 and 3, loud snare 2/4, hi-hats accented on the off-beats
    "rock8": ((100, 140), 4, 2, {K: "7..7.7..", S: "..X...X.", CH: "5X5X5X5X"}),
    # ghost-note backbeat: loud ghost snares on the sixteenths around the backbeat
    "ghost": ((84, 110), 4, 4, {K: "7.......7.7.....", S: "..5.X.5..5.5X.5.", CH: "5.5.5.5.5.5.5.5."}),
}
ALL_FAMILIES = {**FAMILIES, **MIX_FAMILIES}
VEL = {"2": 30, "5": 70, "6": 82, "7": 92, "X": 124}


def tempo_map(rng, bpm, bpb, kind):
    """Beat times (the click) for BARS bars plus the final downbeat."""
    n = BARS * bpb + 1
    t, out = 0.6, []
    step_bar = int(rng.integers(5, 9))
    ratio = 1 + rng.choice([-1, 1]) * rng.uniform(0.06, 0.12)
    for i in range(n):
        out.append(t)
        b = bpm
        if kind == "step" and i >= step_bar * bpb:
            b = bpm * ratio
        elif kind == "drift":
            b = bpm * (1 + 0.02 * np.sin(2 * np.pi * i / (8 * bpb)))
        t += 60.0 / b
    return np.array(out)


def perform(name, fam, rng, kind, hard=None):
    (lo, hi), bpb, spb, verse, *alt = ALL_FAMILIES[fam]
    bpm = float(rng.uniform(lo, hi))
    beats = tempo_map(rng, bpm, bpb, kind)
    h = hard or {}
    intro = h.get("rubato_bars", 0)
    if intro:  # a free-tempo intro: the first bars' beats wander by up to ±15 % each (guitar and bass only)
        ibi = np.diff(beats)
        hr = h["rng"]
        ibi[: intro * bpb] *= 1 + hr.uniform(-0.15, 0.15, intro * bpb)
        beats = np.concatenate([[beats[0]], beats[0] + np.cumsum(ibi)])
    nb = len(beats) - 1
    band_sigma, own = rng.uniform(0.006, 0.010), rng.uniform(0.003, 0.006)
    snare_back, bass_ahead = rng.uniform(0.004, 0.010), rng.uniform(0.0, 0.006)
    band = np.zeros(nb + 1)
    for i in range(1, nb + 1):
        band[i] = 0.85 * band[i - 1] + rng.normal(0, band_sigma * np.sqrt(1 - 0.85 ** 2))

    def when(pos):
        """Time of score position pos (beats), with the band's push/pull and the fill rush."""
        i = min(int(pos), nb - 1)
        f = pos - i
        t = beats[i] + f * (beats[i + 1] - beats[i]) + band[i] * (1 - f) + band[i + 1] * f
        bar = int(pos) // bpb
        if bar % 8 == 7:  # fill bar: rushes towards its end
            t -= 0.020 * ((pos - bar * bpb) / bpb)
        return t

    drums, bass, gtr = Midi(), Midi(), Midi()
    drums.program(0, 9, 16)
    bass.program(0, 0, 34)
    gtr.program(0, 1, 30)
    roots = [40, 45, 43, 38]
    for bar in range(BARS):
        fill = bar % 8 == 7
        silent = bar < intro or bar in h.get("drop_bars", ())
        pat = alt[0] if alt and (bar // 4) % 2 == 1 else verse
        for drum, s in pat.items():
            for st, c in enumerate(s):
                if c not in VEL:
                    continue
                pos = bar * bpb + st / spb
                dt = rng.normal(0, own) + (snare_back if drum == S else 0)
                v = VEL[c] * rng.uniform(0.9, 1.05)
                if silent:
                    continue
                if drum == K:
                    v *= h.get("kick_gain", 1.0)
                elif drum == S and (h.get("snare_gain", 1.0) != 1.0 or st % spb != 0):
                    v = min(127, v * h.get("snare_gain", 1.0) * (h.get("offbeat_gain", 1.0) if st % spb else 1.0))
                elif st % spb != 0:  # off-beat hits (snare, hats) pushed up
                    v = min(127, v * h.get("offbeat_gain", 1.0))
                drums.note(when(pos) + dt, 0.08, 9, drum, v)
        if bar % 4 == 0:
            drums.note(when(bar * bpb) + rng.normal(0, own), 0.5, 9, CR, 100)
        if fill:  # toms on the last beat
            for k in range(4):
                drums.note(when(bar * bpb + bpb - 1 + k / 4) + rng.normal(0, own), 0.08, 9, 47 - 2 * k, 105)
        root = roots[(bar // 2) % 4]
        for b in range(bpb):
            pos = bar * bpb + b
            bass.note(when(pos) - bass_ahead + rng.normal(0, own), 0.9 * 60 / bpm, 0, root, 88 if b == 0 else 72)
        for e in range(bpb * 2):  # power chords on the eighths, accents on the off-beats
            pos = bar * bpb + e / 2
            v = 96 if e % 2 == 1 else 70
            if e % 2 == 1:
                v = min(127, v * h.get("gtr_accent", 1.0))
            for key in (root + 12, root + 19):
                gtr.note(when(pos) + rng.normal(0, own), 0.45 * 60 / bpm, 1, key, v)
    end = when(nb)
    drums.note(end, 1.0, 9, CR, 110)
    drums.note(end, 0.3, 9, K, 110)
    bass.note(end, 1.5, 0, roots[0], 90)
    dur = end + 2.5
    n = int(round(dur * SR))
    with tempfile.TemporaryDirectory() as tmp:
        stems = []
        for i, m in enumerate((drums, bass, gtr)):
            mid = os.path.join(tmp, f"{i}.mid")
            m.save(mid, dur)
            x = render_midi(mid, os.path.join(tmp, f"{i}.wav"), n)
            rms = np.sqrt(np.mean(x ** 2)) or 1
            stems.append(x / rms * 10 ** (((-18, -21, -22)[i] + (h.get("drums_db", 0) if i == 0 else 0)) / 20))
    mix = sum(stems)
    g = 10 ** (-1.5 / 20) / np.max(np.abs(mix))
    mix *= g
    out = os.path.join(sys.argv[2], name)
    os.makedirs(out, exist_ok=True)
    sf.write(os.path.join(out, "mixture.wav"), mix, SR, subtype="PCM_16")
    if hard is not None:  # the true stems, as mixed (for drums-stem tracking: an upper bound on separation)
        for stem, x in zip(("drums", "bass", "other"), stems):
            sf.write(os.path.join(out, f"{stem}.wav"), x * g, SR, subtype="FLOAT")
    bt = beats.tolist()
    pos = [(i % bpb) + 1 for i in range(len(bt))]
    ibi = np.diff(beats)
    truth = dict(beats=bt, beat_positions=pos, downbeats=[t for t, p in zip(bt, pos) if p == 1],
                 tempo_bpm=float(np.median(60 / ibi)), time_signature=f"{bpb}/4", duration=dur,
                 performance=dict(family=fam, tempo_kind=kind, nominal_bpm=bpm, band_sigma_ms=1000 * band_sigma,
                                  jitter_ms=1000 * own, snare_laid_back_ms=1000 * snare_back,
                                  bass_ahead_ms=1000 * bass_ahead,
                                  hard={k: v for k, v in h.items() if k != "rng"} or None))
    json.dump(truth, open(os.path.join(out, "truth.json"), "w"), indent=1)
    print(f"{name}: {fam} {bpm:.1f} BPM {kind} {dur:.1f} s", flush=True)


def hard_recipe(hr, bpb):
    """Graded difficulty d in 0..1: quieter kick, louder off-beats, buried drums, off-beat guitar
    accents, and (for some songs) a rubato intro or bars where the drums drop out."""
    d = float(hr.uniform(0, 1))
    r = dict(difficulty=round(d, 3), kick_gain=1 - 0.6 * d, offbeat_gain=1 + 0.5 * d,
             drums_db=-12 * d * float(hr.uniform(0.5, 1)), gtr_accent=1 + 0.4 * d, rng=hr)
    if hr.uniform() < 0.35:
        r["rubato_bars"] = 2
    if hr.uniform() < 0.35:
        start = int(hr.integers(4, 10))
        r["drop_bars"] = list(range(start, start + 2))
    return r


def mix_recipe(hr):
    """A loud-snare mix: the kick turned well down, snares and off-beat hits up, some drop-outs."""
    r = dict(kick_gain=float(hr.uniform(0.3, 0.7)), snare_gain=float(hr.uniform(1.0, 1.3)),
             offbeat_gain=float(hr.uniform(1.1, 1.5)), drums_db=float(hr.uniform(-6, 0)),
             gtr_accent=float(hr.uniform(1.0, 1.3)), rng=hr)
    if hr.uniform() < 0.25:
        start = int(hr.integers(4, 10))
        r["drop_bars"] = list(range(start, start + 2))
    return r


def main():
    seed, outdir = int(sys.argv[1]), sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else ""
    hard = mode == "hard"
    if mode == "mix":  # 16 loud-snare mixes: the three mix families and five others, twice each
        rng, hr = np.random.default_rng(seed), np.random.default_rng(seed + 1000)
        fams = list(MIX_FAMILIES) + ["skank", "halftime", "disco", "backbeat", "tresillo"]
        kinds = ["steady", "step", "drift", "steady"]
        for rep in range(2):
            for i, fam in enumerate(fams):
                perform(f"m{seed}_{rep}{i}_{fam}", fam, rng, kinds[(i + rep + seed) % len(kinds)], mix_recipe(hr))
        return
    if hard:  # 16 songs, each family twice, with graded difficulty and the stems written
        rng, hr = np.random.default_rng(seed), np.random.default_rng(seed + 1000)
        kinds = ["steady", "step", "drift", "steady"]
        for rep in range(2):
            for i, fam in enumerate(FAMILIES):
                recipe = hard_recipe(hr, FAMILIES[fam][1])
                perform(f"x{seed}_{rep}{i}_{fam}", fam, rng, kinds[(i + rep + seed) % len(kinds)], recipe)
        return
    rng = np.random.default_rng(seed)
    kinds = ["steady", "step", "drift", "steady", "step", "drift", "steady", "step"]
    for i, fam in enumerate(FAMILIES):
        perform(f"r{seed}_{i:02d}_{fam}", fam, rng, kinds[(i + seed) % len(kinds)])
    os.makedirs(outdir, exist_ok=True)


if __name__ == "__main__":
    main()
