import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';

let svc: TestService;
let id: string;
let jobDir: string;

beforeAll(async () => {
  svc = await startTestService();
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
  id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json().job_id;
  await waitForJob(svc.services, id);
  jobDir = path.join(svc.config.storageDir, 'jobs', id);
  fs.writeFileSync(path.join(svc.config.storageDir, 'secret.txt'), 'top secret');
  fs.symlinkSync(path.join(svc.config.storageDir, 'secret.txt'), path.join(jobDir, 'stems', 'link.wav'));
  fs.symlinkSync('/etc', path.join(jobDir, 'etc'));
});
afterAll(() => svc.close());

describe('GET /api/files/{job_id}/{path}', () => {
  it('serves a stem with its content type, length and range support', async () => {
    const res = await svc.app.inject(`/api/files/${id}/stems/drums.wav`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.headers['accept-ranges']).toBe('bytes');
    const size = fs.statSync(path.join(jobDir, 'stems', 'drums.wav')).size;
    expect(Number(res.headers['content-length'])).toBe(size);
    expect(res.rawPayload.length).toBe(size);
  });

  it('answers HEAD with headers only', async () => {
    const res = await svc.app.inject({ method: 'HEAD', url: `/api/files/${id}/stems/drums.wav` });
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(44);
    expect(res.rawPayload.length).toBe(0);
  });

  it('serves byte ranges (206) and refuses unsatisfiable ones (416)', async () => {
    const full = fs.readFileSync(path.join(jobDir, 'stems', 'drums.wav'));
    const part = await svc.app.inject({
      url: `/api/files/${id}/stems/drums.wav`,
      headers: { range: 'bytes=4-11' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 4-11/${full.length}`);
    expect(part.rawPayload).toEqual(full.subarray(4, 12));
    const tail = await svc.app.inject({
      url: `/api/files/${id}/stems/drums.wav`,
      headers: { range: 'bytes=-10' },
    });
    expect(tail.rawPayload).toEqual(full.subarray(full.length - 10));
    const bad = await svc.app.inject({
      url: `/api/files/${id}/stems/drums.wav`,
      headers: { range: `bytes=${full.length + 5}-` },
    });
    expect(bad.statusCode).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${full.length}`);
  });

  it('serves JSON results with a JSON content type', async () => {
    const res = await svc.app.inject(`/api/files/${id}/report.json`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json().job_id).toBe(id);
  });

  const attempts = [
    '../../secret.txt',
    '..%2f..%2fsecret.txt',
    '..%252f..%252fsecret.txt',
    '%2e%2e/%2e%2e/secret.txt',
    'stems/../../../secret.txt',
    'stems/..%5c..%5csecret.txt',
    '%2fetc%2fpasswd',
    '//etc/passwd',
    'stems/link.wav',
    'etc/passwd',
    'job.json',
    'stems/nope.wav',
    '.',
    'stems',
  ];
  for (const p of attempts) {
    it(`refuses ${p}`, async () => {
      const res = await svc.app.inject(`/api/files/${id}/${p}`);
      expect([400, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain('top secret');
      expect(res.body).not.toContain('root:');
    });
  }

  it('404s for an unknown job and 400s for a malformed id', async () => {
    expect(
      (await svc.app.inject('/api/files/6f1c7a8e-1111-4222-8333-944445555666/stems/vocals.wav')).statusCode,
    ).toBe(404);
    const bad = await svc.app.inject('/api/files/..%2f..%2f/stems/vocals.wav');
    expect(bad.statusCode).toBe(400);
  });
});
