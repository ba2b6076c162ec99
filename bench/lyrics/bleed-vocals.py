#!/usr/bin/python3
"""Development stand-in for separated vocals: the true vocal stem plus a share of the
accompaniment (mixture - vocals), the bleed a separator leaves. Not separation: a cheap way to
tune on material with bleed when no separated development stems are at hand.
   bench/lyrics/bleed-vocals.py CORPUS OUT GAIN [GAIN_OFF]
OUT/<song>/vocals.wav = vocals + GAIN * accompaniment. With GAIN_OFF, the gain is GAIN only where
the true vocal is within 40 dB of its peak (50 ms frames, widened 200 ms, smoothed) and GAIN_OFF
elsewhere (a separator that silences the instrumental parts)."""
import os, sys
import numpy as np, soundfile as sf

corpus, out, g_on = sys.argv[1], sys.argv[2], float(sys.argv[3])
g_off = float(sys.argv[4]) if len(sys.argv) > 4 else None
for s in sorted(os.listdir(corpus)):
    d = os.path.join(corpus, s)
    if not os.path.exists(os.path.join(d, 'truth.json')):
        continue
    v, sr = sf.read(os.path.join(d, 'stems', 'vocals.wav'), dtype='float32')
    m, _ = sf.read(os.path.join(d, 'mixture.wav'), dtype='float32')
    n = min(len(v), len(m)); v = v[:n]; m = m[:n]
    if g_off is None:
        gs = np.float32(g_on)
    else:
        mono = v.mean(axis=1) if v.ndim > 1 else v
        w = int(0.05 * sr); frames = len(mono) // w
        db = 10 * np.log10((mono[:frames * w].reshape(frames, w) ** 2).mean(axis=1) + 1e-12)
        act = db > db.max() - 40
        k = int(0.2 / 0.05)
        dil = np.array([act[max(0, i - k):i + k + 1].any() for i in range(frames)])
        gain = np.convolve(np.where(dil, g_on, g_off), np.ones(3) / 3, mode='same')
        gs = np.interp(np.arange(n), (np.arange(frames) + 0.5) * w, gain).astype(np.float32)
        if v.ndim > 1: gs = gs[:, None]
    os.makedirs(os.path.join(out, s), exist_ok=True)
    sf.write(os.path.join(out, s, 'vocals.wav'), v + gs * (m - v), sr, subtype='PCM_16')
    print(s)
