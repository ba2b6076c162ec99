/**
 * Section by section, the tracked beats' agreement terms (`sectionAgreement`) beside the truth:
 * the share of the section's beats within 70 ms of a true beat. One JSON line per section, for
 * choosing and calibrating the local confidence (bench/beats/sections.py reads them).
 *   npx tsx bench/beats/sections-dump.ts <out.jsonl> <corpus_dir> [<corpus_dir> ...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { FLUX_DELAY, onsetStrength } from '../../src/audio/beats/onset-strength.js';
import { SECTION_BEATS, sectionAgreement } from '../../src/audio/beats/sections.js';

const [outFile, ...corpora] = process.argv.slice(2);
if (!outFile || corpora.length === 0) {
  console.error('usage: sections-dump.ts <out.jsonl> <corpus_dir> [...]');
  process.exit(2);
}
const TOL = 0.07;
const lines: string[] = [];
for (const corpus of corpora) {
  const set = path.basename(corpus.replace(/\/$/, ''));
  const songs = fs
    .readdirSync(corpus)
    .filter((d) => fs.existsSync(path.join(corpus, d, 'mixture.wav')))
    .sort();
  for (const song of songs) {
    const truth = JSON.parse(fs.readFileSync(path.join(corpus, song, 'truth.json'), 'utf8')) as {
      beats: number[];
    };
    const pcm = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
    const a = analyzeBeats(pcm.channels, pcm.sampleRate);
    const os = onsetStrength(pcm.channels, pcm.sampleRate);
    const fr = os.frameRate;
    const frames = Float64Array.from(a.beats, (t) => t * fr + FLUX_DELAY);
    const hit = Array.from(a.beats, (t) => truth.beats.some((r) => Math.abs(r - t) <= TOL));
    const sections = sectionAgreement(os.odf, frames);
    for (const s of sections) {
      const i0 = frames.indexOf(s.start);
      const h = hit.slice(i0, i0 + SECTION_BEATS);
      lines.push(
        JSON.stringify({
          set,
          song,
          t: Math.round((s.start / fr) * 100) / 100,
          ...s,
          hits: h.filter(Boolean).length / h.length,
          conf: a.beatConfidence,
        }),
      );
    }
    console.log(`${set}/${song}: ${sections.length} sections`);
  }
}
fs.writeFileSync(outFile, lines.join('\n') + '\n');
