/**
 * CPU time of two versions of the lyrics aligner on one vocals file, in one process,
 * alternating (load on a shared machine hits both alike): the analysis is computed once with
 * this tree's code, then each version's `alignLyrics` runs ROUNDS times in turn.
 *   npx tsx bench/lyrics/cpu-pair.ts VOCALS.wav LYRICS.txt OTHER_TREE [ROUNDS]
 * OTHER_TREE: a checkout of the peer (e.g. `git archive main | tar -x -C DIR`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { alignLyrics } from '../../src/engines/transcription/lyrics-aligner.js';

const [wav, lyricsFile, other, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 3);
const peer = (await import(path.resolve(other, 'src/engines/transcription/lyrics-aligner.ts'))) as {
  alignLyrics: typeof alignLyrics;
};
const audio = decodeWav(fs.readFileSync(wav));
const lyrics = fs.readFileSync(lyricsFile, 'utf8');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const analysis = analyzeVocals(audio);
const times: Record<string, number[]> = { this: [], peer: [] };
for (let r = 0; r < rounds; r++) {
  const pair = [
    ['this', alignLyrics],
    ['peer', peer.alignLyrics],
  ] as const;
  // Alternate which goes first, so neither always runs after the other's garbage.
  for (const [name, fn] of r % 2 ? [pair[1], pair[0]] : pair) {
    const c0 = cpu();
    fn(analysis, lyrics);
    times[name].push(cpu() - c0);
  }
}
for (const [name, t] of Object.entries(times))
  console.log(
    `${name}: alignment ${t.map((x) => x.toFixed(2)).join(' ')} s CPU (min ${Math.min(...t).toFixed(2)})`,
  );
