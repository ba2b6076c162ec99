import fs from 'node:fs/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../errors.js';
import { contentTypeOf } from '../content-types.js';
import { FreeQuery } from '../schemas.js';

/** The player page: a few static files from web/, talking only to /api. */
const WEB_DIR = new URL('../../../web/', import.meta.url);
/** Plain names only (no paths): the page's HTML, its ES modules and its style sheets. */
const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css)$/;

export function webRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    const serve = async (name: string, reply: import('fastify').FastifyReply) => {
      if (!FILE_NAME.test(name)) throw new NotFoundError(`no page ${name}`);
      const body = await fs.readFile(new URL(name, WEB_DIR)).catch(() => undefined);
      if (!body) throw new NotFoundError(`no page ${name}`);
      return reply
        .type(contentTypeOf(name))
        .header('cache-control', 'no-cache')
        .header(
          'content-security-policy',
          "default-src 'self'; media-src 'self' blob:; img-src 'self' data:; style-src 'self'; script-src 'self'",
        )
        .send(body);
    };
    app.get(
      '/',
      {
        schema: { hide: true, querystring: FreeQuery, response: { 200: Type.String() } },
        config: { access: 'public' },
      },
      async (_req, reply) => serve('index.html', reply),
    );
    app.get(
      '/web/:name',
      {
        schema: {
          hide: true,
          params: Type.Object({ name: Type.String() }),
          querystring: FreeQuery,
          response: { 200: Type.String() },
        },
        config: { access: 'public' },
      },
      async (req, reply) => serve(req.params.name, reply),
    );
  };
}
