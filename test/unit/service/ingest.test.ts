import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffBuffer, sniffFile } from '../../../src/ingest/sniff.js';
import { wavInfo } from '../../../src/audio/wav.js';
import { parseJobOptions } from '../../../src/ingest/options.js';
import { parseRange } from '../../../src/http/range.js';
import { tmpDir, toneWav, writeTone } from '../../helpers/audio.js';

describe('sniffing by content (file-type)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const b = (...x: (number | string)[]) =>
    Buffer.concat(x.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))));
  it('recognises each accepted format from real files, whatever they are named', async () => {
    const made: [string, string][] = [
      ['a.wav', 'wav'],
      ['a.mp3', 'mp3'],
      ['a.flac', 'flac'],
      ['a.ogg', 'vorbis'],
      ['a.opus', 'opus'],
      ['a.m4a', 'm4a'],
    ];
    for (const [name, format] of made) {
      const file = writeTone(dir, name, 0.5);
      const renamed = `${file}.bin`;
      fs.renameSync(file, renamed);
      expect(await sniffFile(renamed)).toMatchObject({ kind: 'audio', format });
    }
  });
  it('names what a non-audio file is, and knows nothing of noise', async () => {
    expect(await sniffBuffer(b(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'IHDR'))).toMatchObject({
      kind: 'other',
      mime: 'image/png',
    });
    expect(await sniffBuffer(b('RIFF', 0, 0, 0, 0, 'AVI LIST'))).toMatchObject({ kind: 'other', ext: 'avi' });
    expect(await sniffBuffer(b('<html>'))).toBeUndefined();
    expect(await sniffBuffer(b('just some text, not audio'))).toBeUndefined();
    expect(await sniffBuffer(b())).toBeUndefined();
  });
  it('reads what a WAV header declares, and what is really there', () => {
    const wav = toneWav(0.5);
    expect(wavInfo(wav)).toMatchObject({
      channels: 2,
      sampleRate: 44100,
      durationS: 0.5,
      declaredDataBytes: wav.length - 44,
      dataBytes: wav.length - 44,
    });
    const cut = wavInfo(wav.subarray(0, 1000));
    expect(cut.dataBytes).toBe(1000 - 44);
    expect(cut.declaredDataBytes).toBe(wav.length - 44);
  });
});

describe('parseJobOptions', () => {
  it('defaults to every stage and accepts aliases and JSON arrays', () => {
    expect(parseJobOptions({}).options.stages).toEqual(['separation', 'transcription', 'beats']);
    expect(parseJobOptions({ stages: 'beat_analysis, stems' }).options.stages).toEqual([
      'separation',
      'beats',
    ]);
    expect(parseJobOptions({ stages: '["lyrics"]' }).options.stages).toEqual(['separation', 'transcription']);
  });
  it('normalises lyrics and language', () => {
    const { options } = parseJobOptions({ lyrics: 'a b\r\nc d\r\n', language: 'EN' });
    expect(options).toMatchObject({ lyrics: 'a b\nc d', language: 'en' });
    expect(parseJobOptions({ language: 'auto' }).options.language).toBeUndefined();
  });
  it('with input=vocals, transcription needs no separation', () => {
    const { options, warnings } = parseJobOptions({ stages: 'transcription', input: 'vocals' });
    expect(options).toMatchObject({ stages: ['transcription'], input: 'vocals' });
    expect(warnings).toEqual([]);
    expect(parseJobOptions({ stages: 'transcription' }).options.stages).toEqual([
      'separation',
      'transcription',
    ]);
    expect(() => parseJobOptions({ input: 'drums' })).toThrow(/input must be/);
  });
  it('rejects nonsense with a clear code', () => {
    expect(() => parseJobOptions({ stages: 'dance' })).toThrow(/unknown stage/);
    expect(() => parseJobOptions({ stages: ',' })).toThrow(/at least one/);
    expect(() => parseJobOptions({ whisper_model: 'huge' })).toThrow(/whisper_model/);
    expect(() => parseJobOptions({ separation_engine: 'spleeter' })).toThrow(/separation_engine/);
  });
});

describe('parseRange', () => {
  it('handles the single-range forms', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
  });
  it('ignores what it cannot serve and flags the unsatisfiable', () => {
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=9-2', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=abc', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });
});
