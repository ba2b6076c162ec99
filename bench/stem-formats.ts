/**
 * Encode cost per stem format for a 3-minute stem set (default: the eval kit's p99_long_120,
 * its four true stems plus their sum as the instrumental), as the separation stage writes them:
 * `encodeAudioFile` (WAV natively, the others by ffmpeg from float PCM on a pipe). Peer, in the
 * same run: the ffmpeg CLI encoding the same stems with the same arguments from float WAV files
 * already on disk (what a user converting the WAV stems afterwards would pay). For each format:
 * wall seconds for the five stems (median of `--runs`), × the song's length, total size, and
 * the decoded-back correlation with the float stems (quality kept).
 * Run: nice -n 10 npx tsx bench/stem-formats.ts /tmp/karaoke-eval/public/corpus/p99_long_120 [--runs 3] [--only wav,flac]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PcmAudio } from '../src/audio/pcm.js';
import { decodeWav, encodeWav } from '../src/audio/wav.js';
import { AUDIO_FORMATS, FORMAT_TABLE, ffmpegOutputArgs } from '../src/infra/audio-formats.js';
import { decodeToPcm, encodeAudioFile, findMediaTools } from '../src/infra/ffmpeg.js';

const song = process.argv[2];
if (!song) throw new Error('usage: bench/stem-formats.ts <song dir with stems/*.wav> [--runs N]');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
const tools = findMediaTools((process.env.PATH ?? '').split(path.delimiter));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stem-formats-bench-'));

const names = ['vocals', 'drums', 'bass', 'other'];
const stems = new Map<string, PcmAudio>(
  names.map((n) => [n, decodeWav(fs.readFileSync(path.join(song, 'stems', `${n}.wav`)))]),
);
const first = stems.get('vocals') as PcmAudio;
stems.set('instrumental', {
  sampleRate: first.sampleRate,
  channels: first.channels.map((_, c) => {
    const sum = new Float32Array(first.channels[c].length);
    for (const n of ['drums', 'bass', 'other'])
      (stems.get(n) as PcmAudio).channels[c].forEach((v, i) => (sum[i] += v));
    return sum;
  }),
});
const seconds = first.channels[0].length / first.sampleRate;
// The peer's inputs: float WAVs on disk (written once, not timed).
const srcDir = path.join(work, 'src');
fs.mkdirSync(srcDir);
for (const [n, a] of stems) fs.writeFileSync(path.join(srcDir, `${n}.wav`), encodeWav(a, 'f32'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const TICKS_PER_S = 100; // Linux USER_HZ, the unit of /proc/self/stat

/** CPU seconds of this process plus its waited-for children (ffmpeg): what the wall time costs on an idle core. */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // after the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14
  const children = (Number(fields[13]) + Number(fields[14])) / TICKS_PER_S;
  return (own.user + own.system) / 1e6 + children;
}

function correlation(a: PcmAudio, b: PcmAudio): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let c = 0; c < a.channels.length; c++) {
    const n = Math.min(a.channels[c].length, b.channels[c].length);
    for (let i = 0; i < n; i++) {
      ab += a.channels[c][i] * b.channels[c][i];
      aa += a.channels[c][i] ** 2;
      bb += b.channels[c][i] ** 2;
    }
  }
  return ab / Math.sqrt(aa * bb);
}

const rows: string[] = [];
const onlyAt = process.argv.indexOf('--only');
const formats =
  onlyAt > 0 ? AUDIO_FORMATS.filter((f) => process.argv[onlyAt + 1].split(',').includes(f)) : AUDIO_FORMATS;
for (const f of formats) {
  const row = FORMAT_TABLE[f];
  const ours: number[] = [];
  const peer: number[] = [];
  const oursCpu: number[] = [];
  const peerCpu: number[] = [];
  let bytes = 0;
  let worst = 1;
  for (let r = 0; r < RUNS; r++) {
    const dir = path.join(work, `${f}-${r}`);
    let t0 = performance.now();
    let c0 = cpuSeconds();
    for (const [n, a] of stems) await encodeAudioFile(tools, a, f, path.join(dir, `${n}.${row.ext}`));
    ours.push((performance.now() - t0) / 1000);
    oursCpu.push(cpuSeconds() - c0);
    const peerDir = path.join(work, `${f}-${r}-peer`);
    fs.mkdirSync(peerDir);
    t0 = performance.now();
    c0 = cpuSeconds();
    for (const n of stems.keys())
      execFileSync(tools.ffmpeg, [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-i',
        path.join(srcDir, `${n}.wav`),
        ...ffmpegOutputArgs(f, first.sampleRate),
        path.join(peerDir, `${n}.${row.ext}`),
      ]);
    peer.push((performance.now() - t0) / 1000);
    peerCpu.push(cpuSeconds() - c0);
    if (r === 0) {
      for (const [n, a] of stems) {
        const file = path.join(dir, `${n}.${row.ext}`);
        bytes += fs.statSync(file).size;
        const back = await decodeToPcm(tools, file, { sampleRate: first.sampleRate, channels: 2 });
        worst = Math.min(worst, correlation(back, a));
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(peerDir, { recursive: true, force: true });
  }
  const o = median(oursCpu);
  const p = median(peerCpu);
  rows.push(
    `| \`${f}\` | ${o.toFixed(2)} | ${(o / seconds).toFixed(4)} | ${median(ours).toFixed(2)} | ${p.toFixed(2)} | ${median(peer).toFixed(2)} | ${(o / p).toFixed(2)} | ${(bytes / 1e6).toFixed(1)} | ${worst.toFixed(5)} |`,
  );
  process.stderr.write(`${f} done\n`);
}
fs.rmSync(work, { recursive: true, force: true });
process.stdout.write(
  `${path.basename(song)}: 5 stereo stems of ${seconds.toFixed(1)} s at ${first.sampleRate} Hz, median of ${RUNS} runs; ffmpeg ${execFileSync(tools.ffmpeg, ['-version']).toString().split(' ')[2]}\n\n` +
    `load average at start ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores\n\n` +
    '| format | ours: CPU s, 5 stems | CPU × song length | ours: wall s | peer (ffmpeg CLI from WAV files): CPU s | peer: wall s | CPU ours / peer | size (MB) | worst stem correlation decoded back |\n' +
    '|---|---|---|---|---|---|---|---|---|\n' +
    `${rows.join('\n')}\n`,
);
