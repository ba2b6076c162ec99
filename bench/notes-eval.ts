/**
 * Sung-note accuracy on an eval-kit corpus of sung songs: the f0 of the true vocal stem plus
 * word timings (the truth's words, or the project's aligner given the lyrics) → notes; a true
 * note is matched by a reported note (one to one) with MIDI within ±1 and onset within 100 ms.
 * Run: npx tsx bench/notes-eval.ts <corpus-dir> [--words truth|aligner] [--beats] [--grid [engine]] [--vocals SEP-DIR]
 * (--beats: the aligner gets the beats of the product's beat engine on mixture.wav, as in the
 * product's transcription stage; without it the aligner runs without beats. --grid: the notes get
 * the truth's beat grid; --grid engine: the beat engine's grid, as the product's notes do.)
 * (--vocals: SEP-DIR/<song>/vocals.wav, a separated stem, instead of the true one; songs without
 * one are skipped). --onsets DIR: score against DIR/<song>/sung_onsets.json instead (the time
 * festival really starts each note, from bench/notes/festival-onsets.py).
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
import { NOTES_VOICING, transcribeNotes } from '../src/engines/notes/transcribe-notes.js';
import { loadPronunciations } from '../src/engines/notes/syllables.js';
import { matchNote } from './notes/match.js';

interface TruthNote {
  word: string;
  syllable: number;
  midi: number;
  start: number;
  end: number;
}
interface Truth {
  words: { word: string; start: number; end: number }[];
  notes: TruthNote[];
  lyrics: string;
  beats: number[];
  downbeats: number[];
  time_signature?: string;
}

const corpus = process.argv[2];
const wordsFrom = process.argv.includes('--words')
  ? process.argv[process.argv.indexOf('--words') + 1]
  : 'truth';
const useGrid = process.argv.includes('--grid');
const engineGrid = useGrid && process.argv[process.argv.indexOf('--grid') + 1] === 'engine';
const withBeats = process.argv.includes('--beats');
const sepDir = process.argv.includes('--vocals')
  ? process.argv[process.argv.indexOf('--vocals') + 1]
  : undefined;
const onsetsDir = process.argv.includes('--onsets')
  ? process.argv[process.argv.indexOf('--onsets') + 1]
  : undefined;
const dict = await loadPronunciations();
let total = 0;
let matched = 0;
let pitchOnly = 0;
let reported = 0;
/** (confidence, matched) per reported note: the calibration of notes.json's `confidence`. */
const calib: [number, boolean][] = [];
/** Process CPU seconds (user + system) of the notes stage's parts, summed over the songs. */
const cpu = { pitch: 0, cues: 0, notes: 0 };
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (const song of fs.readdirSync(corpus).sort()) {
  const truthFile = path.join(corpus, song, 'truth.json');
  if (!fs.existsSync(truthFile)) continue;
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as Truth;
  if (!truth.notes) continue;
  if (onsetsDir) {
    const file = path.join(onsetsDir, song, 'sung_onsets.json');
    if (!fs.existsSync(file)) continue;
    truth.notes = JSON.parse(fs.readFileSync(file, 'utf8')) as TruthNote[];
  }
  const vocalsFile = sepDir
    ? path.join(sepDir, song, 'vocals.wav')
    : path.join(corpus, song, 'stems', 'vocals.wav');
  if (!fs.existsSync(vocalsFile)) continue;
  const vocals = decodeWav(fs.readFileSync(vocalsFile));
  let t0 = cpuNow();
  const track = trackPitch(toMono(vocals), vocals.sampleRate, { voicing: NOTES_VOICING });
  cpu.pitch += cpuNow() - t0;
  const beatsOf = withBeats || engineGrid ? engineBeats(path.join(corpus, song, 'mixture.wav')) : undefined;
  const words =
    wordsFrom === 'aligner'
      ? alignLyrics(analyzeVocals(vocals), truth.lyrics, {
          beats: withBeats ? beatsOf?.beats : undefined,
        }).words.map((w) => ({
          word: w.word,
          start: w.start,
          end: w.end,
          confidence: w.confidence,
        }))
      : truth.words;
  const grid = engineGrid
    ? beatsOf
    : useGrid
      ? {
          beats: truth.beats,
          downbeats: truth.downbeats,
          compound: /^(6|9|12)\/8$/.test(truth.time_signature ?? ''),
        }
      : undefined;
  t0 = cpuNow();
  const cues = process.env.NO_LEVEL ? undefined : vocalCues(toMono(vocals), vocals.sampleRate, track);
  cpu.cues += cpuNow() - t0;
  t0 = cpuNow();
  const notes = transcribeNotes(track, words, dict, grid, cues);
  cpu.notes += cpuNow() - t0;
  const used = new Set<number>();
  let m = 0;
  let p = 0;
  for (const t of truth.notes) {
    if (matchNote(notes, t, used) >= 0) m++;
    else if (process.argv.includes('-v')) {
      const near = notes.filter((n) => Math.abs(n.start - t.start) < 0.3);
      console.log(
        `  miss ${song} ${t.word}[${t.syllable}] ${t.midi} @${t.start.toFixed(3)}: near ${near.map((n) => `${n.text}:${n.midi}@${n.start.toFixed(3)}`).join(' ')}`,
      );
    }
    if (notes.some((n) => Math.abs(n.midi - t.midi) <= 1 && n.start < t.end && n.end > t.start)) p++;
  }
  total += truth.notes.length;
  matched += m;
  pitchOnly += p;
  reported += notes.length;
  notes.forEach((n, i) => calib.push([n.confidence, used.has(i)]));
  if (process.env.FEATURES) {
    notes.forEach((n, i) => {
      const f0 = Math.round(n.start / track.hop);
      const f1 = Math.max(f0 + 1, Math.round(n.end / track.hop));
      const dev: number[] = [];
      let voiced = 0;
      for (let f = f0; f < f1; f++) {
        if (track.f0[f] > 0) {
          voiced++;
          dev.push(Math.abs(12 * Math.log2(track.f0[f] / 440) + 69 - n.midi));
        }
      }
      dev.sort((a, b) => a - b);
      fs.appendFileSync(
        process.env.FEATURES!,
        JSON.stringify({
          song,
          slur: n.text === '~',
          syl: n.syllable,
          word: n.wordIndex,
          dur: n.end - n.start,
          conf: n.confidence,
          grid: n.onGrid === true,
          voiced: voiced / (f1 - f0),
          mad: dev.length ? dev[dev.length >> 1] : 9,
          ok: used.has(i),
        }) + '\n',
      );
    });
  }
  console.log(
    `${song}: ${m}/${truth.notes.length} matched (${((100 * m) / truth.notes.length).toFixed(1)} %), ${notes.length} reported, ${p} pitch-overlap`,
  );
}
console.log(
  `ALL (${wordsFrom} words${withBeats ? ' with beats' : ''}${engineGrid ? ', engine grid' : useGrid ? ', true grid' : ''}${sepDir ? ', separated vocals' : ''}): ${matched}/${total} = ${((100 * matched) / total).toFixed(1)} % matched; pitch overlap ${((100 * pitchOnly) / total).toFixed(1)} %; ${reported} reported, precision ${((100 * matched) / reported).toFixed(1)} %`,
);

