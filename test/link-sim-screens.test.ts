// The flashed linux bundle in the simulator: a wrong secret is shown as such
// on the connecting screen, and the same call comes out as the same screens
// whether the network delivers bytes as they are, one per segment, or glued
// into a few big chunks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { encode } from '../protocol/device/codec.ts';
import { Snapshot } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { hostClient, startBroker, stationConfig, until, type TestBroker } from './helpers/link-io.ts';
import { startProxy, type ProxyMode } from './helpers/tcp-proxy.ts';

const ID = 'desk-screens';
const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
let broker: TestBroker;
let host: Awaited<ReturnType<typeof hostClient>>;

beforeAll(async () => {
  broker = await startBroker('embedded', [ID]);
  host = await hostClient(broker, upTopic(ID, 'presence'), 'screens');
});
afterAll(async () => {
  await host.end();
  await broker.close();
});

async function settle(sim: Simulator, done: () => boolean, what: string) {
  await until(() => { void sim.advance(0); return done(); }, what, 15000);
}

describe('connecting screen', () => {
  it('says the credentials were refused', async () => {
    const sim = new Simulator({ board: 'linux', config: { ...stationConfig(broker, ID), pass: 'not-the-secret' }, clock: 'real' }).boot();
    try {
      await until(() => sim.screen().includes('Zugang abgelehnt'), 'the auth failure on screen', 15000);
      expect(sim.screen()).toContain('Station ' + ID);
      expect(sim.errors).toEqual([]);
    } finally {
      sim.close();
    }
  });
});

describe('screens through reshaping networks', () => {
  async function ringingScreens(mode: ProxyMode) {
    const proxy = await startProxy({ port: broker.port }, mode);
    const sim = new Simulator({ board: 'linux', config: stationConfig(broker, ID, proxy.port), clock: 'manual', startTime: T0 }).boot();
    try {
      await settle(sim, () => (sim.state() as { up: boolean }).up, 'online');
      const call = { callId: 'c-' + mode, menu: 4, area: 1, ivrAccount: '400012345678', offeredMs: T0 };
      await host.client.publishAsync(downTopic(ID, 'snap'), Buffer.from(encode(Snapshot, { station: ID, phase: 3, call, hostTimeMs: T0, seq: 1, areas: [1], phaseSinceMs: T0, agent: 'Anna' } as never)), { qos: 1, retain: true });
      await settle(sim, () => sim.screen().some((l) => l.includes('Hausanschl')), 'the ringing screen');
      expect(sim.errors).toEqual([]);
      return { screen: sim.ascii(), proxy };
    } finally {
      sim.close();
      await proxy.close();
    }
  }

  it('renders the same ringing screen pixel for pixel', async () => {
    const plain = await ringingScreens('pass');
    const split = await ringingScreens('split');
    const merged = await ringingScreens('merge');
    expect(split.screen).toBe(plain.screen);
    expect(merged.screen).toBe(plain.screen);
    expect(merged.proxy.mergedReads).toBeGreaterThan(0);
  });
});
