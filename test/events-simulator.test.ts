import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase } from '../protocol/host-codec.ts';
import { openDb, type Db } from '../provisioner/db.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { createStationService, type Snapshot, type StationService } from '../provisioner/service/service.ts';
import { CallSimulator } from '../provisioner/service/sources/simulator.ts';
import { startBroker, tempDir, type TestBroker } from './service-harness.ts';

describe('simulated traffic through the real service', () => {
  const tmp = tempDir();
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 7, 0));
  const stations = Array.from({ length: 12 }, (_, i) => ({ id: `st-${i}`, areas: [] }));
  let broker: TestBroker;
  let db: Db;
  let service: StationService;

  beforeAll(async () => {
    broker = await startBroker();
    db = openDb(tmp.dir);
    service = createStationService({ mqttUrl: broker.url, db, stations: () => stations, clock, wrapUpSeconds: 300 });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    db?.close();
    await broker?.close();
    tmp.remove();
  });

  it('drives two simulated hours of calls with no event the service refuses, billing and meters most common', async () => {
    const offered: number[] = [];
    const wrapUps = new Set<string>();
    service.on('snapshot', (s: Snapshot) => {
      if (s.phase === Phase.RINGING) offered.push((s.call as { menu: number }).menu);
      if (s.phase === Phase.WRAP_UP) wrapUps.add(s.station);
    });
    const sim = new CallSimulator({ stations: stations.map((s) => s.id), callsPerMinute: 2, seed: 42, clock, wrapUpSeconds: 300 });
    await sim.start((raw) => service.ingest(raw));
    for (let s = 0; s < 2 * 3600; s++) clock.advance(1000);
    await sim.stop();

    expect(sim.stats.rejected).toBe(0);
    expect(sim.stats.calls).toBeGreaterThan(150);
    expect(offered.length).toBe(sim.stats.calls);
    const share = (menus: number[]) => offered.filter((m) => menus.includes(m)).length / offered.length;
    expect(share([2, 3])).toBeGreaterThan(0.5);
    expect(share([5])).toBeLessThan(0.15);
    expect(wrapUps.size).toBe(stations.length);
    expect(new Set(stations.map((s) => service.state(s.id)?.phase)).has(Phase.SIGNED_OUT)).toBe(false);
  });
});
