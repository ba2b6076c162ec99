/**
 * @file Classical separation for when no model weights are available. It is labelled as a fallback
 * everywhere, because its stems are far from a model's:
 *  - drums  = percussive part of a median-filter HPSS;
 *  - bass   = harmonic part below `BASS_HZ`;
 *  - vocals = harmonic part in the voice band, weighted by how centred (L ≈ R) each bin is;
 *  - other  = the mixture minus the three, so the four stems always sum to the mixture exactly.
 * Masks come from the channel-averaged magnitude; both channels are masked alike.
 */

import type { PcmAudio } from '../../audio/pcm.js';
import { pcmLength } from '../../audio/pcm.js';
import { medianFilters } from '../../audio/hpss.js';
import { SongStft } from '../../audio/separation/song-stft.js';
import type { EngineInfo } from '../../domain/stage.js';
import { throwIfAborted } from '../../errors.js';
import type { SeparateOptions, SeparationEngine, Stems } from './types.js';

const N_FFT = 4096;
const HOP = 1024;
const BASS_HZ = 200;
const VOICE_LO_HZ = 200;
const VOICE_HI_HZ = 8000;
const CENTRE_POWER = 4; // sharpens the centre weighting: a bin half-correlated keeps 1/16
const VOICE_PERCUSSIVE_SHARE = 0.5;
const EPS = 1e-12;

export class DspFallbackEngine implements SeparationEngine {
  /** `info`: how results name the engine (from the engine table). */
  constructor(readonly info: EngineInfo) {}

  async separate(audio: PcmAudio, opts: SeparateOptions = {}): Promise<Stems> {
    const n = pcmLength(audio);
    const left = audio.channels[0];
    const right = audio.channels.length > 1 ? audio.channels[1] : left;
    const stft = new SongStft(n, N_FFT, HOP);
    const { frames, bins } = stft;
    const XL = new Float32Array(stft.specSize);
    const XR = right === left ? XL : new Float32Array(stft.specSize);
    stft.forward(left, XL);
    if (XR !== XL) stft.forward(right, XR);
    step(opts, 0.2);

    const mag = new Float32Array(frames * bins);
    for (let i = 0, j = 0; i < mag.length; i++, j += 2) {
      mag[i] = (Math.hypot(XL[j], XL[j + 1]) + Math.hypot(XR[j], XR[j + 1])) / 2;
    }
    const harmonic = new Float32Array(frames * bins);
    const centre = new Float32Array(frames * bins);
    medianFilters(mag, frames, bins, harmonic, centre);
    step(opts, 0.5);

    // Turn the filtered spectrograms into the harmonic mask (in `harmonic`) and the centre weight (in `centre`).
    for (let i = 0, j = 0; i < mag.length; i++, j += 2) {
      const h2 = harmonic[i] * harmonic[i];
      const p2 = centre[i] * centre[i];
      harmonic[i] = h2 / (h2 + p2 + EPS);
      const cross = 2 * (XL[j] * XR[j] + XL[j + 1] * XR[j + 1]);
      const power = XL[j] * XL[j] + XL[j + 1] * XL[j + 1] + XR[j] * XR[j] + XR[j + 1] * XR[j + 1];
      const psi = Math.min(1, Math.max(0, cross / (power + EPS)));
      centre[i] = psi ** CENTRE_POWER;
    }

    const binHz = audio.sampleRate / N_FFT;
    const bassBins = Math.ceil(BASS_HZ / binHz);
    const voiceLo = Math.ceil(VOICE_LO_HZ / binHz);
    const voiceHi = Math.floor(VOICE_HI_HZ / binHz);
    // Per-bin band gates, so the mask loop is a product of arrays with no branches.
    const gates: Record<'drums' | 'bass' | 'vocals', Float32Array> = {
      drums: new Float32Array(bins).fill(1),
      bass: new Float32Array(bins).map((_, f) => (f < bassBins ? 1 : 0)),
      vocals: new Float32Array(bins).map((_, f) => (f >= voiceLo && f <= voiceHi ? 1 : 0)),
    };
    const YL = new Float32Array(stft.specSize);
    const YR = new Float32Array(stft.specSize);
    const stems = {} as Stems;
    const sum = [new Float32Array(n), new Float32Array(n)];
    let progress = 0.5;
    for (const name of ['drums', 'bass', 'vocals'] as const) {
      throwIfAborted(opts.signal);
      const gate = gates[name];
      for (let t = 0, i = 0; t < frames; t++) {
        for (let f = 0; f < bins; f++, i++) {
          const h = harmonic[i];
          // Speech is only partly harmonic: centred voice-band bins lend vocals a share of their percussive part too.
          const v = gates.vocals[f] * centre[i];
          const m =
            name === 'drums'
              ? (1 - h) * (1 - VOICE_PERCUSSIVE_SHARE * v)
              : name === 'bass'
                ? gate[f] * h
                : v * (h + VOICE_PERCUSSIVE_SHARE * (1 - h));
          const j = 2 * i;
          YL[j] = XL[j] * m;
          YL[j + 1] = XL[j + 1] * m;
          YR[j] = XR[j] * m;
          YR[j + 1] = XR[j + 1] * m;
        }
      }
      const l = new Float32Array(n);
      const r = new Float32Array(n);
      stft.inverse(YL, l, YR, r);
      for (let i = 0; i < n; i++) {
        sum[0][i] += l[i];
        sum[1][i] += r[i];
      }
      stems[name] = stemOf(audio, l, r);
      progress += 0.15;
      step(opts, progress);
    }
    const otherL = new Float32Array(n);
    const otherR = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      otherL[i] = left[i] - sum[0][i];
      otherR[i] = right[i] - sum[1][i];
    }
    stems.other = stemOf(audio, otherL, otherR);
    step(opts, 1);
    return stems;
  }

  async dispose(): Promise<void> {
    // Nothing held between songs.
  }
}

function stemOf(audio: PcmAudio, l: Float32Array, r: Float32Array): PcmAudio {
  return { sampleRate: audio.sampleRate, channels: audio.channels.length === 1 ? [l] : [l, r] };
}

function step(opts: SeparateOptions, fraction: number): void {
  throwIfAborted(opts.signal);
  opts.onProgress?.(fraction);
}
