import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { downTopic } from '../protocol/topics.ts';
import { openDb } from '../provisioner/db.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { createStationService, UnknownStationError } from '../provisioner/service/service.ts';
import { FakeDevice, startBroker, tempDir } from './helpers/service-harness.ts';
import { Phase } from '../protocol/host-codec.ts';

describe('a station removed from the registry while the host was down', () => {
  it('is refused after the restart and its retained snapshot is cleared', async () => {
    const tmp = tempDir();
    const broker = await startBroker();
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 14, 0));
    let registered = [{ id: 'wv-01', areas: [] }, { id: 'wv-02', areas: [] }];
    const watcher = await mqtt.connectAsync(broker.url, { clientId: 'watcher' });
    const payloads: number[] = [];
    let arrived = () => {};
    watcher.on('message', (_topic, payload) => {
      payloads.push(payload.length);
      arrived();
    });
    const next = () => new Promise<number>((resolve) => (arrived = () => resolve(payloads[payloads.length - 1])));
    try {
      const firstDb = openDb(tmp.dir);
      const first = createStationService({ mqttUrl: broker.url, db: firstDb, stations: () => registered, clock });
      await first.start();
      first.ingest({ type: 'sign_in', station: 'wv-02', agent: 'x' });
      await first.stop();
      firstDb.close();

      const retained = next();
      await watcher.subscribeAsync(downTopic('wv-02', 'snap'), { qos: 1 });
      expect(await retained).toBeGreaterThan(0);

      registered = [{ id: 'wv-01', areas: [] }];
      const db = openDb(tmp.dir);
      const second = createStationService({ mqttUrl: broker.url, db, stations: () => registered, clock });
      const cleared = next();
      await second.start();
      try {
        // A zero-length retained publish is how MQTT deletes a retained message (MQTT-3.3.1-10).
        expect(await cleared).toBe(0);
        expect(() => second.ingest({ type: 'sign_out', station: 'wv-02' })).toThrow(UnknownStationError);
      } finally {
        await second.stop();
        db.close();
      }
    } finally {
      await watcher.endAsync();
      await broker.close();
      tmp.remove();
    }
  });

});

describe('a station removed from the registry while the host runs', () => {
  it('loses its retained snapshot and its wrap-up clock, and its last packets are dropped without a warning', async () => {
    const tmp = tempDir();
    const broker = await startBroker();
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 15, 0));
    let registered = [{ id: 'wv-01', areas: [] }, { id: 'wv-02', areas: [] }];
    const warnings: string[] = [];
    const db = openDb(tmp.dir);
    const service = createStationService({
      mqttUrl: broker.url, db, stations: () => registered, clock, wrapUpSeconds: 60,
      logger: { info() {}, error() {}, warn: (_obj, msg) => warnings.push(msg) },
    });
    await service.start();
    const desk = await FakeDevice.connect(broker.url, 'wv-02', ['snap']);
    try {
      service.ingest({ type: 'sign_in', station: 'wv-02', agent: 'x' });
      service.ingest({ type: 'offered', station: 'wv-02', callId: 'c1', menu: 1 });
      service.ingest({ type: 'answered', station: 'wv-02', callId: 'c1' });
      service.ingest({ type: 'hangup', station: 'wv-02', callId: 'c1', by: 'caller' });
      await desk.until('snap', (m) => m.phase === Phase.WRAP_UP, 'wrap-up');

      registered = [{ id: 'wv-01', areas: [] }];
      service.stationsChanged();
      // A zero-length retained publish deletes the retained snapshot (MQTT-3.3.1-10); FakeDevice decodes it as an empty Snapshot.
      await desk.until('snap', (m) => !m.station, 'the retained snapshot cleared');
      expect(service.state('wv-02')).toBeUndefined();
      clock.advance(120_000);
      await desk.publish('sync', { haveSeq: 5 });
      await desk.publish('presence', { online: false, session: 1 });
      // The same connection then asks for wv-01's snapshot: once that is out, wv-02's packets were handled.
      const answered = new Promise<void>((resolve) => service.on('snapshot', (snap) => snap.station === 'wv-01' && resolve()));
      await desk.publish('sync', { haveSeq: 0 }, 'wv-01');
      await answered;
      // Nothing came back for the removed desk: neither its wrap-up expiring nor an answer to its resync.
      expect(desk.received.filter((r) => r.kind === 'snap').map((r) => r.msg.phase ?? 0).slice(-2)).toEqual([Phase.WRAP_UP, 0]);
      expect(warnings).toEqual([]);
    } finally {
      await desk.close();
      await service.stop();
      db.close();
      await broker.close();
      tmp.remove();
    }
  });
});
