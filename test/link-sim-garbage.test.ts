// Garbage, truncated and oversized payloads on the station's own topics, to
// the flashed linux bundle in the simulator: the desk keeps showing the last
// good state, asks for a resync, and its next birth counts the errors.
import { afterEach, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { decode, encode } from '../protocol/device/codec.ts';
import { Presence, Snapshot, SyncRequest } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { maxPacket } from '../firmware/src/net/link.ts';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { hostClient, startBroker, stationConfig, until } from './helpers/link-io.ts';
import { startProxy } from './helpers/tcp-proxy.ts';

const ID = 'desk-garbage';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

it('shows the last good state, resyncs and reports the errors in the next birth', async () => {
  const broker = await startBroker('embedded', [ID]);
  cleanups.push(() => broker.close());
  const proxy = await startProxy({ port: broker.port });
  cleanups.push(() => proxy.close());
  const host = await hostClient(broker, upTopic(ID, '+' as 'action'), 'garbage');
  cleanups.push(host.end);
  const presence = await hostClient(broker, upTopic(ID, 'presence'), 'garbage-presence');
  cleanups.push(presence.end);
  const sim = new Simulator({ board: 'linux', config: stationConfig(broker, ID, proxy.port), clock: 'real' }).boot();
  cleanups.push(() => sim.close());
  await until(() => (sim.state() as { up: boolean }).up, 'online', 15000);

  const now = sim.eval('Date.now()') as number;
  const good = encode(Snapshot, { station: ID, phase: 2, seq: 5, hostTimeMs: now, phaseSinceMs: now, agent: 'Anna', areas: [1] } as never);
  await host.client.publishAsync(downTopic(ID, 'snap'), Buffer.from(good), { qos: 1, retain: true });
  await until(() => sim.screen().includes('Bereit'), 'the available screen');
  const goodScreen = sim.ascii();
  const syncs = () => host.got.filter((m) => m.topic === upTopic(ID, 'sync')).map((m) => decode(SyncRequest, m.payload) as { haveSeq: number });
  const before = syncs().length;

  const bad = [
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // overlong varint
    Buffer.from(good).subarray(0, good.length - 3), // truncated
    Buffer.alloc(maxPacket(linux) + 500, 0x0a), // larger than the Pixl.js-sized packet limit
  ];
  for (const payload of bad) await host.client.publishAsync(downTopic(ID, 'snap'), payload, { qos: 1 });
  await until(() => syncs().length >= before + 2, 'resync requests for the decodable-but-bad payloads');
  expect(syncs().slice(before).every((s) => s.haveSeq === 5)).toBe(true);
  expect(sim.ascii()).toBe(goodScreen);
  expect(sim.errors).toEqual([]);

  // The next birth (after a cut) reports them: two bad payloads plus one oversized packet.
  const births = () => presence.got.map((m) => decode(Presence, m.payload) as { online: boolean; birth: { errors: number } | null }).filter((p) => p.online);
  const seen = births().length;
  proxy.cut();
  await until(() => births().length > seen, 'the next birth', 15000);
  expect(births()[births().length - 1].birth!.errors).toBe(3);
  await until(() => sim.screen().includes('Bereit'), 'the available screen again');
});
