import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../src/audio/pcm.js';
import { encodeWav } from '../../src/audio/wav.js';
import { AUDIO_FORMATS, FORMAT_TABLE, type AudioFormat } from '../../src/infra/audio-formats.js';
import { decodeToPcm, findMediaTools } from '../../src/infra/ffmpeg.js';
import { createBeatsStage } from '../../src/stages/analyze-beats.js';
import { createSeparationStage } from '../../src/stages/separate.js';
import { tmpDir } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';

/**
 * Stems in every format of the table, through the API with the real separation stage (DSP
 * engine): each stem is downloaded, probed (container, codec, rate, channels, bit depth) and
 * decoded back, then compared with the same stem written as float WAV (the separator's output
 * bit for bit): same length, and the same content (correlation; exact to the bit depth for PCM).
 */
const SR = 44100;
const SECONDS = 2;
const LOSSY_MIN_CORRELATION = 0.98;
const STEMS = ['vocals', 'drums', 'bass', 'other', 'instrumental'] as const;
const tools = findMediaTools((process.env.PATH ?? '').split(path.delimiter));
let svc: TestService;
let scratch: string;
const jobs = new Map<AudioFormat, string>();

/** A mix with a held tone, a bass line and clicks, so every stem has something in it. */
function song(): Buffer {
  const n = SECONDS * SR;
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const click = i % Math.round(SR / 4) < 64 ? 0.4 * Math.exp(-(i % Math.round(SR / 4)) / 10) : 0;
    const voice = 0.25 * Math.sin(2 * Math.PI * (330 + 20 * Math.sin(2 * Math.PI * 5 * t)) * t);
    const bass = 0.3 * Math.sin(2 * Math.PI * 55 * t);
    l[i] = voice + bass + click;
    r[i] = voice + 0.8 * bass - click;
  }
  return encodeWav({ sampleRate: SR, channels: [l, r] });
}

async function submit(fields: { name: string; value: string }[]) {
  const { payload, headers } = multipart([{ name: 'file', value: song(), filename: 'song.wav' }, ...fields]);
  return svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
}

async function download(url: string, name: string): Promise<string> {
  const res = await svc.app.inject(url);
  expect(res.statusCode).toBe(200);
  const file = path.join(scratch, name);
  fs.writeFileSync(file, res.rawPayload);
  return file;
}

function ffprobe(file: string) {
  const out = execFileSync(tools.ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=format_name:stream=codec_name,sample_rate,channels,bits_per_sample,bits_per_raw_sample,sample_fmt',
    '-of',
    'json',
    file,
  ]);
  const j = JSON.parse(out.toString('utf8')) as {
    format: { format_name: string };
    streams: {
      codec_name: string;
      sample_rate: string;
      channels: number;
      bits_per_sample?: number;
      bits_per_raw_sample?: string;
      sample_fmt: string;
    }[];
  };
  const s = j.streams[0];
  const bits = Number(s.bits_per_raw_sample ?? 0) || s.bits_per_sample || 0;
  return {
    format: j.format.format_name,
    codec: s.codec_name,
    rate: Number(s.sample_rate),
    channels: s.channels,
    bits,
  };
}

function correlation(a: PcmAudio, b: PcmAudio): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let c = 0; c < a.channels.length; c++) {
    const x = a.channels[c];
    const y = b.channels[c];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      ab += x[i] * y[i];
      aa += x[i] * x[i];
      bb += y[i] * y[i];
    }
  }
  return ab / Math.sqrt(aa * bb);
}

function maxAbsDiff(a: PcmAudio, b: PcmAudio): number {
  let m = 0;
  for (let c = 0; c < a.channels.length; c++)
    for (let i = 0; i < a.channels[c].length; i++)
      m = Math.max(m, Math.abs(a.channels[c][i] - b.channels[c][i]));
  return m;
}

const decode = (file: string) => decodeToPcm(tools, file, { sampleRate: SR, channels: 2 });

beforeAll(async () => {
  scratch = tmpDir('stem-formats-');
  svc = await startTestService({
    handlers: { separation: createSeparationStage(), beats: createBeatsStage() },
    config: { separationEngine: 'dsp' },
  });
  for (const f of AUDIO_FORMATS) {
    const res = await submit([{ name: 'stem_format', value: f }]);
    expect(res.statusCode).toBe(202);
    jobs.set(f, res.json().job_id);
  }
  for (const id of jobs.values()) await waitForJob(svc.services, id, undefined, 60_000);
}, 120_000);

