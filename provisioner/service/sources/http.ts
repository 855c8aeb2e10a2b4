import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../../lib/user-error.ts';
import { rejectionOf, type EventSink, type EventSource } from './source.ts';

export interface HttpSourceOptions {
  /** Bearer token callers must send; compared in constant time, never logged. */
  token: string;
  host?: string;
  port?: number;
}

const MAX_BODY = 16 * 1024;

/**
 * The call-event webhook: `POST /events` with one JSON event and
 * `Authorization: Bearer <token>`. 200 with the station's new phase; 400 with
 * the fields at fault; 401 without the right token; 409 when the event does
 * not fit the station's phase.
 */
export class HttpSource implements EventSource {
  readonly name = 'http';
  private server: Server | null = null;
  private readonly tokenDigest: Buffer;

  constructor(private readonly options: HttpSourceOptions) {
    if (!options.token) throw new Error('the event webhook needs a token');
    this.tokenDigest = digest(options.token);
  }

  async start(sink: EventSink): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res, sink).catch((err) => reply(res, 500, { error: (err as Error).message }));
    });
    this.server = server;
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 0;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
    } catch (err) {
      this.server = null;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`the event webhook address ${host}:${port} is already in use`, 'stop what listens there or pick another port for the webhook');
      if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UserError(`the event webhook cannot listen on ${host}:${port} (${code})`, 'pick a port above 1023 on an address of this machine');
      throw err;
    }
  }

  /** Where the webhook listens, e.g. http://127.0.0.1:8090/events. */
  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('the event webhook is not listening');
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}/events`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, sink: EventSink): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/events') return reply(res, 404, { error: 'not found; events go to POST /events' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (!this.authorized(req.headers.authorization)) {
      return reply(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
    }
    const body = await readBody(req);
    if (body === null) return reply(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch (err) {
      return reply(res, 400, { error: 'invalid event', fields: [{ field: '(body)', problem: `not valid JSON (${(err as Error).message})` }] });
    }
    try {
      const result = await sink(raw);
      return reply(res, 200, { ok: true, ...result });
    } catch (err) {
      const r = rejectionOf(err);
      if (r.kind === 'conflict') return reply(res, 409, { error: r.message });
      return reply(res, 400, { error: 'invalid event', fields: r.fields });
    }
  }

  private authorized(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    // Digests have equal length, so the comparison leaks nothing about the token's length.
    return match !== null && timingSafeEqual(digest(match[1]), this.tokenDigest);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request body as text, or null once it passes MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
