import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { KEY_A, KEY_B, keyedService } from './helpers.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Audit 3: with two credentials that differ, which one counted depended on the header. Node
 * keeps the first of two `Authorization` headers and drops the rest, so `Bearer KEY_A` then
 * `Bearer junk` was KEY_A and the other order was refused; `x-api-key: KEY_A` beside
 * `Authorization: Bearer junk` was KEY_A. A proxy that checks the last header and this server
 * the first disagree about who is calling. Now (access.ts, presentedKey) two different keys
 * count as none: 401 saying so. The same key sent twice (or in both headers) is that key.
 */
let svc: TestService;
let port: number;
beforeAll(async () => {
  svc = await keyedService();
  port = await listen(svc);
});
afterAll(() => svc.close());

const list = async (headers: string) => {
  const answer = await rawRequest(
    port,
    `GET /api/jobs HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`,
  );
  return { status: answer.status, body: answer.body };
};

describe('API key headers', () => {
  it.each([
    `Authorization: Bearer ${KEY_A}\r\nAuthorization: Bearer junk\r\n`,
    `Authorization: Bearer junk\r\nAuthorization: Bearer ${KEY_A}\r\n`,
    `Authorization: Bearer ${KEY_A}\r\nAuthorization: Bearer ${KEY_B}\r\n`,
    `x-api-key: ${KEY_A}\r\nAuthorization: Bearer junk\r\n`,
    `Authorization: Bearer junk\r\nx-api-key: ${KEY_A}\r\n`,
    `x-api-key: ${KEY_A}\r\nX-Api-Key: ${KEY_B}\r\n`,
  ])('two different keys are 401: %j', async (headers) => {
    const { status, body } = await list(headers);
    expect(status).toBe(401);
    expect(JSON.parse(body).error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/more than one API key/),
    });
  });

  it.each([
    `X-API-KEY: ${KEY_A}\r\n`,
    `x-api-key:   ${KEY_A}  \r\n`,
    `x-api-key: ${KEY_A}\r\nx-api-key: ${KEY_A}\r\n`,
    `x-api-key: ${KEY_A}\r\nAuthorization: Bearer ${KEY_A}\r\n`,
    `authorization: bearer ${KEY_A}\r\n`,
    `Authorization: Basic Zm9v\r\nx-api-key: ${KEY_A}\r\n`,
    `x-api-key: \r\nAuthorization: Bearer ${KEY_A}\r\n`,
  ])('one key, however it is spelled, is that key: %j', async (headers) => {
    expect((await list(headers)).status).toBe(200);
  });

  it.each([
    `x-api-key: ${KEY_A.toUpperCase()}\r\n`,
    `x-api-key: ${KEY_A}, ${KEY_A}\r\n`,
    `Authorization: ${KEY_A}\r\n`,
    `Authorization: Token ${KEY_A}\r\n`,
    `Authorization: Bearer ${KEY_A} extra\r\n`,
    `x_api_key: ${KEY_A}\r\n`,
    `api-key: ${KEY_A}\r\n`,
  ])('not a key: %j', async (headers) => {
    expect((await list(headers)).status).toBe(401);
  });

  // Audit 5, finding 11: the Bearer parse read `\s`, which takes the Latin-1 byte 0xA0 (NBSP)
  // for a space, so `Bearer<0xA0>KEY` was the key (200) where a proxy sees no Bearer token.
  it.each([
    ['NBSP after Bearer', `Authorization: Bearer\u00a0${KEY_A}\r\n`],
    ['NBSP after the key', `Authorization: Bearer ${KEY_A}\u00a0\r\n`],
    ['NBSP on both sides', `Authorization: Bearer\u00a0${KEY_A}\u00a0\r\n`],
  ])('%s, sent as the Latin-1 byte: 401', async (_name, headers) => {
    const answer = await rawRequest(
      port,
      Buffer.from(`GET /api/jobs HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`, 'latin1'),
    );
    expect(answer.status).toBe(401);
  });

  it('a tab after Bearer is still a separator', async () => {
    expect((await list(`Authorization: Bearer\t${KEY_A}\r\n`)).status).toBe(200);
  });
});
