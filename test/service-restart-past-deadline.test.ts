import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { openDb } from '../provisioner/db.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { createStationService } from '../provisioner/service/service.ts';
import { FakeDevice, startBroker, tempDir, type TestBroker } from './helpers/service-harness.ts';

type Snap = { phase: number; reason: number; seq: number; phaseSinceMs: number; wrapUpDeadlineMs: number; hostTimeMs: number };

// The host's timers die with it; what survives is the SQLite file. So the
// first host is stopped while its clock stands before the deadlines, and a
// second one opens the same file with its clock past them.
describe('host down past the deadlines', () => {
  const tmp = tempDir();
  const stations = () => [{ id: 'wv-01', areas: [] }, { id: 'km-02', areas: [] }];
  let broker: TestBroker;
  let wv: FakeDevice;
  let km: FakeDevice;

  beforeAll(async () => {
    broker = await startBroker();
    wv = await FakeDevice.connect(broker.url, 'wv-01', ['snap']);
    km = await FakeDevice.connect(broker.url, 'km-02', ['snap']);
  });

  afterAll(async () => {
    await wv?.close();
    await km?.close();
    await broker?.close();
    tmp.remove();
  });

  it('applies the expired wrap-up and ring timeout at start, dated at the deadlines', async () => {
    const t0 = Date.UTC(2026, 10, 27, 10, 0, 0);
    const firstDb = openDb(tmp.dir);
    const first = createStationService({ mqttUrl: broker.url, db: firstDb, stations, clock: new ManualClock(t0), ringTimeoutSeconds: 20 });
    await first.start();
    for (const station of ['wv-01', 'km-02']) first.ingest({ type: 'sign_in', station, agent: 'a-' + station });
    first.ingest({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 4 });
    first.ingest({ type: 'answered', station: 'wv-01', callId: 'c1' });
    first.ingest({ type: 'hangup', station: 'wv-01', callId: 'c1', by: 'agent' });
    first.ingest({ type: 'offered', station: 'km-02', callId: 'c2', menu: 2 });
    const wrapUp = await wv.until<Snap>('snap', (m) => m.phase === Phase.WRAP_UP, 'wrap-up');
    const ringing = await km.until<Snap>('snap', (m) => m.phase === Phase.RINGING, 'ringing');
    expect(wrapUp.wrapUpDeadlineMs).toBe(t0 + 300_000);
    await first.stop();
    firstDb.close();

    const db = openDb(tmp.dir);
    const second = createStationService({ mqttUrl: broker.url, db, stations, clock: new ManualClock(t0 + 3_600_000), ringTimeoutSeconds: 20 });
    await second.start();
    try {
      const restored = await wv.until<Snap>('snap', (m) => (m.seq as number) > wrapUp.seq, 'snapshot after restart');
      expect(restored).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.WRAP_UP_TIMER_EXPIRED, phaseSinceMs: t0 + 300_000, wrapUpDeadlineMs: 0 });
      expect(restored.hostTimeMs).toBe(t0 + 3_600_000);
      const rang = await km.until<Snap>('snap', (m) => (m.seq as number) > ringing.seq, 'snapshot after restart');
      expect(rang).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.RING_NO_ANSWER, phaseSinceMs: t0 + 20_000 });
    } finally {
      await second.stop();
      db.close();
    }
  });
});