afterAll(async () => {
  await svc.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('stem formats', () => {
  it.each(AUDIO_FORMATS)(
    '%s: every stem has the format the table says and decodes back to the float stems',
    async (f) => {
      const row = FORMAT_TABLE[f];
      const id = jobs.get(f) ?? '';
      const results = (await svc.app.inject(`/api/results/${id}`)).json();
      expect(results.status).toBe('completed'); // transcription (fake) found the vocals it reads
      expect(results.summary.stem_format).toBe(f);
      const reference = (await svc.app.inject(`/api/results/${jobs.get('wav_f32')}`)).json();
      for (const name of STEMS) {
        const entry = results.stems[name];
        expect(entry.path).toBe(`stems/${name}.${row.ext}`);
        expect(entry.content_type).toBe(row.contentType);
        const file = await download(entry.url, `${f}-${name}.${row.ext}`);
        const probed = ffprobe(file);
        expect(probed.codec).toBe(row.codec);
        expect(probed.format.split(',')).toContain(row.container);
        expect(probed.channels).toBe(2);
        expect(probed.rate).toBe(row.sampleRate(SR));
        if (row.bits) expect(probed.bits).toBe(row.bits);
        const got = await decode(file);
        const want = await decode(await download(reference.stems[name].url, `ref-${f}-${name}.wav`));
        expect(got.channels[0].length).toBe(SECONDS * SR);
        // Lossy: Opus codes the noise-like DSP drum stem perceptually (0.993 measured), MP3 > 0.998.
        expect(correlation(got, want)).toBeGreaterThan(row.lossy ? LOSSY_MIN_CORRELATION : 0.99999);
        if (!row.lossy)
          expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(row.bits === 32 ? 0 : 2 / 2 ** (row.bits ?? 16));
      }
      // Later stages read WAV: the published stems when they are WAV, else the 16-bit copies.
      const source = path.join(svc.config.storageDir, 'jobs', id, 'stems', '.source');
      expect(fs.existsSync(source)).toBe(row.wav === undefined);
      if (!row.wav) {
        expect(fs.readdirSync(source).sort()).toEqual(['instrumental.wav', 'vocals.wav']);
        // never served: not recorded, and a dot segment
        const res = await svc.app.inject(`/api/files/${id}/stems/.source/vocals.wav`);
        expect(res.statusCode).toBe(404);
      }
    },
  );

  it('with beats_source=drums keeps WAV copies of the drums and bass too, and the beats stage tracks on them', async () => {
    const res = await submit([
      { name: 'stem_format', value: 'opus' },
      { name: 'beats_source', value: 'drums' },
    ]);
    expect(res.statusCode).toBe(202);
    const id = res.json().job_id;
    await waitForJob(svc.services, id, undefined, 60_000);
    const results = (await svc.app.inject(`/api/results/${id}`)).json();
    expect(results.status).toBe('completed');
    expect(results.beat_analysis.source).toBe('drums');
    expect(results.stages.beats.warnings.join(' ')).not.toMatch(/no drums stem/);
    const source = path.join(svc.config.storageDir, 'jobs', id, 'stems', '.source');
    expect(fs.readdirSync(source).sort()).toEqual([
      'bass.wav',
      'drums.wav',
      'instrumental.wav',
      'vocals.wav',
    ]);
  });

  it('refuses an unknown stem_format with a 400 that names the choices, before a job exists', async () => {
    const before = fs.readdirSync(path.join(svc.config.storageDir, 'jobs')).length;
    const res = await submit([{ name: 'stem_format', value: 'aiff' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_STEM_FORMAT');
    expect(res.json().error.message).toContain('wav24');
    expect(fs.readdirSync(path.join(svc.config.storageDir, 'jobs')).length).toBe(before);
  });
});

describe('variants from encoded stems, listed in the results', () => {
  it('renders variants of an MP3-stem job from the lossless copy, in every format, and lists them', async () => {
    const id = jobs.get('mp3') ?? '';
    const made: string[] = [];
    for (const format of AUDIO_FORMATS) {
      const post = await svc.app.inject({
        method: 'POST',
        url: `/api/jobs/${id}/variants`,
        payload: { semitones: 0, format },
      });
      expect(post.statusCode).toBe(202);
      made.push(post.json().variant_id);
    }
    await waitVariants(id, made.length);
    const results = (await svc.app.inject(`/api/results/${id}`)).json();
    expect(results.variants.map((v: { variant_id: string }) => v.variant_id).sort()).toEqual(
      [...made].sort(),
    );
    // The source the variants were rendered from: the 16-bit copy, not the MP3.
    const source = await decode(
      path.join(svc.config.storageDir, 'jobs', id, 'stems', '.source', 'instrumental.wav'),
    );
    for (const v of results.variants) {
      const row = FORMAT_TABLE[v.params.format as AudioFormat];
      const inst = v.files.instrumental;
      expect(inst.path).toBe(`variants/${v.variant_id}/instrumental.${row.ext}`);
      expect(inst.content_type).toBe(row.contentType);
      expect(v.links.self).toBe(`/api/jobs/${id}/variants/${v.variant_id}`);
      const file = await download(inst.url, `variant-${v.params.format}.${row.ext}`);
      const probed = ffprobe(file);
      expect(probed.codec).toBe(row.codec);
      expect(probed.rate).toBe(row.sampleRate(SR));
      if (row.bits) expect(probed.bits).toBe(row.bits);
      const got = await decode(file);
      expect(got.channels[0].length).toBe(SECONDS * SR);
      // Rendered from the WAV copy: a lossless format matches it to the bit depth.
      expect(correlation(got, source)).toBeGreaterThan(row.lossy ? LOSSY_MIN_CORRELATION : 0.99999);
    }
  }, 60_000);
});

async function waitVariants(id: string, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const list = (await svc.app.inject(`/api/jobs/${id}/variants`)).json().variants as { status: string }[];
    if (list.some((v) => v.status === 'failed')) throw new Error(JSON.stringify(list));
    if (list.length === count && list.every((v) => v.status === 'completed')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('variants did not finish');
}
