// The dashboard against a hostile web page, in a real Chromium: a page on
// another origin cannot press keys (no cross-origin form or no-cors post
// reaches a module), a DNS name rebound to the dashboard's address reads and
// presses nothing (Host is checked), and beyond loopback the token leaves the
// address bar after the first visit for an HttpOnly, SameSite=Strict cookie.
// Plain HTTP requests check the same rules without a browser.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardSource, StationCard } from '../provisioner/dashboard/card.ts';
import { startDashboard, type DashboardHandle } from '../provisioner/dashboard/server.ts';
import { CHROMIUM } from './helpers/prerequisites.ts';
import { requires } from './helpers/requires.ts';

import { fixedPages } from './helpers/card-source.ts';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOKEN = 'dashboard-token-for-tests';

function card(id: string): StationCard {
  return { id, name: id, areas: ['WV'], board: 'linux', phase: 'AVAILABLE', menu: 0, area: '', wrapUpDeadlineMs: 0, phaseSinceMs: 0, hostTimeMs: 0, reason: '', seq: 1, online: true, firmware: '0.1.0', virtual: true, lang: 'de', keypad: true };
}

/** One virtual station that records the keys that reached it. */
function source(): CardSource & { pressed: string[] } {
  const pressed: string[] = [];
  const cards = () => [card('wv-01')];
  return { pressed, cards, ...fixedPages(cards), subscribe: () => () => {}, press: (id, key) => (pressed.push(key), true) };
}

/** Raw HTTP, so Host, Origin and content type are exactly what a test says. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard requests over plain HTTP', () => {
  let dashboard: DashboardHandle;
  const src = source();
  beforeAll(async () => {
    dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: src });
  });
  afterAll(() => dashboard?.close());

  it('answer only to this host’s names, and take a key press only as JSON from no or the same origin', async () => {
    const port = dashboard.port;
    const host = `127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    const press = (headers: Record<string, string>) => send(port, 'POST', '/api/stations/wv-01/press', headers, '{"key":"ready"}');

    for (const name of [host, `localhost:${port}`, `[::1]:${port}`]) expect((await send(port, 'GET', '/api/stations', { host: name })).status, name).toBe(200);
    for (const name of [`rebind.example:${port}`, `127.0.0.1.nip.example:${port}`, `127.0.0.1:${port + 1}`]) {
      expect((await send(port, 'GET', '/api/stations', { host: name })).status, name).toBe(421);
    }
    expect((await press({ host, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await press({ host, 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await press({ host, ...json, origin: 'http://evil.example' })).status).toBe(403);
    expect((await press({ host, ...json, origin: 'null' })).status).toBe(403);
    expect((await press({ host, ...json, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(src.pressed).toEqual([]);
    expect((await press({ host, 'content-type': 'application/json; charset=utf-8', origin: `http://${host}` })).status).toBe(200);
    expect((await press({ host, ...json })).status).toBe(200);
    expect(src.pressed).toEqual(['ready', 'ready']);
  });
});

describe('dashboard and a hostile page in Chromium', () => {
  const chromiumFound = requires('chromium');
  let browser: Browser;
  let dashboard: DashboardHandle;
  let evil: Server;
  let evilPort: number;
  const src = source();

  beforeAll(async () => {
    if (!chromiumFound) return;
    dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: src });
    const target = `http://127.0.0.1:${dashboard.port}/api/stations/wv-01/press`;
    // The attacker's site: a form posting text/plain that reads as JSON, and a no-cors fetch.
    evil = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      if (req.url === '/form') {
        res.end(`<form method="POST" action="${target}" enctype="text/plain"><input name='{"key":"ready","x":"' value='"}'></form><script>document.forms[0].submit()</script>`);
      } else {
        res.end(`<script>fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', body: '{"key":"ready"}' }).finally(() => document.title = 'sent')</script>`);
      }
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilPort = (evil.address() as AddressInfo).port;
    // rebind.example resolves to this machine, as an attacker's DNS name would after rebinding.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.example 127.0.0.1'] });
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await new Promise((resolve) => evil?.close(resolve));
  });

  it('lets no cross-origin form or fetch press a key', async () => {
    const page = await browser.newPage();
    const answer = page.waitForResponse((r) => r.url().includes('/press'));
    await page.goto(`http://127.0.0.1:${evilPort}/form`);
    expect((await answer).status()).not.toBe(200);
    await page.goto(`http://127.0.0.1:${evilPort}/fetch`);
    await page.waitForFunction(() => document.title === 'sent');
    expect(src.pressed).toEqual([]);
    await page.close();
  });

  it('gives a rebound DNS name neither the cards nor a key', async () => {
    const page = await browser.newPage();
    const base = `http://rebind.example:${dashboard.port}`;
    expect((await page.goto(`${base}/api/stations`))!.status()).toBe(421);
    const status = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"ready"}' })).status, `${base}/api/stations/wv-01/press`);
    expect(status).toBe(421);
    expect(src.pressed).toEqual([]);
    await page.close();
  });
});

describe('dashboard with a token in Chromium', () => {
  const chromiumFound = requires('chromium');
  let browser: Browser;
  let dashboard: DashboardHandle;
  const src = source();

  beforeAll(async () => {
    if (!chromiumFound) return;
    dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: src, token: TOKEN });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  it('moves the token from the URL into an HttpOnly, SameSite=Strict cookie, and the page works with it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.url}&lang=en`);
    expect(page.url()).toBe(`http://127.0.0.1:${dashboard.port}/?lang=en`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ value: TOKEN, httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await page.waitForSelector('[data-testid="card-wv-01"]');
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');
    await page.click('[data-testid="key-wv-01-ready"]');
    await expect.poll(() => src.pressed).toEqual(['ready']);

    // A fresh browser without the cookie gets nothing.
    const stranger = await browser.newPage();
    expect((await stranger.goto(`http://127.0.0.1:${dashboard.port}/api/stations`))!.status()).toBe(401);
    expect((await stranger.goto(`http://127.0.0.1:${dashboard.port}/api/stations?token=${TOKEN.slice(0, -1)}`))!.status()).toBe(401);
    await context.close();
  });
});
