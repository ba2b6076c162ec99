/**
 * Per-syllable view of the sung aligner on one song: every true note (truth.json "notes") next to
 * the syllable span the aligner chose for it, with the median pitch of the true stem's f0 over
 * each span (benchmarks only).
 *   npx tsx bench/lyrics/syl-dump.ts --corpus DIR --song NAME [--from S --to S]
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { sungWords } from '../../src/engines/transcription/lyrics-aligner.js';
import { parseLyrics } from '../../src/engines/transcription/lyrics-text.js';
import { alignSung, type SungDiagnostics } from '../../src/engines/transcription/sung-aligner.js';
import { toMono } from '../../src/audio/pcm.js';
import { trackPitch } from '../../src/audio/pitch/track.js';
import { arg } from '../cli-args.js';

const corpus = arg('corpus');
const song = arg('song');
const from = Number(arg('from', '0'));
const to = Number(arg('to', '1e9'));
const dir = path.join(corpus, song);
const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as {
  lyrics: string;
  notes: { word: string; syllable: number; midi: number; start: number; end: number }[];
};
const mix = decodeWav(fs.readFileSync(path.join(dir, 'mixture.wav')));
const beats = Array.from(analyzeBeats(mix.channels, mix.sampleRate).beats);
const pcm = decodeWav(fs.readFileSync(path.join(dir, 'stems', 'vocals.wav')));
const analysis = analyzeVocals(pcm);
const pitch = trackPitch(toMono(pcm), pcm.sampleRate, { voicing: 'strict' });
const { tokens } = parseLyrics(truth.lyrics);
let diag: SungDiagnostics | undefined;
const out = alignSung(sungWords(tokens), analysis.features, analysis.activity, analysis.cues!, {
  beats,
  diagnose: (d) => (diag = d),
});
const d = diag!;
const hop = d.frames.hop;
const medPitch = (a: number, b: number) => {
  const v: number[] = [];
  for (let t = Math.floor(a / pitch.hop); t < Math.min(pitch.f0.length, Math.ceil(b / pitch.hop)); t++)
    if (pitch.f0[t] > 0) v.push(69 + 12 * Math.log2(pitch.f0[t] / 440));
  v.sort((x, y) => x - y);
  return v.length ? v[v.length >> 1].toFixed(1) : '  -  ';
};
const terms = d.score(d.chosen.sylStart, d.chosen.sylEnd);
// The first true note of each syllable (a slur's later notes are skipped).
const sylNotes: typeof truth.notes = [];
truth.notes.forEach((n, i) => {
  const p = truth.notes[i - 1];
  if (!p || p.word !== n.word || p.syllable !== n.syllable || n.start >= p.end + 0.001) sylNotes.push(n);
});
d.syls.forEach((sy, j) => {
  const tn = sylNotes[j];
  const s = d.chosen.sylStart[j] * hop;
  const e = d.chosen.sylEnd[j] * hop;
  if (tn && (tn.start < from || tn.start > to)) return;
  const w = tokens[sy.word];
  console.log(
    [
      (sy.lineStart ? 'L ' : '  ') + (sy.first ? w.text : '  ·').padEnd(11),
      tn ? `${tn.word}/${tn.syllable}`.padEnd(12) : '',
      tn ? `${tn.start.toFixed(2)}-${tn.end.toFixed(2)} m${tn.midi}` : '',
      `| ${s.toFixed(2)}-${e.toFixed(2)} p${medPitch(s, e)}`,
      tn ? `err ${Math.round((s - tn.start) * 1000)}`.padEnd(9) : '',
      sy.first ? `conf ${out[sy.word].confidence} m${out[sy.word].evidence.margin.toFixed(1)}` : '',
      `bnd ${terms[j].boundary.toFixed(1)} in ${terms[j].inside.toFixed(1)} dur ${terms[j].duration.toFixed(1)} bt ${terms[j].beat.toFixed(1)}`,
    ].join(' '),
  );
});
if (process.argv.includes('--frames')) {
  const notesPitch = trackPitch(toMono(pcm), pcm.sampleRate, { voicing: 'notes' });
  const f = d.frames;
  for (let t = Math.floor(from / hop); t < Math.min(f.T, Math.ceil(to / hop)); t++) {
    const tt = t * hop;
    const pi = Math.round(tt / pitch.hop);
    const m = (x: number) => (x > 0 ? (69 + 12 * Math.log2(x / 440)).toFixed(1) : '  -  ');
    const tn = truth.notes.find((n) => n.start <= tt + hop / 2 && n.end > tt + hop / 2);
    const ch = d.chosen.sylStart.indexOf(t);
    console.log(
      tt.toFixed(2),
      `act ${f.act[t].toFixed(1).padStart(5)} bnd ${f.bnd[t].toFixed(2)} pk ${f.pk[t].toFixed(2)} wb ${f.wb[t].toFixed(2)} bt ${f.beat[t].toFixed(2)}`,
      `f0s ${m(pitch.f0[pi])} f0n ${m(notesPitch.f0[pi])}`,
      tn ? `${tn.word}/${tn.syllable} m${tn.midi}` : '',
      truth.notes.some((n) => Math.abs(n.start - tt) < hop / 2) ? '<TRUE' : '',
      ch >= 0 ? `<ALN ${tokens[d.syls[ch].word].text}/${ch}` : '',
    );
  }
}
const save = arg('save', '');
if (save)
  fs.writeFileSync(
    save,
    JSON.stringify({ s: Array.from(d.chosen.sylStart), e: Array.from(d.chosen.sylEnd) }),
  );
const alt = arg('alt', '');
if (alt) {
  const a = JSON.parse(fs.readFileSync(alt, 'utf8')) as { s: number[]; e: number[] };
  const ta = d.score(a.s, a.e);
  const sum: Record<string, number> = {};
  d.syls.forEach((sy, j) => {
    if (a.s[j] * hop < from - 1 || a.s[j] * hop > to) return;
    if (a.s[j] === d.chosen.sylStart[j] && a.e[j] === d.chosen.sylEnd[j]) return;
    const parts = Object.keys(ta[j])
      .map((k) => [k, terms[j][k] - ta[j][k]] as const)
      .filter(([, v]) => Math.abs(v) > 0.05);
    for (const [k, v] of parts) sum[k] = (sum[k] ?? 0) + v;
    console.log(
      `${tokens[sy.word].text}/${j} chosen ${(d.chosen.sylStart[j] * hop).toFixed(2)}-${(d.chosen.sylEnd[j] * hop).toFixed(2)} alt ${(a.s[j] * hop).toFixed(2)}-${(a.e[j] * hop).toFixed(2)}`,
      parts.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '),
    );
  });
  console.log(
    'chosen − alt:',
    Object.entries(sum)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', '),
    'total',
    Object.values(sum)
      .reduce((x, y) => x + y, 0)
      .toFixed(2),
  );
}
