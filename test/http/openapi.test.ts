import fs from 'node:fs';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService } from '../helpers/services.js';
import { clientTypes, openApiDocument, TYPES_FILE } from './client/generate.js';

type Doc = {
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
  components: { securitySchemes?: Record<string, unknown> };
  security?: unknown[];
};

let doc: Doc;
beforeAll(async () => {
  doc = (await openApiDocument()) as Doc;
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([url, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ url, method, ...op })),
  );

describe('the OpenAPI document', () => {
  it('passes the Redocly linter (recommended rules, every warning an error)', async () => {
    const config = await createConfig({
      extends: ['recommended-strict'],
      rules: {
        // Every path is served from the same origin as the document.
        'no-server-example.com': 'off',
        // /health and /metrics answer no client errors (they are open and not rate limited).
        'operation-4xx-response': 'off',
      },
    });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    });
    const report = problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
    expect(report).toEqual([]);
  });

  it('names every operation, once', () => {
    const ids = operations().map((o) => o.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares the API-key schemes when keys are on, and marks the open routes open', () => {
    // No key in the query string: file and event URLs carry short-lived signatures instead.
    expect(Object.keys(doc.components.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'bearer']);
    expect(doc.security).toHaveLength(2);
    for (const op of operations()) {
      if (op.url.startsWith('/api/')) expect(op.security, op.url).toBeUndefined();
      else expect(op.security, op.url).toEqual([]);
    }
  });

  it('has no security schemes when keys are off', async () => {
    const svc = await startTestService({ workers: false });
    const open = (await svc.app.inject('/docs/json')).json<Doc>();
    await svc.close();
    expect(open.components.securitySchemes).toBeUndefined();
    expect(open.security).toBeUndefined();
  });

  it('names the file route wildcard as a path parameter', () => {
    expect(doc.paths['/api/files/{job_id}/{path}']?.get?.operationId).toBe('downloadFile');
    expect(Object.keys(doc.paths).filter((p) => p.includes('*'))).toEqual([]);
  });

  it('matches the committed client types (else run `npm run openapi`)', async () => {
    expect(fs.readFileSync(TYPES_FILE, 'utf8')).toBe(await clientTypes(doc as never));
  });
});
