// Finding 6 of issue 11: on the 2v29 ESP32 build Wifi.connect calls back only
// when an address arrives, never with an error, and the driver does not try
// again by itself. The simulator's Wifi does the same; the firmware gives each
// connect its own timeout, retries with the link's backoff, drops the link on
// the disconnect event, and reads the signal from getStatus(). A desk that
// boots with its access point away comes online once the access point is
// back, and again after losing it while online.
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { decodeMessage } from '../protocol/host-codec.ts';
import { parseStationTopic } from '../protocol/topics.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

const ID = 'desk-wifi';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Simulated time in steps, letting real sockets work in between, until pred holds; returns the simulated ms it took. */
async function until(sim: Simulator, pred: () => boolean, what: string, maxMs: number): Promise<number> {
  for (let t = 0; t <= maxMs; t += 250) {
    if (pred()) return t;
    await sim.advance(250);
    await sleep(3);
  }
  throw new Error(`no ${what} within ${maxMs / 1000} s of simulated time; screen: ${sim.screen().join(' / ')}`);
}

describe("the ESP32 build's Wifi in the simulator", () => {
  it('calls back only with an address, reports a missing access point as an event, never retries', async () => {
    const sim = new Simulator({ board: 'esp32-ssd1306' }).boot();
    cleanups.push(() => sim.close());
    sim.network.down();
    sim.eval('var W = require("Wifi"), calls = [], events = []; W.on("disconnected", function (e) { events.push(e.msg); }); W.connect("hotline", { password: "x" }, function (err) { calls.push(err); });');
    await sim.advance(10_000);
    expect(sim.eval('JSON.stringify([calls, events, W.getStatus().station, W.getDetails().status])')).toBe('[[],["NO_AP_FOUND"],"NO_AP_FOUND","NO_AP_FOUND"]');
    sim.network.up();
    await sim.advance(60_000);
    expect(sim.eval('W.getStatus().station + " " + W.getIP().ip')).toBe('NO_AP_FOUND 0.0.0.0');
    sim.eval('W.connect("hotline", { password: "x" }, function (err) { calls.push(err); })');
    await sim.advance(2_000);
    expect(sim.eval('JSON.stringify([calls, W.getStatus().station, W.getStatus().rssi, W.getDetails().rssi])')).toBe('[[null],"connected",-58,null]');
  });
});

describe('the firmware on ESP32 WiFi', () => {
  async function desk(): Promise<{ sim: Simulator; fx: BrokerFixture; births: { rssi: number }[] }> {
    const fx = await brokerWithStations([ID]);
    cleanups.push(() => fx.close());
    const births: { rssi: number }[] = [];
    fx.broker.aedes.on('publish', (packet: any) => {
      const t = parseStationTopic(packet.topic);
      if (!t || t.kind !== 'presence' || !packet.payload?.length) return;
      const p = decodeMessage('Presence', new Uint8Array(packet.payload)) as { online: boolean; birth?: { rssi: number } };
      if (p.online && p.birth) births.push(p.birth);
    });
    const config = { v: 1, id: ID, board: 'esp32-ssd1306', host: '127.0.0.1', port: fx.broker.tcpPort, pass: fx.secrets[ID], lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'wlan-pass' } };
    const sim = new Simulator({ board: 'esp32-ssd1306', config, clock: 'manual' });
    cleanups.push(() => sim.close());
    return { sim, fx, births };
  }

  const online = (sim: Simulator) => () => (sim.state() as { up: boolean }).up === true;

  it('boots with the access point away, comes online when it is back, with the signal in the birth', async () => {
    const { sim, births } = await desk();
    sim.network.down();
    sim.boot();
    // The connecting screen names the step, and between tries the driver's reason.
    const seen = new Set<string>();
    for (let t = 0; t < 30_000; t += 1000) {
      await sim.advance(1000);
      sim.screen().slice(2, -1).forEach((line) => seen.add(line));
    }
    expect([...seen]).toEqual(['Kein Netzwerk', 'NO_AP_FOUND']);
    await sim.advance(5 * 60_000);
    const tries = sim.network.wifiConnects;
    expect(tries).toBeGreaterThan(3);
    sim.network.up();
    // One connect timeout (20 s) plus the longest backoff (30 s) at most.
    const took = await until(sim, online(sim), 'connection after the access point came back', 60_000);
    expect(took).toBeLessThanOrEqual(50_000);
    await until(sim, () => births.length > 0, 'birth at the broker', 5_000);
    expect(births[0].rssi).toBe(-58);
    expect(sim.errors).toEqual([]);
  });

  it('loses the access point while online and reconnects once it is back', async () => {
    const { sim } = await desk();
    sim.boot();
    await until(sim, online(sim), 'first connection', 10_000);
    sim.network.down();
    await until(sim, () => !online(sim)(), 'the desk to notice', 10_000);
    await sim.advance(2 * 60_000);
    sim.network.up();
    await until(sim, online(sim), 'reconnection', 60_000);
    expect(sim.errors).toEqual([]);
  });
});
