import { describe, expect, it } from 'vitest';
import { Area, Phase } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import type { Snapshot } from '../provisioner/service/service.ts';
import { CallSimulator } from '../provisioner/service/sources/simulator.ts';
import { useServiceRig } from './helpers/service-harness.ts';

describe('simulated traffic through the real service', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 7, 0));
  // A third serve only WV, a third only KM, the rest both.
  const stations = Array.from({ length: 12 }, (_, i) => ({ id: `st-${i}`, areas: [[Area.WV], [Area.KM], []][i % 3] }));
  const rig = useServiceRig({ stations, service: { clock, wrapUpSeconds: 300 } });

  it('drives two simulated hours of calls with no event the service refuses, billing and meters most common', async () => {
    const offered: number[] = [];
    const wrapUps = new Set<string>();
    rig.service.on('snapshot', (s: Snapshot) => {
      if (s.phase === Phase.RINGING) offered.push((s.call as { menu: number }).menu);
      if (s.phase === Phase.WRAP_UP) wrapUps.add(s.station);
    });
    const sim = new CallSimulator({ stations, callsPerMinute: 2, seed: 42, clock, wrapUpSeconds: 300 });
    await sim.start((raw) => rig.service.ingest(raw));
    for (let s = 0; s < 2 * 3600; s++) clock.advance(1000);
    await sim.stop();

    expect(sim.stats.rejected).toBe(0);
    expect(sim.stats.calls).toBeGreaterThan(150);
    expect(offered.length).toBe(sim.stats.calls);
    const share = (menus: number[]) => offered.filter((m) => menus.includes(m)).length / offered.length;
    expect(share([2, 3])).toBeGreaterThan(0.5);
    expect(share([5])).toBeLessThan(0.15);
    expect(wrapUps.size).toBe(stations.length);
    // Stopping ended the calls in progress: nobody is left ringing or talking.
    const phases = new Set(stations.map((s) => rig.service.state(s.id)?.phase));
    for (const stuck of [Phase.SIGNED_OUT, Phase.RINGING, Phase.TALKING]) expect(phases.has(stuck)).toBe(false);
  });
});
