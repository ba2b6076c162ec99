import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ workers: false });
});
afterAll(() => svc.close());

describe('web page files', () => {
  it('serves the page and its modules with a strict CSP', async () => {
    const page = await svc.app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const js = await svc.app.inject('/web/app.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
  });

  it('serves nothing but plain file names from web/', async () => {
    for (const name of ['..%2fpackage.json', '.hidden.js', 'app.ts', 'x.js', '%2e%2e%2fsrc%2fmain.ts']) {
      expect((await svc.app.inject(`/web/${name}`)).statusCode).toBe(404);
    }
  });
});
