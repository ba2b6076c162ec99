/**
 * Caches what bench/notes-eval.ts computes before the notes (pitch track, vocal cues, the beat
 * engine's beats, the aligner's words with and without beats) per song, so that the notes can be
 * re-scored quickly: npx tsx bench/notes-cache.ts <corpus-dir> <cache-dir>
 */
import fs from 'node:fs';
import path from 'node:path';
import { toMono } from '../src/audio/pcm.js';
import { vocalCues } from '../src/audio/pitch/vowel-onsets.js';
import { trackPitch } from '../src/audio/pitch/track.js';
import { decodeWav } from '../src/audio/wav.js';
import { analyzeBeats } from '../src/engines/beats/beat-dsp.js';
import { analyzeVocals } from '../src/engines/transcription/analysis.js';
import { alignLyrics } from '../src/engines/transcription/lyrics-aligner.js';
import { NOTES_VOICING } from '../src/engines/notes/transcribe-notes.js';

const [corpus, out] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
for (const song of fs.readdirSync(corpus).sort()) {
  const truthFile = path.join(corpus, song, 'truth.json');
  if (!fs.existsSync(truthFile)) continue;
  const file = path.join(out, `${song}.json`);
  if (fs.existsSync(file)) continue;
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
  if (!truth.notes) continue;
  const vocals = decodeWav(fs.readFileSync(path.join(corpus, song, 'stems', 'vocals.wav')));
  const mono = toMono(vocals);
  const track = trackPitch(mono, vocals.sampleRate, { voicing: NOTES_VOICING });
  const cues = vocalCues(mono, vocals.sampleRate, track);
  const mix = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
  const a = analyzeBeats(mix.channels, mix.sampleRate);
  const beats = { beats: Array.from(a.beats), compound: a.compound };
  const analysis = analyzeVocals(vocals);
  const align = (b?: number[]) =>
    alignLyrics(analysis, truth.lyrics, { beats: b }).words.map((w) => ({
      word: w.word,
      start: w.start,
      end: w.end,
      confidence: w.confidence,
    }));
  fs.writeFileSync(
    file,
    JSON.stringify({
      truth,
      hop: track.hop,
      f0: Array.from(track.f0),
      voicing: Array.from(track.voicing),
      levelDb: Array.from(cues.levelDb),
      rise: Array.from(cues.rise ?? []),
      beats,
      aligner: align(),
      alignerBeats: align(beats.beats),
    }),
  );
  console.log(`cached ${song}`);
}
