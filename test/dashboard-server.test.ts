import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDashboard, type DashboardHandle } from '../provisioner/dashboard/server.ts';
import type { CardSource, StationCard } from '../provisioner/dashboard/card.ts';
import { fixedPages } from './helpers/card-source.ts';

function card(id: string, virtual: boolean): StationCard {
  return {
    id, name: id, areas: ['WV'], board: 'linux', phase: 'AVAILABLE', menu: 0, area: '', wrapUpDeadlineMs: 0,
    phaseSinceMs: 0, hostTimeMs: 0, reason: '', seq: 1, online: true, firmware: '0.1.0', virtual, lang: 'de', keypad: true,
  };
}

/**
 * Stations (the first virtual) in id order; records presses so the test sees
 * what reached the module, and which stations a stream keeps drawn.
 */
function source(ids = ['hw-01', 'wv-01']): CardSource & { pressed: string[]; watched: Map<string, number> } {
  const cards = ids.map((id) => card(id, id === 'wv-01'));
  const pressed: string[] = [];
  const watched = new Map<string, number>();
  return {
    pressed,
    watched,
    cards: () => cards,
    ...fixedPages(() => cards),
    watch: (shown) => {
      for (const id of shown) watched.set(id, (watched.get(id) ?? 0) + 1);
      return () => shown.forEach((id) => watched.set(id, watched.get(id)! - 1));
    },
    subscribe: () => () => {},
    press: (id, key) => {
      if (id !== 'wv-01') return false;
      pressed.push(`${id}:${key}`);
      return true;
    },
  };
}

let dashboard: DashboardHandle | undefined;
afterEach(async () => {
  await dashboard?.close();
  dashboard = undefined;
});

describe('dashboard HTTP API', () => {
  it('serves the page and the stations, and forwards key presses to virtual modules only', async () => {
    const src = source();
    dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: src });
    const base = `http://127.0.0.1:${dashboard.port}`;
    expect(await (await fetch(base + '/')).text()).toContain('<main id="cards"');
    expect((await (await fetch(base + '/api/stations')).json()).map((c: StationCard) => c.id)).toEqual(['hw-01', 'wv-01']);

    const post = (id: string, body: string) => fetch(`${base}/api/stations/${id}/press`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('wv-01', '{"key":"ready"}')).status).toBe(200);
    expect((await post('hw-01', '{"key":"ready"}')).status).toBe(404);
    expect((await post('wv-01', '{"key":"rm -rf"}')).status).toBe(400);
    expect((await post('wv-01', 'not json')).status).toBe(400);
    // A number where a key name belongs: the answer says what is wrong, not that 5 is unknown.
    const number = await post('wv-01', '{"key":5}');
    expect(number.status).toBe(400);
    expect(((await number.json()) as { error: string }).error).toMatch(/^"key" must be a string, like \{"key":"5"\}/);
    // The press URL exists: another method is a 405 naming the one it takes.
    const get = await fetch(`${base}/api/stations/wv-01/press`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await fetch(`${base}/api/stations`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${base}/api/nothing`)).status).toBe(404);
    expect(src.pressed).toEqual(['wv-01:ready']);
  });

  it('requires the token on every request when one is set', async () => {
    dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: source(), token: 's3cret-token' });
    const base = `http://127.0.0.1:${dashboard.port}`;
    expect((await fetch(base + '/api/stations')).status).toBe(401);
    expect((await fetch(base + '/api/stations?token=wrong')).status).toBe(401);
    expect((await fetch(base + '/api/stations?token=s3cret-token')).status).toBe(200);
    expect((await fetch(base + '/api/stations', { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    expect(dashboard.url).toContain('token=s3cret-token');
  });

  it('streams one page of cards with the counts of all, and keeps drawn only the stations a stream shows', async () => {
    const src = source(['d-1', 'd-2', 'd-3', 'd-4', 'd-5']);
    dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: src });
    const base = `http://127.0.0.1:${dashboard.port}`;
    const abort = new AbortController();
    const res = await fetch(`${base}/api/events?page=1&size=2`, { signal: abort.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    const view = JSON.parse(/^event: page\ndata: (.*)$/m.exec(text)![1]);
    expect(view).toMatchObject({ page: 1, pages: 3, total: 5, counts: { phases: { AVAILABLE: 5 } } });
    expect(view.cards.map((c: StationCard) => c.id)).toEqual(['d-3', 'd-4']);
    expect([...src.watched].filter(([, n]) => n > 0).map(([id]) => id)).toEqual(['d-3', 'd-4']);
    // the same page as JSON; a page past the end is the last one
    expect(((await (await fetch(`${base}/api/stations?page=9&size=2`)).json()) as { page: number; cards: StationCard[] }).cards.map((c) => c.id)).toEqual(['d-5']);
    abort.abort();
    await vi.waitFor(() => expect([...src.watched.values()].every((n) => n === 0)).toBe(true));
  });
});
