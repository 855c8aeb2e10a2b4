import { describe, expect, it } from 'vitest';
import { Phase } from '../protocol/host-codec.ts';
import { openDb } from '../provisioner/db.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { createStationService, type StationInfo, type StationService } from '../provisioner/service/service.ts';
import { FakeDevice, startBroker, tempDir } from './helpers/service-harness.ts';

/** A running service that knows wv-01; `scenario` gets it, the list it reads the registry from, and a fake device for `station`. */
async function withLateStation(station: string, scenario: (service: StationService, registered: StationInfo[], device: FakeDevice) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const broker = await startBroker();
  const db = openDb(tmp.dir);
  const registered = [{ id: 'wv-01', areas: [] }];
  const service = createStationService({ mqttUrl: broker.url, db, stations: () => registered, clock: new ManualClock(Date.UTC(2026, 10, 27, 13, 0)) });
  await service.start();
  const device = await FakeDevice.connect(broker.url, station, ['snap']);
  try {
    await scenario(service, registered, device);
  } finally {
    await device.close();
    await service.stop();
    db.close();
    await broker.close();
    tmp.remove();
  }
}

describe('a desk registered while the host runs', () => {
  it('gets its first snapshot when it comes online', () =>
    withLateStation('wv-02', async (_service, registered, device) => {
      registered.push({ id: 'wv-02', areas: [] });
      await device.publish('presence', { online: true, session: 1 });
      expect(await device.until('snap')).toMatchObject({ station: 'wv-02', phase: Phase.SIGNED_OUT, seq: 1 });
    }));

  it('gets its first snapshot, signed out, as soon as the registry has it', () =>
    withLateStation('wv-03', async (service, registered, watcher) => {
      registered.push({ id: 'wv-03', areas: [] });
      service.stationsChanged();
      // Retained: the dashboard's mirror and the desk's first connect find it without the desk ever having been online.
      expect(await watcher.until('snap')).toMatchObject({ station: 'wv-03', phase: Phase.SIGNED_OUT, seq: 1 });
    }));
});
