// The same conversation through three networks: bytes as they come, every
// byte in its own TCP segment, and everything glued into few big chunks
// (CONNACK and the retained snapshot in one read). The station must see
// exactly the same messages in every case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { encode } from '../protocol/device/codec.ts';
import { LookupRequest } from '../protocol/device/tables.generated.ts';
import { HOST_PRESENCE, downTopic, upTopic } from '../protocol/topics.ts';
import { createLink } from '../firmware/src/net/link.ts';
import { hostClient, recorder, startBroker, stationConfig, testIo, until, type TestBroker } from './helpers/link-io.ts';
import { startProxy, type ProxyMode } from './helpers/tcp-proxy.ts';

const ID = 'desk-shape';
// Every byte value, as a snapshot payload would carry in its varints and strings.
const SNAP = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 255));
let broker: TestBroker;
let host: Awaited<ReturnType<typeof hostClient>>;

beforeAll(async () => {
  broker = await startBroker('embedded', [ID]);
  host = await hostClient(broker, upTopic(ID, 'lookup'), 'shapes');
  await host.client.publishAsync(downTopic(ID, 'snap'), SNAP, { qos: 1, retain: true });
  await host.client.publishAsync(HOST_PRESENCE, Buffer.from([8, 1]), { qos: 1, retain: true });
});

afterAll(async () => {
  await host.end();
  await broker.close();
});

async function conversation(mode: ProxyMode) {
  const proxy = await startProxy({ port: broker.port }, mode);
  const rec = recorder();
  const link = createLink(stationConfig(broker, ID, proxy.port), linux, rec.handlers, testIo());
  try {
    await until(() => rec.msgs.length === 2, 'retained snapshot and host presence');
    const before = host.got.length;
    link.send('lookup', encode(LookupRequest, { corr: mode, account: '400012345678', source: 1 }), false);
    await until(() => host.got.length === before + 1, 'lookup at the host');
    await host.client.publishAsync(downTopic(ID, 'lookup'), Buffer.from('result for ' + mode + ' \u00e4', 'latin1'), { qos: 1 });
    await until(() => rec.msgs.length === 3, 'lookup result at the station');
    await until(() => link.stats().queued === 0, 'every publish acknowledged');
    const msgs = rec.msgs.map((m) => ({ kind: m.kind, hex: Buffer.from(m.data.replace(mode, '<mode>'), 'latin1').toString('hex') }));
    return { msgs: msgs.sort((a, b) => a.kind.localeCompare(b.kind)), states: rec.states, stats: link.stats(), proxy };
  } finally {
    link.stop();
    await proxy.close();
  }
}

describe('station link through reshaping networks', () => {
  it('sees the same messages whether bytes come split, merged or as they are', async () => {
    const plain = await conversation('pass');
    expect(plain.msgs.map((m) => m.kind)).toEqual(['host', 'lookup', 'snap']);
    expect(plain.msgs[2].hex).toBe(SNAP.toString('hex'));
    const split = await conversation('split');
    const merged = await conversation('merge');
    expect(split.msgs).toEqual(plain.msgs);
    expect(merged.msgs).toEqual(plain.msgs);
    // The reshaping really happened: glued reads in merge mode, one segment per byte in split mode.
    expect(merged.proxy.mergedReads).toBeGreaterThan(0);
    for (const run of [plain, split, merged]) {
      expect(run.states).toEqual(['broker ', 'online ']);
      expect(run.stats).toMatchObject({ errors: 0, duplicates: 0, connects: 1 });
    }
  });
});
