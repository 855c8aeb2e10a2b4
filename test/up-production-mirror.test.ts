// `deskphone up` without --demo: nothing simulated runs; a registered hardware
// station gets a card with a mirrored display (the firmware for its board shown
// the station's snapshots) while a dashboard page shows it, its keys cannot be pressed from the page, and a
// dashboard listening beyond loopback wants its token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUpArgs } from '../provisioner/commands/up.ts';
import type { StationCard } from '../provisioner/dashboard/card.ts';
import type { HardwareMirror } from '../provisioner/dashboard/mirror.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { startUp, type UpHandle } from '../provisioner/up/index.ts';
import { encodeMessage } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import { until } from './helpers/up-fixture.ts';

const home = mkdtempSync(join(tmpdir(), 'deskphone-up-prod-'));
let up: UpHandle;
let secret: string;

beforeAll(async () => {
  const registry = openRegistry(home);
  secret = (await registry.addStation({ id: 'hw-07', name: 'Desk 7', areas: ['KM'], board: 'pixljs-w5100' })).secret;
  registry.close();
  const output = { out: () => {}, err: () => {}, tty: false };
  up = await startUp(parseUpArgs(['--http', '0.0.0.0:0', '--listen', '127.0.0.1:0']), { output, env: { DESKPHONE_HOME: home }, stopSignal: new Promise(() => {}) });
});

afterAll(async () => {
  await up?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('up without --demo', () => {
  it('simulates nothing, mirrors the hardware desk, and guards the dashboard with a token', async () => {
    expect(up.desks.size).toBe(0);
    expect(up.calls).toBeNull();
    const url = new URL(up.dashboardUrl);
    const token = url.searchParams.get('token');
    expect(token).toBeTruthy();
    const api = (path: string) => `http://127.0.0.1:${url.port}${path}?token=${token}`;
    expect((await fetch(`http://127.0.0.1:${url.port}/api/stations`)).status).toBe(401);
    // A mirror runs only while a dashboard shows its card: none before a page is open.
    expect(up.screens.get('hw-07')).toBeUndefined();
    const page = new AbortController();
    await fetch(api('/api/events'), { signal: page.signal });

    // The "hardware" desk: a plain MQTT client with the station's credentials announcing its birth.
    const desk = await mqtt.connectAsync(up.brokerUrl, { clientId: 'hw-07', username: 'hw-07', password: secret });
    await desk.publishAsync(upTopic('hw-07', 'presence'), Buffer.from(encodeMessage('Presence', { online: true, session: 1, birth: { firmware: '9.9.9', board: 'pixljs-w5100', session: 1 } })), { qos: 1, retain: true });
    const cardWhen = (phase: string, what: string, differentFrom?: string) =>
      until(async () => {
        const cards = (await (await fetch(api('/api/stations'))).json()) as StationCard[];
        const c = cards.find((x) => x.id === 'hw-07');
        return c?.phase === phase && c.online && c.frame && c.frame.bits !== differentFrom && c;
      }, what);
    up.service.ingest({ type: 'sign_in', station: 'hw-07', agent: 'Erika' });
    const available = await cardWhen('AVAILABLE', 'the hardware card available with a frame');
    up.service.ingest({ type: 'offered', station: 'hw-07', callId: 'c-1', menu: 2 });
    // The mirror redraws from the new snapshot: another picture.
    const card = await cardWhen('RINGING', 'the hardware card ringing with a new frame', available.frame!.bits);
    expect(card).toMatchObject({ virtual: false, menu: 2, area: 'KM', firmware: '9.9.9', frame: { w: 128, h: 64 } });
    // The mirror draws a ringing screen: far more ink than a blank display.
    const ink = [...Buffer.from(card.frame!.bits, 'base64')].reduce((n, byte) => n + byte.toString(2).replaceAll('0', '').length, 0);
    expect(ink).toBeGreaterThan(300);

    const press = await fetch(api('/api/stations/hw-07/press'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"ready"}' });
    expect(press.status).toBe(404);
    await desk.endAsync();

    // A station added from another shell while up runs gets its card and mirror,
    // showing what the host knows: signed out, never online (not the mirror's own link).
    const registry = openRegistry(home);
    await registry.addStation({ id: 'hw-08', areas: ['WV'], board: 'linux' });
    registry.close();
    await until(async () => {
      const cards = (await (await fetch(api('/api/stations'))).json()) as StationCard[];
      const c = cards.find((x) => x.id === 'hw-08');
      return c?.phase === 'SIGNED_OUT' && !c.online && c.frame;
    }, 'a mirrored frame for the new station');
    const mirror = up.screens.get('hw-08') as HardwareMirror;
    await until(() => mirror.sim.network.state().bytesIn > 0, "the mirror's link to its stub connected");
    const offline = 'Abgemeldet [OFFLINE]/Station hw-08/Niemand angemeldet';
    await until(() => mirror.sim.screen().join('/') === offline, 'the signed-out, offline screen');
    // The mirror's own link drops and connects again: still nothing the host does not know.
    const before = mirror.sim.network.state().bytesIn;
    mirror.sim.network.down();
    mirror.sim.network.up();
    await until(() => mirror.sim.network.state().bytesIn > before, "the mirror's link to its stub back");
    await until(() => mirror.sim.screen().join('/') === offline, 'the signed-out, offline screen again');
    // Nobody looks any more: the mirrors stop.
    page.abort();
    await until(() => up.screens.get('hw-07') === undefined && up.screens.get('hw-08') === undefined, 'the mirrors closed');
  });
});
