import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../../lib/user-error.ts';
import { httpServer, tokenCheck } from '../../http.ts';
import { rejectionOf, type EventSink, type EventSource } from './source.ts';

export interface HttpSourceOptions {
  /** Bearer token callers must send; compared in constant time, never logged. */
  token: string;
  host?: string;
  port?: number;
}

const MAX_BODY = 16 * 1024;
const PATH = '/events';

/**
 * The call-event webhook: `POST /events` with one JSON event and
 * `Authorization: Bearer <token>`. 200 with the station's new phase; 400 with
 * the fields at fault; 401 without the right token; 409 when the event does
 * not fit the station's phase; 413 past 16 KiB.
 */
export class HttpSource implements EventSource {
  readonly name = 'http';
  private app: FastifyInstance | null = null;
  private readonly authorized: (token: string | undefined) => boolean;

  constructor(private readonly options: HttpSourceOptions) {
    if (!options.token) throw new Error('the event webhook needs a token');
    this.authorized = tokenCheck(options.token);
  }

  async start(sink: EventSink): Promise<void> {
    const app = httpServer(MAX_BODY);
    app.route({
      method: 'POST',
      url: PATH,
      // before the body is read: a caller without the token sends nothing we keep
      onRequest: async (request, reply) => {
        const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
        if (!this.authorized(match?.[1])) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token' });
      },
      handler: async (request, reply) => {
        let raw: unknown;
        try {
          raw = JSON.parse(String(request.body ?? ''));
        } catch (err) {
          return reply.code(400).send({ error: 'invalid event', fields: [{ field: '(body)', problem: `not valid JSON (${(err as Error).message})` }] });
        }
        try {
          return { ok: true, ...(await sink(raw)) };
        } catch (err) {
          const r = rejectionOf(err);
          if (r.kind === 'conflict') return reply.code(409).send({ error: r.message });
          return reply.code(400).send({ error: 'invalid event', fields: r.fields });
        }
      },
    });
    app.setNotFoundHandler((request, reply) =>
      request.url.split('?')[0] === PATH ? reply.code(405).header('allow', 'POST').send({ error: 'use POST' }) : reply.code(404).send({ error: 'not found; events go to POST /events' }),
    );
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 0;
    try {
      await app.listen({ host, port });
    } catch (err) {
      await app.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`the event webhook address ${host}:${port} is already in use`, 'stop what listens there or pick another port for the webhook');
      if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UserError(`the event webhook cannot listen on ${host}:${port} (${code})`, 'pick a port above 1023 on an address of this machine');
      throw err;
    }
    this.app = app;
  }

  /** Where the webhook listens, e.g. http://127.0.0.1:8090/events. */
  get url(): string {
    const addr = this.app?.server.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('the event webhook is not listening');
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}${PATH}`;
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = null;
    await app?.close();
  }
}
