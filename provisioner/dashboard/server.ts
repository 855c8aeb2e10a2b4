import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { CardSource, StationCard } from './card.ts';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const PRESS_PATH = /^\/api\/stations\/([^/]+)\/press$/;
/** Keys a visitor may press on a virtual module (the firmware's DP.press names). */
export const DASHBOARD_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'ok', 'back', 'ready', 'ticket', 'letter', 'fwd'];
/** A card changes every second during a countdown; coalescing keeps 200 stations cheap for the browser (ten messages a second at most). */
const PUSH_INTERVAL_MS = 100;

export interface DashboardOptions {
  host: string;
  port: number;
  source: CardSource;
  /**
   * Required on every request when set. `up` sets one whenever the dashboard
   * listens beyond loopback, so customer-facing state is not open to the LAN.
   */
  token?: string;
}

export interface DashboardHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startDashboard(opts: DashboardOptions): Promise<DashboardHandle> {
  const streams = new Set<ServerResponse>();
  const pending = new Map<string, StationCard>();
  const unsubscribe = opts.source.subscribe((card) => pending.set(card.id, card));
  const flusher = setInterval(() => {
    if (pending.size === 0) return;
    const payload = `event: cards\ndata: ${JSON.stringify([...pending.values()])}\n\n`;
    pending.clear();
    for (const res of streams) res.write(payload);
  }, PUSH_INTERVAL_MS);

  const server: Server = createServer((req, res) => {
    handle(req, res, opts, streams).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: err.message });
      else res.end();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
  } catch (err) {
    // The push timer would keep the process alive after the caller reports the error.
    clearInterval(flusher);
    unsubscribe();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/` + (opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''),
    port,
    async close() {
      clearInterval(flusher);
      unsubscribe();
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: DashboardOptions, streams: Set<ServerResponse>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  if (opts.token && !tokenMatches(opts.token, requestToken(req, url))) {
    sendJson(res, 401, { error: 'missing or wrong token', fix: 'open the URL that `deskphone up` printed (it carries ?token=…)' });
    return;
  }
  const file = STATIC_FILES[url.pathname];
  if (req.method === 'GET' && file) {
    const body = await readFile(new URL(file, PUBLIC_DIR));
    res.writeHead(200, { 'content-type': CONTENT_TYPES[file.split('.').pop() as string], 'cache-control': 'no-cache' });
    res.end(body);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/stations') {
    sendJson(res, 200, opts.source.cards());
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`event: cards\ndata: ${JSON.stringify(opts.source.cards())}\n\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  const press = PRESS_PATH.exec(url.pathname);
  if (req.method === 'POST' && press) {
    const body = await readBody(req, 1024);
    let key: unknown;
    try {
      key = (JSON.parse(body) as { key?: unknown }).key;
    } catch {
      sendJson(res, 400, { error: 'body must be JSON like {"key":"ready"}' });
      return;
    }
    if (typeof key !== 'string') {
      sendJson(res, 400, { error: `"key" must be a string, like {"key":"5"} or {"key":"ready"}; got ${JSON.stringify(key) ?? 'none'}`, keys: DASHBOARD_KEYS });
      return;
    }
    if (!DASHBOARD_KEYS.includes(key)) {
      sendJson(res, 400, { error: `unknown key ${JSON.stringify(key)}`, keys: DASHBOARD_KEYS });
      return;
    }
    const id = decodeURIComponent(press[1]);
    if (!opts.source.press(id, key)) {
      sendJson(res, 404, { error: `station ${id} is not a virtual module on this host` });
      return;
    }
    sendJson(res, 200, { ok: true });
    return;
  }
  const allowed = methodFor(url.pathname);
  if (allowed) {
    res.setHeader('allow', allowed);
    sendJson(res, 405, { error: `${req.method} ${url.pathname} is not allowed; use ${allowed}` });
    return;
  }
  sendJson(res, 404, { error: `no such page: ${req.method} ${url.pathname}` });
}

/** The method a known path takes, so another method there is a 405 rather than a 404. */
function methodFor(pathname: string): string | null {
  if (STATIC_FILES[pathname] || pathname === '/api/stations' || pathname === '/api/events') return 'GET';
  return PRESS_PATH.test(pathname) ? 'POST' : null;
}

function requestToken(req: IncomingMessage, url: URL): string {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) return auth.slice(7);
  return url.searchParams.get('token') ?? '';
}

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
