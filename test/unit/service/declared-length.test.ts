import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flacDeclaredFrames,
  mp3DeclaredFrames,
  oggEndsCleanly,
} from '../../../src/ingest/declared-length.js';
import { layoutProblem } from '../../../src/ingest/limits.js';
import { tmpDir, writeTone } from '../../helpers/audio.js';

let dir: string;
beforeAll(() => {
  dir = tmpDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('what a compressed file declares about its length', () => {
  it('reads the MP3 Xing/Info frame count (encoder delay and padding included)', () => {
    const mp3 = fs.readFileSync(writeTone(dir, 'a.mp3', 2));
    const frames = mp3DeclaredFrames(mp3);
    expect(frames).toBeGreaterThanOrEqual(2 * 44100);
    expect(frames).toBeLessThan(2 * 44100 + 3 * 1152);
    expect(mp3DeclaredFrames(Buffer.from('no frames here'))).toBeUndefined();
  });

  it('reads the FLAC STREAMINFO sample count', () => {
    expect(flacDeclaredFrames(fs.readFileSync(writeTone(dir, 'a.flac', 2)))).toBe(2 * 44100);
  });

  it('tells a complete Ogg stream from one cut short', () => {
    const ogg = fs.readFileSync(writeTone(dir, 'a.ogg', 2));
    expect(oggEndsCleanly(ogg)).toBe(true);
    expect(oggEndsCleanly(ogg.subarray(0, ogg.length - 10))).toBe(false);
    expect(oggEndsCleanly(ogg.subarray(0, Math.floor(ogg.length / 2)))).toBe(false);
  });
});

describe('AUDIO_LIMITS', () => {
  it('accepts 1–8 channels at 8–384 kHz and names what is out of range', () => {
    expect(layoutProblem(2, 44100)).toBeUndefined();
    expect(layoutProblem(8, 384000)).toBeUndefined();
    expect(layoutProblem(9, 44100)).toContain('9 channels');
    expect(layoutProblem(0, 44100)).toContain('0 channels');
    expect(layoutProblem(2, 4000)).toContain('4000 Hz');
    expect(layoutProblem(2, 768000)).toContain('768000 Hz');
  });
});
