import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';
import { hanging } from '../helpers/fake-stages.js';
import { TEST_REDIS_URL } from '../contract/redis-env.js';

/**
 * Audit 6: what was tried and already held (no change), kept as tests so the next audit need not
 * try it again.
 */

function wav(over: { format?: number; channels?: number; rate?: number; bits?: number; dataSize?: number }) {
  const data = Buffer.alloc(44_100 * 4);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(over.format ?? 1, 20);
  h.writeUInt16LE(over.channels ?? 2, 22);
  h.writeUInt32LE(over.rate ?? 44_100, 24);
  h.writeUInt32LE(44_100 * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(over.bits ?? 16, 34);
  h.write('data', 36);
  h.writeUInt32LE(over.dataSize ?? data.length, 40);
  return Buffer.concat([h, data]);
}

/** A FLAC of its STREAMINFO block only: 44.1 kHz stereo, 16 bits, declaring 2^36 − 1 samples. */
function flacHeaderOnly(): Buffer {
  const info = Buffer.alloc(34);
  info.writeUInt16BE(4096, 0);
  info.writeUInt16BE(4096, 2);
  let v = (44_100n << 44n) | (1n << 41n) | (15n << 36n) | ((1n << 36n) - 1n);
  for (let i = 7; i >= 0; i--, v >>= 8n) info[10 + i] = Number(v & 0xffn);
  return Buffer.concat([Buffer.from('fLaC'), Buffer.from([0x80, 0, 0, 34]), info, Buffer.alloc(1000)]);
}

describe('uploads whose header lies (embedded)', () => {
  let svc: TestService;
  beforeAll(async () => (svc = await startTestService()));
  afterAll(() => svc.close());

  it.each([
    ['a WAV of 0 bits per sample', wav({ bits: 0 }), 'a.wav', 422, 'UNDECODABLE'],
    ['a WAV of an unknown format tag', wav({ format: 0x55 }), 'a.wav', 422, 'UNDECODABLE'],
    ['a WAV of 0 channels', wav({ channels: 0 }), 'a.wav', 422, 'BAD_CHANNELS'],
    ['a WAV at 0 Hz', wav({ rate: 0 }), 'a.wav', 422, 'BAD_SAMPLE_RATE'],
    ['a WAV declaring 2^32 − 2 bytes of audio', wav({ dataSize: 0xfffffffe }), 'a.wav', 422, 'TRUNCATED'],
    [
      'RIFF/WAVE then noise',
      Buffer.concat([Buffer.from('RIFF\x10\0\0\0WAVE'), Buffer.alloc(5000, 7)]),
      'a.wav',
      422,
      'UNDECODABLE',
    ],
    ['a FLAC of its header only, declaring 2^36 samples', flacHeaderOnly(), 'a.flac', 422, 'UNDECODABLE'],
    [
      'an ID3 tag then zeros',
      Buffer.concat([Buffer.from('ID3\x04\0\0\x7f\x7f\x7f\x7f'), Buffer.alloc(5000)]),
      'a.mp3',
      422,
      'UNDECODABLE',
    ],
    [
      'a PNG named .wav',
      Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(100)]),
      'a.wav',
      415,
      'NOT_AUDIO',
    ],
    [
      'a zip named .mp3',
      Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]),
      'a.mp3',
      415,
      'NOT_AUDIO',
    ],
  ])('%s: refused, nothing kept', async (_name, file, filename, status, code) => {
    const { payload, headers } = multipart([{ name: 'file', value: file, filename }]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error.code).toBe(code);
    const left = ['tmp', 'jobs']
      .map((d) => path.join(svc.config.storageDir, d))
      .flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : []));
    expect(left).toEqual([]);
  });
});

describe('nothing of a job is left in Redis once it is gone', () => {
  let svc: TestService;
  let redis: Redis;
  beforeAll(async () => {
    svc = await startTestService({ mode: 'distributed', handlers: { transcription: hanging() } });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await svc.close();
  });

  /**
   * This service's store keys and index members that name the job (the queues' own keys are
   * BullMQ's). Only its own prefix: other test files' services share the Redis and change theirs.
   */
  async function traces(id: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${svc.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if (key.includes('-bull:')) continue;
        if (key.includes(id)) found.push(key);
        const type = await redis.type(key);
        const members =
          type === 'zset' ? await redis.zrange(key, 0, -1) : type === 'set' ? await redis.smembers(key) : [];
        if (members.includes(id)) found.push(`${key} ∋ id`);
      }
    } while (cursor !== '0');
    return found;
  }

  async function upload(stages = 'separation,beats') {
    const { payload, headers } = multipart([
      { name: 'file', value: toneWav(1), filename: 'a.wav' },
      { name: 'stages', value: stages },
    ]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().job_id as string;
  }

  it('a refused upload writes nothing', async () => {
    const before = await traces('');
    const { payload, headers } = multipart([{ name: 'file', value: Buffer.from('nope'), filename: 'a.wav' }]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode).toBe(415);
    expect(await traces('')).toEqual(before);
  });

  it('a finished job with a variant, deleted', async () => {
    const id = await upload();
    await waitForJob(svc.services, id);
    expect(await traces(id)).not.toEqual([]);
    const v = await svc.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/variants`,
      payload: { semitones: 1 },
    });
    expect(v.statusCode).toBe(202);
    expect((await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` })).statusCode).toBe(200);
    expect(await traces(id)).toEqual([]);
  });

  it('a running job, cancelled then deleted', async () => {
    const id = await upload('transcription');
    await waitForJob(svc.services, id, (j) => j.status === 'processing');
    expect((await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` })).statusCode).toBe(200);
    expect((await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` })).statusCode).toBe(200);
    expect(await traces(id)).toEqual([]);
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(404);
  });
});
