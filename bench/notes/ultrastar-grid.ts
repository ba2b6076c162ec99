/**
 * How far UltraStar note starts land from the truth's notes when the truth notes are written with
 * the song's tempo and first beat: #BPM = the beat's tempo (1) and 1.5 × it (a compound meter's quarter notes).
 * Run: npx tsx bench/notes/ultrastar-grid.ts <song-dir>…
 */
import fs from 'node:fs';
import { renderUltraStar } from '../../src/exports/ultrastar.js';
import { parseUltraStar } from '../../test/helpers/ultrastar.js';
for (const dir of process.argv.slice(2)) {
  const t = JSON.parse(fs.readFileSync(`${dir}/truth.json`, 'utf8'));
  const notes = t.notes.map((n: { start: number; end: number; midi: number }, i: number) => ({
    ...n,
    wordIndex: i,
    text: 'la',
  }));
  for (const q of [1, 1.5]) {
    const bpm = t.tempo_bpm * q;
    const us = parseUltraStar(
      renderUltraStar(notes, () => 0, {
        title: 'x',
        artist: 'y',
        mp3: 'z',
        tempoBpm: bpm,
        firstBeat: t.beats[0],
      }),
    );
    const fb = 60 / (4 * us.bpm);
    const errs = us.notes
      .map((n, i) => Math.abs(us.gapMs / 1000 + n.start * fb - notes[i].start) * 1000)
      .sort((a, b) => a - b);
    console.log(
      dir.split('/').pop(),
      `#BPM ${us.bpm}`,
      `median ${errs[errs.length >> 1].toFixed(1)} ms, max ${errs[errs.length - 1].toFixed(1)} ms`,
    );
  }
}
