import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { CardSource } from './card.ts';
import { PageStreams, pageOf } from './page-streams.ts';

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
export const PUSH_INTERVAL_MS = 100;

export interface DashboardOptions {
  host: string;
  port: number;
  source: CardSource;
  /**
   * Required on every request when set. `up` sets one whenever the dashboard
   * listens beyond loopback, so customer-facing state is not open to the LAN.
   * The first visit brings it in the URL; the page then keeps it in a cookie.
   */
  token?: string;
}

/** Holds the token after the first visit: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it). */
const TOKEN_COOKIE = 'deskphone_token';
const TOKEN_COOKIE_MAX_AGE_S = 30 * 24 * 3600;

export interface DashboardHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** What every request is checked against: the names this dashboard answers to and the token. */
interface Access {
  /** Lower-case host names (IPv6 in brackets) a Host header may carry. */
  names: Set<string>;
  /** Listening on every address: any IP literal of this machine is a fine Host too. */
  anyAddress: boolean;
  port: number;
  tokenDigest: Buffer | null;
}

/**
 * A DNS name that an attacker's page rebinds to this machine's address still
 * says its own name in Host, so only this dashboard's names are answered:
 * its listen address and the loopback names, and beyond loopback (where a
 * token guards every request anyway) the machine's host name and IP literals.
 */
function accessFor(opts: DashboardOptions): Access {
  const listen = opts.host.toLowerCase();
  const names = new Set(['localhost', '127.0.0.1', '[::1]', listen.includes(':') ? `[${listen}]` : listen]);
  if (!isLoopback(listen)) {
    const machine = hostname().toLowerCase();
    names.add(machine);
    names.add(machine.split('.')[0]);
  }
  return { names, anyAddress: listen === '0.0.0.0' || listen === '::', port: 0, tokenDigest: opts.token ? digest(opts.token) : null };
}

export async function startDashboard(opts: DashboardOptions): Promise<DashboardHandle> {
  const access = accessFor(opts);
  const streams = new PageStreams(opts.source);
  const flusher = setInterval(() => streams.flush(), PUSH_INTERVAL_MS);

  const server: Server = createServer((req, res) => {
    handle(req, res, opts, access, streams).catch((err: Error) => {
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
    streams.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  access.port = port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/` + (opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''),
    port,
    async close() {
      clearInterval(flusher);
      streams.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: DashboardOptions, access: Access, streams: PageStreams): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  if (!hostAllowed(req.headers.host, access)) {
    sendJson(res, 421, { error: `this dashboard does not answer to the name "${req.headers.host ?? ''}"`, fix: 'open it by the address `deskphone up` printed' });
    return;
  }
  if (access.tokenDigest) {
    const given = requestToken(req, url);
    if (!given.token || !timingSafeEqual(digest(given.token), access.tokenDigest)) {
      sendJson(res, 401, { error: 'missing or wrong token', fix: 'open the URL that `deskphone up` printed (it carries ?token=…)' });
      return;
    }
    if (given.fromUrl && req.method === 'GET' && url.pathname === '/') {
      // The token leaves the address bar (and history, and what is shared by copy and paste) for a cookie.
      url.searchParams.delete('token');
      res.writeHead(303, {
        location: url.pathname + url.search,
        'set-cookie': `${TOKEN_COOKIE}=${given.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TOKEN_COOKIE_MAX_AGE_S}`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
  }
  const file = STATIC_FILES[url.pathname];
  if (req.method === 'GET' && file) {
    const body = await readFile(new URL(file, PUBLIC_DIR));
    // No other site may frame the page and steer clicks onto its keys.
    res.writeHead(200, { 'content-type': CONTENT_TYPES[file.split('.').pop() as string], 'cache-control': 'no-cache', 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" });
    res.end(body);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/stations') {
    // the whole list, or one page of it (?page=, ?size=) with the counts
    if (url.searchParams.has('page')) {
      const { page, size } = pageOf(url);
      sendJson(res, 200, opts.source.page(page, size));
    } else sendJson(res, 200, opts.source.cards());
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const { page, size } = pageOf(url);
    streams.open(res, page, size);
    return;
  }
  const press = PRESS_PATH.exec(url.pathname);
  if (req.method === 'POST' && press) {
    // A page of another site can post a form (text/plain, url-encoded) without asking; JSON it cannot send without CORS, which this server never allows.
    if (mediaType(req.headers['content-type']) !== 'application/json') {
      sendJson(res, 415, { error: 'a key press is sent as application/json, like {"key":"ready"}' });
      return;
    }
    if (!sameOrigin(req)) {
      sendJson(res, 403, { error: 'key presses come only from the dashboard page itself' });
      return;
    }
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

function hostAllowed(header: string | undefined, access: Access): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header ?? '');
  if (!match || Number(match[2] ?? 80) !== access.port) return false;
  const name = match[1].toLowerCase();
  if (access.names.has(name)) return true;
  return access.anyAddress && isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;
}

/** A browser names the page's origin on a POST (and Chromium says where the request comes from); other clients send neither. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The token from an API client's Authorization header, the page's cookie, or a first visit's URL. */
function requestToken(req: IncomingMessage, url: URL): { token: string; fromUrl: boolean } {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) return { token: auth.slice(7), fromUrl: false };
  const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(TOKEN_COOKIE + '='));
  if (cookie) return { token: cookie.slice(TOKEN_COOKIE.length + 1), fromUrl: false };
  return { token: url.searchParams.get('token') ?? '', fromUrl: true };
}

/** Tokens are compared as digests: equal length, so the time taken says nothing about the token's length or its first characters. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
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
