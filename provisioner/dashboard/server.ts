import { isIP, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KEYS, MOVE_KEYS } from '../../protocol/catalogue.ts';
import { httpServer, tokenCheck } from '../http.ts';
import type { CardSource } from './card.ts';
import { PageStreams, pageOf } from './page-streams.ts';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/labels.generated.js': 'labels.generated.js',
  '/style.css': 'style.css',
};
const PRESS_PATH = /^\/api\/stations\/([^/]+)\/press$/;
/** A key press is a few bytes of JSON. */
const MAX_BODY = 1024;
/** Keys a visitor may press on a virtual module (the firmware's DP.press names; the 4-button moves have no button on a card). */
export const DASHBOARD_KEYS: string[] = KEYS.filter((k) => !(MOVE_KEYS as readonly string[]).includes(k));
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
  /** Checks a presented token; null when none is required. */
  token: ((given: string | undefined) => boolean) | null;
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
  return { names, anyAddress: listen === '0.0.0.0' || listen === '::', port: 0, token: opts.token ? tokenCheck(opts.token) : null };
}

export async function startDashboard(opts: DashboardOptions): Promise<DashboardHandle> {
  const access = accessFor(opts);
  const streams = new PageStreams(opts.source);
  const flusher = setInterval(() => streams.flush(), PUSH_INTERVAL_MS);

  const app = httpServer(MAX_BODY);
  await app.register(fastifyCookie);
  // only the files listed are served, each by its own route
  await app.register(fastifyStatic, { root: fileURLToPath(PUBLIC_DIR), serve: false, cacheControl: false });
  app.addHook('onRequest', async (request, reply) => guard(request, reply, access));
  for (const [path, file] of Object.entries(STATIC_FILES)) {
    app.get(path, (_request, reply) =>
      // No other site may frame the page and steer clicks onto its keys.
      reply.header('cache-control', 'no-cache').header('x-frame-options', 'DENY').header('content-security-policy', "frame-ancestors 'none'").sendFile(file),
    );
  }
  app.get('/api/stations', async (request) => {
    // the whole list, or one page of it (?page=, ?size=) with the counts
    const url = requestUrl(request);
    if (!url.searchParams.has('page')) return opts.source.cards();
    const { page, size } = pageOf(url);
    return opts.source.page(page, size);
  });
  app.get('/api/events', (request, reply) => {
    // the stream is the page streams' to write and end, not fastify's
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const { page, size } = pageOf(requestUrl(request));
    streams.open(reply.raw, page, size);
  });
  app.post('/api/stations/:id/press', {
    onRequest: async (request, reply) => {
      // A page of another site can post a form (text/plain, url-encoded) without asking; JSON it cannot send without CORS, which this server never allows.
      if (mediaType(request.headers['content-type']) !== 'application/json') return reply.code(415).send({ error: 'a key press is sent as application/json, like {"key":"ready"}' });
      if (!sameOrigin(request)) return reply.code(403).send({ error: 'key presses come only from the dashboard page itself' });
    },
    handler: async (request, reply) => {
      let key: unknown;
      try {
        key = (JSON.parse(String(request.body ?? '')) as { key?: unknown }).key;
      } catch {
        return reply.code(400).send({ error: 'body must be JSON like {"key":"ready"}' });
      }
      if (typeof key !== 'string') {
        return reply.code(400).send({ error: `"key" must be a string, like {"key":"5"} or {"key":"ready"}; got ${JSON.stringify(key) ?? 'none'}`, keys: DASHBOARD_KEYS });
      }
      if (!DASHBOARD_KEYS.includes(key)) return reply.code(400).send({ error: `unknown key ${JSON.stringify(key)}`, keys: DASHBOARD_KEYS });
      const { id } = request.params as { id: string };
      if (!opts.source.press(id, key)) return reply.code(404).send({ error: `station ${id} is not a virtual module on this host` });
      return { ok: true };
    },
  });
  app.setNotFoundHandler((request, reply) => {
    const { pathname } = requestUrl(request);
    const allowed = methodFor(pathname);
    if (allowed) return reply.code(405).header('allow', allowed).send({ error: `${request.method} ${pathname} is not allowed; use ${allowed}` });
    return reply.code(404).send({ error: `no such page: ${request.method} ${pathname}` });
  });
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    // The push timer would keep the process alive after the caller reports the error.
    clearInterval(flusher);
    streams.close();
    await app.close();
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  access.port = port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/` + (opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''),
    port,
    async close() {
      clearInterval(flusher);
      streams.close();
      await app.close();
    },
  };
}

function requestUrl(request: FastifyRequest): URL {
  return new URL(request.url, 'http://dashboard');
}

/**
 * Every request: only to this dashboard's names (421), and with the token
 * where one is required (401); a first visit's ?token= is traded for a
 * cookie and leaves the address bar.
 */
async function guard(request: FastifyRequest, reply: FastifyReply, access: Access): Promise<FastifyReply | void> {
  if (!hostAllowed(request.headers.host, access)) {
    return reply.code(421).send({ error: `this dashboard does not answer to the name "${request.headers.host ?? ''}"`, fix: 'open it by the address `deskphone up` printed' });
  }
  if (!access.token) return;
  const url = requestUrl(request);
  const given = requestToken(request, url);
  if (!access.token(given.token)) {
    return reply.code(401).send({ error: 'missing or wrong token', fix: 'open the URL that `deskphone up` printed (it carries ?token=…)' });
  }
  if (given.fromUrl && request.method === 'GET' && url.pathname === '/') {
    // The token leaves the address bar (and history, and what is shared by copy and paste) for a cookie.
    url.searchParams.delete('token');
    reply.setCookie(TOKEN_COOKIE, given.token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: TOKEN_COOKIE_MAX_AGE_S });
    return reply.header('cache-control', 'no-store').redirect(url.pathname + url.search, 303);
  }
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
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host}`) return false;
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The token from an API client's Authorization header, the page's cookie, or a first visit's URL. */
function requestToken(request: FastifyRequest, url: URL): { token: string; fromUrl: boolean } {
  const auth = request.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) return { token: auth.slice(7), fromUrl: false };
  const cookie = request.cookies[TOKEN_COOKIE];
  if (cookie !== undefined) return { token: cookie, fromUrl: false };
  return { token: url.searchParams.get('token') ?? '', fromUrl: true };
}
