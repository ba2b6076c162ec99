import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, wavInfo } from '../../../src/audio/wav.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { contentTypeOf } from '../../../src/http/content-types.js';
import {
  AUDIO_FORMATS,
  FORMAT_TABLE,
  ffmpegOutputArgs,
  parseAudioFormat,
} from '../../../src/infra/audio-formats.js';
import { parseJobOptions } from '../../../src/ingest/options.js';
import { parseVariantParams, VARIANT_FORMATS } from '../../../src/variants/params.js';

describe('the audio format table', () => {
  it('agrees with the Content-Type served for each extension', () => {
    for (const f of AUDIO_FORMATS)
      expect(contentTypeOf(`stems/vocals.${FORMAT_TABLE[f].ext}`)).toBe(FORMAT_TABLE[f].contentType);
  });

  it('is what variants accept, and the old STEM_FORMAT spellings still parse', () => {
    expect(VARIANT_FORMATS).toEqual(AUDIO_FORMATS);
    expect(parseVariantParams({ format: 'wav24' }).format).toBe('wav24');
    expect(() => parseVariantParams({ format: 'aiff' })).toThrow(/wav_f32/);
    expect(parseAudioFormat('s16')).toBe('wav');
    expect(parseAudioFormat('F32')).toBe('wav_f32');
    expect(parseAudioFormat(' FLAC ')).toBe('flac');
    expect(parseAudioFormat('__proto__')).toBeUndefined();
  });

  it('resamples only where the codec needs it, and names the muxer', () => {
    expect(ffmpegOutputArgs('opus', 44100)).toEqual([
      '-c:a',
      'libopus',
      '-b:a',
      '192k',
      '-ar',
      '48000',
      '-f',
      'ogg',
    ]);
    expect(ffmpegOutputArgs('mp3', 44100)).not.toContain('-ar');
    expect(ffmpegOutputArgs('mp3', 96000)).toContain('48000');
    expect(ffmpegOutputArgs('wav24', 96000)).toEqual(['-c:a', 'pcm_s24le', '-f', 'wav']);
  });
});

describe('STEM_FORMAT and stem_format', () => {
  it('defaults to 16-bit WAV, takes every table name, and refuses the rest at start-up', () => {
    expect(loadConfig({}).stemFormat).toBe('wav');
    for (const f of AUDIO_FORMATS) expect(loadConfig({ STEM_FORMAT: f }).stemFormat).toBe(f);
    expect(loadConfig({ STEM_FORMAT: 'f32' }).stemFormat).toBe('wav_f32');
    expect(() => loadConfig({ STEM_FORMAT: 'aiff' })).toThrow(ConfigError);
    expect(() => loadConfig({ STEM_FORMAT: 'aiff' })).toThrow(/STEM_FORMAT.*wav24/);
  });

  it('is a job option, refused with BAD_STEM_FORMAT naming the field the user typed', () => {
    expect(parseJobOptions({ stem_format: 'opus' }).options.stemFormat).toBe('opus');
    expect(parseJobOptions({}).options.stemFormat).toBeUndefined();
    expect(() => parseJobOptions({ stem_format: 'ogg' }, { stem_format: '--stem-format' })).toThrow(
      /--stem-format must be one of wav, wav24, wav_f32, flac, mp3, opus/,
    );
  });
});

describe('24-bit WAV', () => {
  it('writes 24-bit PCM that reads back within one step, clipped at full scale', () => {
    const ch = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) * 0.9);
    ch[0] = 1.5;
    ch[1] = -1.5;
    const buf = encodeWav({ sampleRate: 48000, channels: [ch, ch] }, 's24');
    const info = wavInfo(buf);
    expect(info.bitsPerSample).toBe(24);
    expect(info.channels).toBe(2);
    expect(buf.length).toBe(44 + 1000 * 2 * 3);
    const back = decodeWav(buf);
    expect(back.channels[1][0]).toBeCloseTo(8388607 / 8388608, 9);
    expect(back.channels[0][1]).toBe(-1);
    for (let i = 2; i < 1000; i++)
      expect(Math.abs(back.channels[1][i] - ch[i])).toBeLessThanOrEqual(0.5 / 8388608 + 1e-9);
  });
});
