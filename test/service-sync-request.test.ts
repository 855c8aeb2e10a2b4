import { describe, expect, it } from 'vitest';
import { Phase } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import mqtt from 'mqtt';
import { useServiceRig } from './helpers/service-harness.ts';

describe('a device that lost track asks for its snapshot again', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 13, 0));
  const rig = useServiceRig({ stations: [{ id: 'km-04', areas: [] }], service: { clock }, device: { station: 'km-04', kinds: ['snap'] } });

  it('republishes the same state with the next sequence number and the current host time, after ignoring garbage', async () => {
    rig.service.ingest({ type: 'sign_in', station: 'km-04', agent: 'a4' });
    const available = await rig.device.until('snap', (m) => m.phase === Phase.AVAILABLE);

    // Bytes that are no SyncRequest: dropped with a log line, the service carries on.
    const raw = await mqtt.connectAsync(rig.broker.url, { clientId: 'garbage' });
    await raw.publishAsync(upTopic('km-04', 'sync'), Buffer.from([0x08, 0xff, 0xff]), { qos: 1 });
    await raw.endAsync();

    clock.advance(42_000);
    await rig.device.publish('sync', { haveSeq: 0 });
    const again = await rig.device.until('snap', (m) => (m.seq as number) > (available.seq as number));
    expect(again).toMatchObject({ phase: Phase.AVAILABLE, reason: available.reason, phaseSinceMs: available.phaseSinceMs, seq: (available.seq as number) + 1 });
    expect(again.hostTimeMs).toBe((available.hostTimeMs as number) + 42_000);
  });
});
