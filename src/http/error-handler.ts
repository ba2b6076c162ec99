import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/**
 * One error shape: `{ error: { code, message } }`. Client mistakes keep their message;
 * 5xx messages are replaced so internals (paths, stack traces) never leave the server.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    let status = 500;
    let code = 'INTERNAL_ERROR';
    let message = 'internal server error';
    if (err instanceof AppError) {
      status = err.status;
      code = err.code;
      message = err.message;
    } else if ('validation' in err && err.validation) {
      status = 400;
      code = 'VALIDATION_ERROR';
      message = err.message;
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      status = err.statusCode;
      code = typeof err.code === 'string' && err.code ? err.code.replace(/^FST_/, '') : 'BAD_REQUEST';
      message = err.message;
    } else if ('statusCode' in err && typeof err.statusCode === 'number') {
      status = err.statusCode;
    }
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      if (!(err instanceof AppError) || status === 500) message = 'internal server error';
    }
    void reply.status(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}
