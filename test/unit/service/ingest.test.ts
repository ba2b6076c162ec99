import { describe, expect, it } from 'vitest';
import { sniffContainer } from '../../../src/ingest/sniff.js';
import { wavInfo } from '../../../src/audio/wav.js';
import { parseJobOptions } from '../../../src/ingest/options.js';
import { parseRange } from '../../../src/http/range.js';
import { toneWav } from '../../helpers/audio.js';

describe('sniffContainer', () => {
  const b = (...x: (number | string)[]) =>
    Buffer.concat(x.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))));
  it('recognises the containers by their first bytes', () => {
    expect(sniffContainer(toneWav(0.1))).toBe('wav');
    expect(sniffContainer(b('fLaC', 0, 0, 0))).toBe('flac');
    expect(sniffContainer(b('OggS', 0, 2, 0))).toBe('ogg');
    expect(sniffContainer(b(0, 0, 0, 0x20, 'ftypM4A ', 0, 0))).toBe('mp4');
    expect(sniffContainer(b('ID3', 4, 0, 0))).toBe('mp3');
    expect(sniffContainer(b(0xff, 0xfb, 0x90, 0x64))).toBe('mp3');
  });
  it('rejects look-alikes', () => {
    expect(sniffContainer(b(0xff, 0xff, 0xff, 0xff))).toBeUndefined(); // invalid bitrate index
    expect(sniffContainer(b('RIFF', 0, 0, 0, 0, 'AVI '))).toBeUndefined();
    expect(sniffContainer(b('<html>'))).toBeUndefined();
    expect(sniffContainer(b())).toBeUndefined();
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
    expect(parseRange('bytes=9-2', 100)).toBeUndefined();
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });
});
