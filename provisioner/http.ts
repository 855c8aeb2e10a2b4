// The host's two HTTP servers (the dashboard, the call-event webhook) on one
// framework, fastify: routing, replies, body limits, listening and closing.
// What both want differently from fastify's defaults is set here once.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A server whose routes take their body as text of at most `bodyLimit` bytes,
 * whatever its content type (each route checks the type it wants and parses
 * the JSON itself, to name the fault in its own words); errors go out as JSON
 * `{ error }`, 413 naming the limit; closing ends open streams (SSE) too.
 */
export function httpServer(bodyLimit: number): FastifyInstance {
  const app = Fastify({ bodyLimit, forceCloseConnections: true, exposeHeadRoutes: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    const status = err.statusCode ?? 500;
    return reply.code(status).send({ error: status === 413 ? `body larger than ${bodyLimit} bytes` : err.message });
  });
  return app;
}

/**
 * A check of a presented token against `token`, compared as SHA-256 digests:
 * equal length, so the time taken says nothing about the token's length or
 * its first characters.
 */
export function tokenCheck(token: string): (given: string | undefined) => boolean {
  const expected = digest(token);
  return (given) => Boolean(given) && timingSafeEqual(digest(given!), expected);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
