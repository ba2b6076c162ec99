/**
 * Which cue finds the bar phase: for every song, the engine's beats are matched to the truth
 * (within 70 ms), and every downbeat cue (low band, full band, spectral change, chord change,
 * bass change, the combined accent) picks its best phase for the TRUE bar length; printed: the
 * share of songs where each cue's phase is right, and its clarity. Development aid.
 *   npx tsx bench/beats/downbeat-cues.ts <corpus_dir> [...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { FLUX_DELAY, onsetStrength } from '../../src/audio/beats/onset-strength.js';
import { barContrast, clarity, meterCues, meterSignals } from '../../src/audio/beats/meter.js';

const tally: Record<string, { right: number; n: number }> = {};
for (const corpus of process.argv.slice(2)) {
  for (const song of fs.readdirSync(corpus).sort()) {
    const wav = path.join(corpus, song, 'mixture.wav');
    if (!fs.existsSync(wav)) continue;
    const truth = JSON.parse(fs.readFileSync(path.join(corpus, song, 'truth.json'), 'utf8'));
    const bpb: number =
      truth.beats_per_bar ??
      Number(String(truth.time_signature).split('/')[0]) / (truth.time_signature === '6/8' ? 3 : 1);
    const pcm = decodeWav(fs.readFileSync(wav));
    const a = analyzeBeats(pcm.channels, pcm.sampleRate);
    const os = onsetStrength(pcm.channels, pcm.sampleRate);
    const fr = os.frameRate;
    const frames = Float64Array.from(a.beats, (t) => t * fr + FLUX_DELAY);
    // True position of each tracked beat.
    const votes = new Array(bpb).fill(0);
    let matched = 0;
    for (let i = 0; i < a.beats.length; i++) {
      let best = -1;
      let bd = 0.07;
      for (let j = 0; j < truth.beats.length; j++) {
        const d = Math.abs(truth.beats[j] - a.beats[i]);
        if (d < bd) {
          bd = d;
          best = j;
        }
      }
      if (best >= 0) {
        matched++;
        if (truth.beat_positions[best] === 1) votes[i % bpb]++;
      }
    }
    const truePhase = votes.indexOf(Math.max(...votes));
    const ok = matched > 0.8 * a.beats.length;
    const cues = meterCues({ beats: frames, ...meterSignals(os) });
    const parts: string[] = [];
    for (const [name, c] of Object.entries(cues)) {
      const r = barContrast(c, bpb);
      const right = r.phase === truePhase;
      if (ok) {
        tally[name] ??= { right: 0, n: 0 };
        tally[name].n++;
        if (right) tally[name].right++;
      }
      const sc = [2, 3, 4].map((l) => barContrast(c, l).contrast.toFixed(2)).join('/');
      parts.push(
        `${name} ${right ? 'Y' : '-'}${r.contrast.toFixed(2)} k${clarity(c).toFixed(1)} ${process.env.SCORES ? sc : ''}`,
      );
    }
    const dbOk = a.beatsPerBar === bpb && a.beatPositions.length > 0;
    console.log(
      `${song.padEnd(24)} bpb ${bpb} est ${a.beatsPerBar} beats ${ok ? 'ok ' : 'BAD'} ${parts.join(' ')} ${dbOk ? '' : 'METER'}`,
    );
  }
}
for (const [name, t] of Object.entries(tally)) console.log(`${name}: ${t.right}/${t.n}`);
