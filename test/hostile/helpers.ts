import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { testConfig, type AppConfig } from '../../src/config.js';
import type { SecurityConfig } from '../../src/config-security.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';
import { listen } from './raw-http.js';

/** Keys of the hostile suite: two users and an admin. */
export const KEY_A = 'key-a-0123456789abcdef';
export const KEY_B = 'key-b-0123456789abcdef';
export const ADMIN = 'admin-0123456789abcdef';

export function withSecurity(
  over: Partial<SecurityConfig>,
  config: Partial<AppConfig> = {},
): Partial<AppConfig> {
  return { ...config, security: { ...testConfig().security, ...over } };
}

export async function keyedService(
  over: Partial<SecurityConfig> = {},
  config: Partial<AppConfig> = {},
): Promise<TestService> {
  return startTestService({
    config: withSecurity({ adminKey: ADMIN, ...over }, { apiKeys: [KEY_A, KEY_B], ...config }),
  });
}

/** Uploads a short tone as `key` and waits for the job to finish; returns its id. */
export async function finishedJob(
  svc: TestService,
  key?: string,
  extra: { name: string; value: string }[] = [],
): Promise<string> {
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }, ...extra]);
  const res = await svc.app.inject({
    method: 'POST',
    url: '/api/process',
    payload,
    headers: { ...headers, ...(key ? { 'x-api-key': key } : {}) },
  });
  if (res.statusCode !== 202) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  const id = res.json().job_id as string;
  await waitForJob(svc.services, id);
  return id;
}

/** A keyed service with one finished job of KEY_A (the file's fixture: close `svc` after). */
export async function keyedJob(): Promise<{ svc: TestService; id: string }> {
  const svc = await keyedService();
  return { svc, id: await finishedJob(svc, KEY_A) };
}

/** The same, listening on a port for raw-socket tests. */
export async function keyedJobOnPort(): Promise<{ svc: TestService; port: number; id: string }> {
  const { svc, id } = await keyedJob();
  return { svc, id, port: await listen(svc) };
}

export function auth(key: string): Record<string, string> {
  return { 'x-api-key': key };
}

/**
 * A job hash with `record` (as stored) planted in a distributed service's Redis under `prefix`
 * (the store's key prefix, ending in ":"), indexed as the newest job.
 */
export async function plantRecord(raw: Redis, prefix: string, id: string, record: string): Promise<void> {
  await raw.hset(`${prefix}job:${id}`, 'record', record, 'status', 'completed');
  await raw.zadd(`${prefix}jobs:index`, Date.now(), id);
}

/** The planted job `id` is listed and shown as `corrupt` (not a 500), and DELETE takes it. */
export async function expectCorruptAndDeletable(svc: TestService, id: string): Promise<void> {
  const list = await svc.app.inject('/api/jobs');
  expect(list.statusCode, list.body).toBe(200);
  expect(list.json().jobs[0]).toMatchObject({ job_id: id, status: 'corrupt' });
  const status = await svc.app.inject(`/api/status/${id}`);
  expect(status.statusCode, status.body).toBe(200);
  expect(status.json().error.code).toBe('CORRUPT_RECORD');
  const del = await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
  expect(del.statusCode, del.body).toBe(200);
}