console.log(
  `CPU (s, process user+system): pitch track ${cpu.pitch.toFixed(2)}, cues ${cpu.cues.toFixed(2)}, notes ${cpu.notes.toFixed(3)}`,
);

/** How well the confidence ranks right notes above wrong ones (ROC AUC; ties count half). */
function auc(pairs: readonly [number, boolean][]): number {
  const pos = pairs.filter(([, m]) => m).map(([c]) => c);
  const neg = pairs.filter(([, m]) => !m).map(([c]) => c);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return pos.length && neg.length ? wins / (pos.length * neg.length) : NaN;
}

/** The product's beats for a mixture (the beats stage's engine). */
function engineBeats(mixtureFile: string): { beats: number[]; compound: boolean } {
  const mix = decodeWav(fs.readFileSync(mixtureFile));
  const a = analyzeBeats(mix.channels, mix.sampleRate);
  return { beats: Array.from(a.beats), compound: a.compound };
}

const BINS = [0, 0.3, 0.5, 0.7, 0.85, 1.0001];
console.log(`note confidence AUC ${auc(calib).toFixed(3)}`);
console.log('note confidence | reported notes | matched a true note');
for (let b = 0; b + 1 < BINS.length; b++) {
  const inBin = calib.filter(([c]) => c >= BINS[b] && c < BINS[b + 1]);
  const ok = inBin.filter(([, m]) => m).length;
  console.log(
    `${BINS[b].toFixed(2)}–${Math.min(1, BINS[b + 1]).toFixed(2)} | ${inBin.length} | ${inBin.length ? ((100 * ok) / inBin.length).toFixed(1) : '–'} %`,
  );
}
