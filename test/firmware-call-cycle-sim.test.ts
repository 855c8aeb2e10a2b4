// A full call cycle (ring -> talk -> lookup -> wrap-up -> ticket -> ready) on
// the Pixl.js bundle in the simulator, with a host on a real broker answering
// the device's own MQTT messages, twice: the second cycle leaves no more
// memory, timers or state behind than the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { decodeMessage, encodeMessage } from '../protocol/host-codec.ts';
import { downTopic, parseStationTopic } from '../protocol/topics.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

const ID = 'desk-11';
const ACCOUNT = '400012345678';
let fx: BrokerFixture;
let sim: Simulator;
const uplink: { kind: string; value: any }[] = [];
let seq = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, what: string): Promise<void> {
  // Up to ~10 s of real time: a loaded CI machine is slow to move bytes over loopback.
  for (let i = 0; i < 2000; i++) {
    if (pred()) return;
    await sim.advance(25);
    await sleep(5);
  }
  throw new Error('timed out waiting for ' + what + '; screen: ' + sim.screen().join(' / '));
}

function publish(kind: 'snap' | 'lookup' | 'ack', type: string, value: object): Promise<void> {
  const payload = Buffer.from(encodeMessage(type, value));
  return new Promise((r) => fx.broker.aedes.publish({ cmd: 'publish', topic: downTopic(ID, kind), payload, qos: 1, retain: false, dup: false } as any, () => r()));
}

function snapshot(phase: number, call: object | null, extra: object = {}): Promise<void> {
  const t = sim.eval('Date.now()') as number;
  return publish('snap', 'Snapshot', { station: ID, phase, call, hostTimeMs: t, seq: ++seq, areas: [1, 2], wrapUpS: 300, phaseSinceMs: t, agent: 'Anna', ...extra });
}

async function uplinkOf(kind: string, pred: (v: any) => boolean): Promise<any> {
  let found: any;
  await until(() => (found = uplink.find((u) => u.kind === kind && pred(u.value))) !== undefined, 'a ' + kind + ' from the device');
  return found.value;
}

const screenHas = (text: string) => () => sim.screen().some((l) => l.includes(text));

async function callCycle(n: number): Promise<void> {
  const call = { callId: 'call-' + n, menu: 2, area: 2, ivrAccount: '', offeredMs: 0, answeredMs: 0, endedMs: 0 };
  await snapshot(3, call);
  await until(screenHas('Abrechnung/'), 'the ringing screen');
  await snapshot(4, { ...call, answeredMs: sim.eval('Date.now()') });
  await until(screenHas('Vertragskonto:'), 'the talking screen');
  // The account through the Pixl.js buttons: up/down set the digit, next moves on.
  for (const ch of ACCOUNT) {
    const d = Number(ch);
    for (let i = 0; i < (d >= 5 ? 10 - d : d + 1); i++) await sim.press(d >= 5 ? 'down' : 'up');
    await sim.press('next');
  }
  await sim.press('ok');
  const req = await uplinkOf('lookup', (v) => v.callId === call.callId);
  expect(req).toMatchObject({ account: ACCOUNT, source: 1 });
  await publish('lookup', 'LookupResult', { corr: req.corr, status: 1, account: ACCOUNT, name: 'Erika Müller', street: 'Seestraße 4', place: '13353 Berlin', openItems: 1, openCents: 990 });
  await until(screenHas('Erika Müller'), 'the lookup result');
  const now = sim.eval('Date.now()') as number;
  await snapshot(5, { ...call, endedMs: now }, { wrapUpDeadlineMs: now + 300_000 });
  await until(screenHas('5:00'), 'the wrap-up countdown');
  await sim.press('ticket');
  const ticket = await uplinkOf('action', (v) => v.callId === call.callId && v.kind === 1);
  await publish('ack', 'ActionAck', { key: ticket.key, status: 1, ref: 'T-' + n, kind: 1 });
  await until(screenHas('T-' + n), 'the acknowledged ticket');
  await sim.press('ok');
  const ready = await uplinkOf('action', (v) => v.callId === call.callId && v.kind === 4);
  await publish('ack', 'ActionAck', { key: ready.key, status: 1, ref: '', kind: 4 });
  await snapshot(2, null);
  await until(screenHas('Bereit'), 'the available screen');
  expect(sim.screen().join('\n')).not.toContain('Müller');
  // Let the link's outbox drain and a few ticks pass before measuring.
  for (let i = 0; i < 20; i++) {
    await sim.advance(100);
    await sleep(2);
  }
}

beforeAll(async () => {
  fx = await brokerWithStations([ID]);
  fx.broker.aedes.on('publish', (packet: any) => {
    const t = parseStationTopic(packet.topic);
    if (!t || t.dir !== 'up' || (t.kind !== 'lookup' && t.kind !== 'action')) return;
    uplink.push({ kind: t.kind, value: decodeMessage(t.kind === 'lookup' ? 'LookupRequest' : 'Action', new Uint8Array(packet.payload)) });
  });
  const config = { v: 1, id: ID, board: 'pixljs-w5100', host: '127.0.0.1', port: fx.broker.tcpPort, pass: fx.secrets[ID], lang: 'de', digits: 12 };
  sim = new Simulator({ board: 'pixljs-w5100', config, clock: 'manual' }).boot();
  await until(() => (sim.state() as any).up === true, 'the link to come online');
});

afterAll(async () => {
  sim?.close();
  await fx?.close();
});

describe('a full call cycle through the simulator, twice', () => {
  it('leaves no growing memory, timers or state', async () => {
    await callCycle(1);
    const first = { mem: sim.memory().usage, timers: sim.timers(), state: sim.state() as any };
    await callCycle(2);
    const second = { mem: sim.memory().usage, timers: sim.timers(), state: sim.state() as any };
    expect(sim.errors).toEqual([]);
    expect(second.timers).toBe(first.timers);
    // The simulator's estimate counts the state's JSON text, so a sequence number
    // reaching two digits may add one; anything that piles up per call adds far more.
    expect(second.mem).toBeLessThanOrEqual(first.mem + 2);
    expect([second.state.act, second.state.out, second.state.lk, second.state.acc]).toEqual([[], [], null, '']);
    // A QoS 1 retransmission may repeat a message; its idempotency key is the same.
    const actions = new Map(uplink.filter((u) => u.kind === 'action').map((u) => [u.value.key, u.value.kind]));
    expect([...actions.values()]).toEqual([1, 4, 1, 4]);
  });
});
