// A desk whose cable is pulled: the broker publishes its last will (retained,
// offline, with the session it was born in); the desk comes back with a new
// session and a new birth. The cut is a TCP proxy destroying the connection.
import { afterEach, describe, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { decode } from '../protocol/device/codec.ts';
import { Presence } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink, Limits } from '../firmware/src/net/link.ts';
import { requires } from './helpers/requires.ts';
import { hostClient, recorder, startBroker, stationConfig, testIo, until, type BrokerKind } from './helpers/link-io.ts';
import { startProxy } from './helpers/tcp-proxy.ts';

const ID = 'desk-will';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe.each<BrokerKind>(['embedded', 'mosquitto'])('last will on %s', (kind) => {
  if (kind === 'mosquitto') requires('mosquitto');
  it('is seen by a subscriber when the socket is cut, then a new birth follows', async () => {
    const broker = await startBroker(kind, [ID]);
    cleanups.push(() => broker.close());
    const proxy = await startProxy({ port: broker.port });
    cleanups.push(() => proxy.close());
    const host = await hostClient(broker, upTopic(ID, 'presence'), 'will');
    cleanups.push(host.end);

    const rec = recorder();
    const link = createLink(stationConfig(broker, ID, proxy.port), linux, rec.handlers, testIo());
    cleanups.push(() => link.stop());
    const presences = () => host.got.map((m) => decode(Presence, m.payload) as PresenceValue);
    await until(() => presences().length === 1, 'birth');
    const born = presences()[0];
    // Boot 1 (first boot on an empty Storage), first connection.
    expect(born).toMatchObject({ online: true, session: Limits.SESSIONS + 1 });

    proxy.cut();
    await until(() => presences().length === 3, 'last will, then the next birth');
    const [, will, reborn] = presences();
    expect(will).toEqual({ online: false, session: born.session, birth: null });
    expect(reborn).toMatchObject({ online: true, session: born.session + 1 });
    expect(rec.states).toContain('broker closed');
    expect(link.stats().connects).toBe(2);
  });
});

type PresenceValue = { online: boolean; session: number; birth: unknown };
