import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob } from './helpers.js';

/**
 * Audit 4, finding 20: a body sent to a route that takes none was ignored, as unknown query
 * parameters were (finding 1): `DELETE /api/jobs/{id}` with `{"keep_files": true}` deleted
 * everything, `POST …/cancel` with `{"dry_run": true}` cancelled. Now 400 UNEXPECTED_BODY;
 * no body, an empty one, and `{}` (what some clients send by default) still pass. Audit 5: a
 * multipart form sent there passed as no body (the job deleted); now the same 400.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'multipart/form-data; boundary=b' };
const FORM = '--b\r\nContent-Disposition: form-data; name="keep_files"\r\n\r\ntrue\r\n--b--\r\n';

describe('a body on a route that takes none', () => {
  it.each([
    ['DELETE', '/api/jobs/{id}', '{"keep_files":true}', JSON_TYPE],
    ['DELETE', '/api/jobs/{id}', '[1]', JSON_TYPE],
    ['DELETE', '/api/jobs/{id}', 'null', JSON_TYPE],
    ['DELETE', '/api/jobs/{id}', 'true', JSON_TYPE],
    ['DELETE', '/api/jobs/{id}', 'keep please', { 'content-type': 'text/plain' }],
    ['POST', '/api/jobs/{id}/cancel', '{"dry_run":true}', JSON_TYPE],
  ])('%s %s with %s is 400 and does nothing', async (method, url, payload, headers) => {
    const id = await finishedJob(svc);
    const res = await svc.app.inject({
      method: method as 'DELETE',
      url: url.replace('{id}', id),
      payload,
      headers,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('UNEXPECTED_BODY');
    expect(res.json().error.message).toContain('takes no body');
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(200);
  });

  // Audit 5, finding 1: the upload plugin leaves a form's body unset, so a form passed as none.
  it.each([
    ['DELETE', '/api/jobs/{id}'],
    ['POST', '/api/jobs/{id}/cancel'],
  ])('%s %s with a multipart form is 400 and does nothing', async (method, url) => {
    const id = await finishedJob(svc);
    const res = await svc.app.inject({
      method: method as 'DELETE',
      url: url.replace('{id}', id),
      payload: FORM,
      headers: FORM_TYPE,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('UNEXPECTED_BODY');
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(200);
  });

  it.each([
    ['no body', undefined, {}],
    ['an empty JSON body', '', JSON_TYPE],
    ['{}', '{}', JSON_TYPE],
    ['{ } with spaces', ' { } ', JSON_TYPE],
  ])('%s still passes', async (_name, payload, headers) => {
    const id = await finishedJob(svc);
    const res = await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}`, payload, headers });
    expect(res.statusCode, res.body).toBe(200);
  });
});
