/**
 * f0 tracker speed on a 3-minute synthetic vocal-like signal (notes, glides and rests).
 * Run: npx tsx bench/pitch-speed.ts
 */
import { trackPitch } from '../src/audio/pitch/track.js';

const SR = 44100;
const SECONDS = 180;
const x = new Float32Array(SR * SECONDS);
let phase = 0;
for (let i = 0; i < x.length; i++) {
  const t = i / SR;
  const note = Math.floor(t / 0.5);
  const inRest = note % 8 === 7;
  const hz = 196 * Math.pow(2, ((note * 5) % 12) / 12);
  phase += (2 * Math.PI * hz) / SR;
  x[i] = inRest ? 0 : 0.3 * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase));
}
trackPitch(x.subarray(0, SR), SR); // warm up the JIT
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const track = trackPitch(x, SR);
const cpu = process.cpuUsage(cpu0);
const wall = (performance.now() - t0) / 1000;
const voiced = track.f0.filter((v) => v > 0).length / track.f0.length;
console.log(
  `pitch: ${SECONDS} s at ${SR} Hz: wall ${wall.toFixed(2)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, voiced ${(voiced * 100).toFixed(1)} %`,
);
