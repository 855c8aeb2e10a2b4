// Pixl.js desks on one Ethernet segment, as a site of many desks runs them:
// the real pixljs-w5100 bundle in the simulator, Espruino's WIZnet driver as
// the pixljs_wiznet build has it (hardware/sim/wiznet.ts: one default MAC for
// every unit, DHCP that holds the interpreter ~30 s when nobody answers and
// never renews, no cable detection) on a LAN with a DHCP server
// (hardware/sim/lan.ts), and a real broker.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SimLan } from '../hardware/sim/lan.ts';
import { WIZNET_DEFAULT_MAC } from '../hardware/sim/wiznet.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

const IDS = ['eth-01', 'eth-02'];
let fx: BrokerFixture;
const sims: Simulator[] = [];

beforeAll(async () => {
  fx = await brokerWithStations(IDS);
});
afterEach(() => sims.splice(0).forEach((s) => s.close()));
afterAll(() => fx?.close());

function desk(id: string, lan: SimLan, net: object = {}, options: { bleAddress?: string; cable?: boolean } = {}): Simulator {
  const config = { v: 1, id, board: 'pixljs-w5100', host: '127.0.0.1', port: fx.broker.tcpPort, pass: fx.secrets[id], lang: 'de', digits: 12, net };
  const sim = new Simulator({ board: 'pixljs-w5100', config, clock: 'manual', lan, bleAddress: options.bleAddress });
  if (options.cable === false) sim.network.down();
  sims.push(sim.boot());
  return sim;
}

/** Simulated time in steps, with real event-loop turns for the sockets in between. */
async function run(ms: number, ...desks: Simulator[]): Promise<void> {
  for (let t = 0; t < ms; t += 250) {
    for (const d of desks) await d.advance(250);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function until(what: string, pred: () => boolean, limitMs: number, ...desks: Simulator[]): Promise<void> {
  for (let t = 0; t < limitMs; t += 250) {
    if (pred()) return;
    await run(250, ...desks);
  }
  throw new Error(`not within ${limitMs / 1000} s of simulated time: ${what}; screens: ${desks.map((d) => d.screen().join(' / ')).join(' | ')}`);
}

const online = (sim: Simulator) => (sim.state() as { up: boolean }).up;
const link = (sim: Simulator) => {
  const s = sim.state() as { ls: string; ld: string };
  return `${s.ls} ${s.ld}`;
};

it('every unit has a MAC of its own, so DHCP gives each desk its own address', async () => {
  const lan = new SimLan();
  const a = desk(IDS[0], lan, {}, { bleAddress: 'e7:9c:6e:4b:21:3f' });
  const b = desk(IDS[1], lan, {}, { bleAddress: 'd2:04:18:aa:bc:07' });
  await until('both desks online', () => online(a) && online(b), 20_000, a, b);

  expect([a.network.state().mac, b.network.state().mac]).toEqual(['02:9c:6e:4b:21:3f', '02:04:18:aa:bc:07']);
  expect(lan.transactions.map((t) => t.mac)).not.toContain(WIZNET_DEFAULT_MAC);
  expect(lan.duplicateMacs()).toEqual([]);
  expect(lan.conflicts()).toEqual([]);
  expect(a.network.state().address).not.toBe(b.network.state().address);
  expect([...a.errors, ...b.errors]).toEqual([]);
});

it('a static address from the config: no DHCP, the desk is never held', async () => {
  const lan = new SimLan({ dhcp: false });
  const sim = desk(IDS[0], lan, { ip: '192.168.100.50', mask: '255.255.255.0', gw: '192.168.100.1', dns: '192.168.100.1', mac: '90:a2:da:0f:12:34' });
  await until('online', () => online(sim), 20_000, sim);

  expect(lan.transactions).toEqual([]);
  expect(sim.clock.blockedMs).toBe(0);
  expect(sim.network.state()).toMatchObject({ address: '192.168.100.50', mac: '90:a2:da:0f:12:34' });
});

it('renews its DHCP lease at half the lease time, without the broker seeing it go offline', async () => {
  const lan = new SimLan({ leaseS: 120 });
  const sim = desk(IDS[0], lan, { lease: 120 });
  await until('online', () => online(sim), 20_000, sim);
  const mac = sim.network.state().mac!;
  const address = sim.network.state().address;
  const wills: string[] = [];
  // An offline presence (online false, so it starts with the session field 0x10) is the broker sending the last will.
  let watching = true;
  fx.broker.aedes.on('publish', (packet: any) => {
    if (watching && packet.topic.endsWith('/up/presence') && packet.payload[0] === 0x10) wills.push(packet.topic);
  });

  await run(6 * 60_000, sim);
  watching = false;

  expect(wills).toEqual([]);
  expect(lan.leaseOf(mac, sim.clock.now())).toMatchObject({ ip: address });
  expect(lan.transactions.filter((t) => t.mac === mac).length).toBeGreaterThanOrEqual(6);
  await until('online after the last renewal', () => online(sim), 20_000, sim);
  // A desk that comes later gets another address: the first one's is still leased.
  const later = desk(IDS[1], lan, { lease: 120 });
  await until('the later desk online', () => online(later), 20_000, sim, later);
  expect(later.network.state().address).not.toBe(address);
  expect(lan.conflicts()).toEqual([]);
  expect(sim.errors).toEqual([]);
});

it('no cable at boot: DHCP tries are spaced out, the screen says why, and the cable brings it online', async () => {
  const lan = new SimLan();
  const sim = desk(IDS[0], lan, {}, { cable: false });

  await run(10 * 60_000, sim);

  expect(link(sim)).toBe('link no cable/DHCP');
  // Each DHCP run holds the desk ~30 s (keys and the clock wait); most of the time it must not be held.
  expect(sim.clock.blockedMs).toBeLessThanOrEqual(0.25 * 10 * 60_000);
  sim.network.up();
  await until('online once the cable is in', () => online(sim), 5 * 60_000, sim);
  expect(sim.errors).toEqual([]);
});
