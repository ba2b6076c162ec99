#!/usr/bin/python3
"""Real band recordings with a known tempo map, for the beat tracker: the Frets on Fire song packs
Debian ships (`fretsonfire-songs-sectoid`, MIT-style licence, 4 songs by Sectoid, 2006/2007;
`fretsonfire-songs-muldjord`, CC BY-SA 3.0, 4 songs by Muldjord, 2009). Each song is a studio
recording (rock/metal, 95–190 BPM) made to a click: a backing track (`song.ogg`: drums, bass,
rhythm parts) and a lead guitar track (`guitar.ogg`), with the game's note chart (`notes.mid`),
whose tempo map is the click.

    real-corpus.py OUTDIR [DEB_DIR]

DEB_DIR holds the two .deb files (default: downloaded with `apt-get download` into OUTDIR/debs;
no root needed). Writes OUTDIR/<song>/mixture.wav (song + guitar, as the game plays them, 44.1 kHz
stereo int16) and truth.json in the kit's format (beats, downbeats, tempo_bpm, time_signature).

The truth is the chart's tempo map (one constant tempo per song, 4/4, bar lines from tick 0),
placed on the recording by the drums: the grid's offset is the one (in 0.25 ms steps, ±100 ms)
that maximises the backing track's spectral flux on the beats, and it is checked per 30 s window
(`drift_ms` in truth.json: the window offsets, all within ±15 ms of the song's offset means the
recording follows the click). Beats are kept from the first to the last sounding frame of the
mixture. The downbeats are the chart's bar lines; they are not checked against the music
(`downbeats_checked: false`).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf

PACKAGES = ("fretsonfire-songs-sectoid", "fretsonfire-songs-muldjord")
SR = 44100


def vlq(b, i):
    v = 0
    while True:
        c = b[i]
        i += 1
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            return v, i


def midi_tempo(path):
    """(ticks per quarter, first tempo in µs per quarter, whether every tempo event is that one)."""
    b = open(path, "rb").read()
    if b[:4] != b"MThd":
        raise ValueError(f"{path}: not a MIDI file")
    _fmt, ntracks, division = struct.unpack(">HHH", b[8:14])
    i, tempos = 14, []
    for _ in range(ntracks):
        length = struct.unpack(">I", b[i + 4 : i + 8])[0]
        j, end, status = i + 8, i + 8 + length, 0
        while j < end:
            _d, j = vlq(b, j)
            s = b[j]
            if s == 0xFF:
                typ = b[j + 1]
                n, k = vlq(b, j + 2)
                if typ == 0x51:
                    tempos.append(int.from_bytes(b[k : k + n], "big"))
                j = k + n
            elif s in (0xF0, 0xF7):
                n, k = vlq(b, j + 1)
                j = k + n
            else:
                if s & 0x80:
                    status = s
                    j += 1
                j += 1 if status >> 4 in (0xC, 0xD) else 2
        i = end
    return division, tempos[0], all(t == tempos[0] for t in tempos)


def decode(path):
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-ar", str(SR), "-ac", "2", tmp.name], check=True)
        x, sr = sf.read(tmp.name, dtype="float32", always_2d=True)
    assert sr == SR
    return x


def flux(mono, hop=220, n=1024):
    frames = (len(mono) - n) // hop
    idx = np.arange(n)[None, :] + hop * np.arange(frames)[:, None]
    spec = np.log1p(np.abs(np.fft.rfft(mono[idx] * np.hanning(n), axis=1)) * 300)
    f = np.concatenate([[0.0], np.maximum(0, np.diff(spec, axis=0)).sum(1)])
    # frame k's window is centred n/2 samples after its start: report times at the centre
    return f / (f.std() + 1e-12), hop / SR, n / 2 / SR, np.sqrt((spec**2).sum(1))


def best_offset(fl, dt, centre, grid, span=0.1, step=0.00025):
    best = (-1.0, 0.0)
    for lag in np.arange(-span, span + step / 2, step):
        k = np.round((grid + lag - centre) / dt).astype(int)
        k = k[(k >= 0) & (k < len(fl))]
        if len(k):
            s = float(fl[k].mean())
            if s > best[0]:
                best = (s, float(lag))
    return best[1]


def song_truth(backing, mix, spb):
    fl, dt, centre, level = flux(backing.mean(1))
    grid = np.arange(0, len(backing) / SR, spb)
    offset = best_offset(fl, dt, centre, grid)
    drift = []
    for w0 in np.arange(0, len(backing) / SR - 30, 30):
        sel = grid[(grid >= w0) & (grid < w0 + 30)]
        drift.append(round(1000 * (best_offset(fl, dt, centre, sel, span=0.06) - offset), 1))
    _f, dtm, cm, mix_level = flux(mix.mean(1))
    loud = np.where(mix_level > 0.05 * mix_level.max())[0]
    t0, t1 = loud[0] * dtm + cm, loud[-1] * dtm + cm
    beats = offset + grid
    index = np.arange(len(beats))
    keep = (beats >= t0 - 1e-6) & (beats <= t1 + 1e-6) & (beats >= 0)
    return beats[keep], index[keep], offset, drift


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = sys.argv[1]
    debs = sys.argv[2] if len(sys.argv) > 2 else os.path.join(out, "debs")
    os.makedirs(debs, exist_ok=True)
    if not any(f.endswith(".deb") for f in os.listdir(debs)):
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=debs, check=True)
    tree = os.path.join(out, "pkg")
    for deb in sorted(f for f in os.listdir(debs) if f.endswith(".deb")):
        subprocess.run(["dpkg-deb", "-x", os.path.join(debs, deb), tree], check=True)
    root = os.path.join(tree, "usr/share/games/fretsonfire/data/songs")
    for pack in sorted(os.listdir(root)):
        for title in sorted(os.listdir(os.path.join(root, pack))):
            src = os.path.join(root, pack, title)
            if not os.path.exists(os.path.join(src, "notes.mid")):
                continue
            name = f"{pack}_{title.lower().replace(' ', '_')}"
            division, tempo_us, constant = midi_tempo(os.path.join(src, "notes.mid"))
            if not constant:
                raise SystemExit(f"{name}: tempo changes in the chart (not handled)")
            spb = tempo_us / 1e6
            backing = decode(os.path.join(src, "song.ogg"))
            guitar = decode(os.path.join(src, "guitar.ogg"))
            n = min(len(backing), len(guitar))
            mix = backing[:n] + guitar[:n]
            peak = float(np.abs(mix).max())
            if peak > 0.99:
                mix *= 0.99 / peak
            beats, index, offset, drift = song_truth(backing[:n], mix, spb)
            bar0 = index[0] % 4
            downbeats = [float(b) for b, i in zip(beats, index) if i % 4 == 0]
            d = os.path.join(out, name)
            os.makedirs(d, exist_ok=True)
            sf.write(os.path.join(d, "mixture.wav"), mix, SR, subtype="PCM_16")
            truth = {
                "source": f"Debian {pack} pack: {title}",
                "tempo_bpm": round(60 / spb, 4),
                "time_signature": "4/4",
                "beats": [round(float(b), 5) for b in beats],
                "downbeats": [round(b, 5) for b in downbeats],
                "downbeats_checked": False,
                "first_beat_in_bar": int(bar0),
                "offset_ms": round(1000 * offset, 2),
                "drift_ms": drift,
                "mix_gain": round(min(1.0, 0.99 / peak), 4),
            }
            json.dump(truth, open(os.path.join(d, "truth.json"), "w"), indent=1)
            print(f"{name}: {60 / spb:.2f} BPM, offset {1000 * offset:+.2f} ms, drift per 30 s {drift}, "
                  f"{len(beats)} beats, {n / SR:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
