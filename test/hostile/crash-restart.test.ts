import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerOf } from '../../src/http/access.js';
import { tmpDir } from '../helpers/audio.js';
import { startTestService, type TestService } from '../helpers/services.js';
import { ADMIN, auth, finishedJob, KEY_A, KEY_B, withSecurity } from './helpers.js';

/**
 * Findings 6–8, as after a kill -9: temp files in job directories and partial uploads are left
 * behind, and job.json files are malformed. The next start must survive all of it, remove the
 * debris, quarantine bad records as `corrupt` jobs that can be deleted, and serve none of it.
 */
const storageDir = tmpDir('karaoke-crash-');
const config = withSecurity({ adminKey: ADMIN }, { apiKeys: [KEY_A, KEY_B] });
let svc: TestService;
let id: string;
const corrupt: Record<string, string> = {};

const DEBRIS = [
  'job.json.0a1b2c3d.tmp',
  'report.json.99aa88bb.tmp',
  'beat_analysis/.analysis.json.4242.tmp',
  'stems/.vocals.wav.deadbeef.tmp',
  'transcription/lyrics.lrc.tmp-4242',
];

function jobDir(jobId: string): string {
  return path.join(storageDir, 'jobs', jobId);
}

beforeAll(async () => {
  const first = await startTestService({ storageDir, config });
  id = await finishedJob(first, KEY_A);
  await first.close();

  for (const rel of DEBRIS) fs.writeFileSync(path.join(jobDir(id), rel), 'half-written');
  fs.mkdirSync(path.join(storageDir, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(storageDir, 'tmp', `${randomUUID()}.upload`), Buffer.alloc(4096));

  const plant = (name: string, body: string | undefined) => {
    const cid = randomUUID();
    fs.mkdirSync(jobDir(cid), { recursive: true });
    fs.writeFileSync(path.join(jobDir(cid), 'original.mp3'), 'x');
    if (body !== undefined) fs.writeFileSync(path.join(jobDir(cid), 'job.json'), body);
    corrupt[name] = cid;
  };
  const good = fs.readFileSync(path.join(jobDir(id), 'job.json'), 'utf8');
  plant('wrong shape', JSON.stringify({ id: 'x', hello: 'world' }));
  plant('truncated', good.slice(0, good.length / 2));
  plant('array', '[]');
  plant('no stages', JSON.stringify({ ...JSON.parse(good), id: undefined, stages: undefined }));
  plant('bad ext', '');
  plant('missing', undefined);
  // A shape error in an otherwise good record of key A: A still sees it (and may delete it).
  const bad = { ...JSON.parse(good), status: 'exploded' };
  const cid = randomUUID();
  fs.mkdirSync(jobDir(cid), { recursive: true });
  fs.writeFileSync(path.join(jobDir(cid), 'job.json'), JSON.stringify({ ...bad, id: cid }));
  corrupt['owned'] = cid;

  svc = await startTestService({ storageDir, config });
});
afterAll(async () => {
  await svc.close();
  fs.rmSync(storageDir, { recursive: true, force: true });
});

describe('start-up after a crash', () => {
  it('starts, and removes temp files and partial uploads', () => {
    for (const rel of DEBRIS) expect(fs.existsSync(path.join(jobDir(id), rel)), rel).toBe(false);
    expect(fs.readdirSync(path.join(storageDir, 'tmp'))).toEqual([]);
  });

  it('shows each malformed record as a corrupt job with a reason', async () => {
    for (const [name, cid] of Object.entries(corrupt)) {
      const res = await svc.app.inject({ url: `/api/status/${cid}`, headers: auth(ADMIN) });
      expect(res.statusCode, name).toBe(200);
      expect(res.json().status, name).toBe('corrupt');
      expect(res.json().error.code).toBe('CORRUPT_RECORD');
      expect(res.json().error.message.length).toBeGreaterThan(20);
    }
    const owned = await svc.app.inject({ url: `/api/status/${corrupt.owned}`, headers: auth(KEY_A) });
    expect(owned.json().status).toBe('corrupt');
    expect(
      (await svc.app.inject({ url: `/api/status/${corrupt.owned}`, headers: auth(KEY_B) })).statusCode,
    ).toBe(404);
    expect(ownerOf(KEY_A)).toBe((await svc.services.backends.store.get(corrupt.owned))?.owner);
  });

  it('keeps the good job, and resumes nothing corrupt', async () => {
    expect((await svc.services.backends.store.get(id))?.status).toBe('completed');
    expect((await svc.services.backends.store.listUnfinished()).length).toBe(0);
  });

  it('deletes a corrupt job and its directory', async () => {
    const cid = corrupt.truncated;
    const res = await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${cid}`, headers: auth(ADMIN) });
    expect(res.statusCode).toBe(200);
    expect(fs.existsSync(jobDir(cid))).toBe(false);
    expect(
      (await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${corrupt.owned}`, headers: auth(KEY_A) }))
        .statusCode,
    ).toBe(200);
  });
});

/** Finding 6: temp files and a symlink to job.json were served. */
describe('only public outputs are served', () => {
  it('serves none of the debris, dotfiles, internal state or links, even when planted after start', async () => {
    const planted = [
      ...DEBRIS,
      'job.json',
      'job.corrupt.json',
      '.secret',
      'stems/.hidden.wav',
      'work/mix.wav',
      'stems/extra.wav',
      'notes.txt',
    ];
    fs.mkdirSync(path.join(jobDir(id), 'work'), { recursive: true });
    for (const rel of planted)
      if (!fs.existsSync(path.join(jobDir(id), rel))) fs.writeFileSync(path.join(jobDir(id), rel), 'private');
    fs.symlinkSync(path.join(jobDir(id), 'job.json'), path.join(jobDir(id), 'stems', 'job-link.wav'));
    // A recorded output replaced by a link to job.json: refused too.
    const vocals = path.join(jobDir(id), 'stems', 'vocals.wav');
    fs.renameSync(vocals, `${vocals}.bak`);
    fs.symlinkSync(path.join(jobDir(id), 'job.json'), vocals);
    let tried = 0;
    for (const rel of [...planted, 'stems/job-link.wav', 'stems/vocals.wav', 'stems/vocals.wav.bak']) {
      for (const url of [
        `/api/files/${id}/${rel}`,
        `/api/files/${id}/${rel.split('/').map(encodeURIComponent).join('/')}`,
      ]) {
        const res = await svc.app.inject({ url, headers: auth(KEY_A) });
        tried++;
        expect(res.statusCode, url).toBe(404);
        expect(res.body).not.toContain('private');
        expect(res.body).not.toContain('"owner"');
      }
    }
    fs.rmSync(vocals);
    fs.renameSync(`${vocals}.bak`, vocals);
    expect(
      (await svc.app.inject({ url: `/api/files/${id}/stems/vocals.wav`, headers: auth(KEY_A) })).statusCode,
    ).toBe(200);
    expect(tried).toBeGreaterThan(20);
  });
});
