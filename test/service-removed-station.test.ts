import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { downTopic } from '../protocol/topics.ts';
import { openDb } from '../provisioner/db.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { createStationService, UnknownStationError } from '../provisioner/service/service.ts';
import { startBroker, tempDir } from './service-harness.ts';

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
