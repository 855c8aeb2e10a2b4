// A station connects with its credentials and announces itself: a retained
// birth a host sees even when it subscribes later; a wrong password shows as
// 'auth'. Against the embedded broker's engine (aedes) and Debian's mosquitto.
import { afterEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { decode } from '../protocol/device/codec.ts';
import { Presence } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink, Limits, type Link } from '../firmware/src/net/link.ts';
import { requires } from './helpers/requires.ts';
import { MemoryStorage, recorder, startBroker, testIo, until, type BrokerKind } from './helpers/link-io.ts';

const ID = 'desk-7';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe.each<BrokerKind>(['embedded', 'mosquitto'])('station link against %s', (kind) => {
  if (kind === 'mosquitto') requires('mosquitto');
  async function setup() {
    const broker = await startBroker(kind, [ID]);
    cleanups.push(() => broker.close());
    const cfg = { v: 3, id: ID, board: 'linux', host: '127.0.0.1', port: broker.port, pass: broker.secrets[ID], lang: 'de' as const, digits: 12 };
    return { broker, cfg };
  }

  it('connects with its credentials and publishes a retained birth', async () => {
    const { broker, cfg } = await setup();
    const rec = recorder({ firmware: '1.2.3', freeVars: 1500, totalVars: 2950, uptimeS: 4, resetCause: 'power', haveSeq: 41 });
    const storage = new MemoryStorage();
    const link: Link = createLink(cfg, linux, rec.handlers, testIo(storage));
    cleanups.push(() => link.stop());
    await until(() => rec.step === 'online', 'online');
    expect(rec.states).toEqual(['broker ', 'online ']);
    await until(() => link.stats().queued === 0, 'birth and resync acknowledged');

    // Subscribing afterwards: the birth is there because it is retained.
    const host = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...broker.host, clientId: broker.host.username + '-test', reconnectPeriod: 0 });
    cleanups.push(() => host.endAsync());
    const seen: { retain: boolean; payload: Buffer }[] = [];
    host.on('message', (_t, payload, packet) => seen.push({ retain: packet.retain, payload }));
    await host.subscribeAsync(upTopic(ID, 'presence'), { qos: 1 });
    await until(() => seen.length === 1, 'retained birth');
    expect(seen[0].retain).toBe(true);
    const presence = decode(Presence, seen[0].payload);
    expect(presence).toMatchObject({
      online: true,
      session: link.stats().session,
      birth: { firmware: '1.2.3', board: 'linux', configVersion: 3, freeVars: 1500, totalVars: 2950, uptimeS: 4, resetCause: 'power', errors: 0, rssi: 0 },
    });
    // Storage keeps the boot number (1, written once); the session is boot 1's first connect.
    expect(storage.readJSON('deskphone.ses')).toBe(1);
    expect(link.stats().session).toBe(1 * Limits.SESSIONS + 1);
  });

  it('reports a wrong password as auth and keeps retrying', async () => {
    const { cfg } = await setup();
    const rec = recorder();
    const link = createLink({ ...cfg, pass: 'wrong' }, linux, rec.handlers, testIo());
    cleanups.push(() => link.stop());
    await until(() => rec.states.filter((s) => s.startsWith('auth')).length >= 2, 'two auth failures');
    expect(rec.states[0]).toBe('broker ');
    expect(rec.states[1]).toMatch(/^auth rc [45]$/);
    expect(rec.states).not.toContain('online ');
    expect(link.stats().connects).toBe(0);
  });
});
