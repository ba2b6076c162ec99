import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toneWav, tmpDir } from '../helpers/audio.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];

function startServer(storageDir: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/e2e/fixtures/embedded-server.ts'), storageDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function submit(base: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([toneWav(1)]), 'song.wav');
  const res = await fetch(`${base}/api/process`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { job_id: string }).job_id;
}

async function status(
  base: string,
  id: string,
): Promise<{ status: string; stages: Record<string, { status: string; progress: number }> }> {
  return (await (await fetch(`${base}/api/status/${id}`)).json()) as never;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('embedded mode survives kill -9', () => {
  it('resumes the running and the queued job after a hard kill; nothing is lost', async () => {
    const storageDir = tmpDir('karaoke-kill-');
    const first = await startServer(storageDir);
    const a = await submit(first.base);
    const b = await submit(first.base);
    await until(
      () => status(first.base, a),
      (s) => s.stages.separation.status === 'running' && s.stages.separation.progress > 0,
    );
    await until(
      () => status(first.base, b),
      (s) => s.stages.separation.status === 'queued',
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServer(storageDir);
    for (const id of [a, b]) {
      const s = await until(
        () => status(second.base, id),
        (v) => ['completed', 'partial', 'failed'].includes(v.status),
      );
      expect(s.status).toBe('completed');
    }
    const results = (await (await fetch(`${second.base}/api/results/${a}`)).json()) as {
      stems: Record<string, { url: string }>;
    };
    expect((await fetch(`${second.base}${results.stems.instrumental.url}`)).status).toBe(200);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    fs.rmSync(storageDir, { recursive: true, force: true });
  });
});
