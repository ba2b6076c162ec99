/**
 * How long one upload's decode holds the event loop: a long 48 kHz stereo WAV decoded and
 * resampled to 44.1 kHz on the main thread (as before) and on the decode thread (now), side by
 * side in one run, while a 10 ms timer measures the event loop's delay (what /health waits).
 *
 *   node --import tsx bench/security/event-loop-decode.ts [seconds=500] [rounds=2]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../../src/audio/wav.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { decodeMix } from '../../src/ingest/decode.js';
import { DecodeThread } from '../../src/ingest/decode-thread.js';

const seconds = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 2);
const SR = 48_000;
const TICK_MS = 10;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eld-bench-'));
const file = path.join(dir, 'long.wav');
{
  const n = seconds * SR;
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    l[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR);
    r[i] = 0.3 * Math.sin((2 * Math.PI * 660 * i) / SR);
  }
  fs.writeFileSync(file, encodeWav({ sampleRate: SR, channels: [l, r] }));
}
const media = findMediaTools((process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
const opts = { sampleRate: 44_100, maxDurationS: seconds + 1, config: { allowBundledFfmpeg: false } };
const thread = new DecodeThread();

/** The longest gap between ticks of a 10 ms timer while `run` works: how long /health would wait. */
async function measure(label: string, run: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, TICK_MS);
  const t0 = performance.now();
  await run();
  clearInterval(tick);
  maxGap = Math.max(maxGap, performance.now() - last);
  const blocked = maxGap - TICK_MS;
  console.log(
    `${label}: wall ${((performance.now() - t0) / 1000).toFixed(1)} s, longest event-loop stall ${blocked.toFixed(0)} ms`,
  );
  return blocked;
}

// The machine's own noise floor: the same timer with nothing to do.
const idle = await measure('idle (noise floor)     ', () => new Promise((r) => setTimeout(r, 15_000)));
const main: number[] = [];
const off: number[] = [];
for (let r = 0; r < rounds; r++) {
  main.push(await measure(`round ${r + 1} main thread  `, () => decodeMix(media, file, 'wav', opts)));
  off.push(await measure(`round ${r + 1} decode thread`, () => thread.decodeMix(media, file, 'wav', opts)));
}
await thread.close();
fs.rmSync(dir, { recursive: true, force: true });
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`idle noise floor: ${idle.toFixed(0)} ms`);
console.log(
  `${seconds} s WAV: longest event-loop stall, main thread ${med(main).toFixed(0)} ms vs decode thread ${med(off).toFixed(0)} ms (ratio ${(med(main) / med(off)).toFixed(0)}×)`,
);
