// The flashed linux bundle in the simulator, during wrap-up: the broker is
// killed, the agent presses "ticket" while the desk is offline, the broker
// comes back. The desk reconnects, the countdown still matches the host's
// deadline, and the ticket reaches the host exactly once.
import { afterEach, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { decode, encode } from '../protocol/device/codec.ts';
import { Action, Snapshot } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { hostClient, startBroker, stationConfig, until } from './helpers/link-io.ts';

const ID = 'desk-sim';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** The m:ss the countdown may show for `ms` left (the screen rounds to a second either way). */
const countdowns = (ms: number) => [-1000, 0, 1000].map((d) => Math.max(0, Math.ceil((ms + d) / 1000))).map((s) => Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'));

it('reconnects after a broker kill and delivers the ticket pressed offline once', async () => {
  const broker = await startBroker('embedded', [ID]);
  cleanups.push(() => broker.close());
  const host = await hostClient(broker, upTopic(ID, '+' as 'action'), 'sim', { clean: false, reconnectPeriod: 100 });
  cleanups.push(host.end);
  const sim = new Simulator({ board: 'linux', config: stationConfig(broker, ID), clock: 'real' }).boot();
  cleanups.push(() => sim.close());
  const state = () => sim.state() as { up: boolean };
  await until(() => state().up, 'online', 15000);

  const now = sim.eval('Date.now()') as number;
  const deadline = now + 300_000;
  const call = { callId: 'c-77', menu: 1, area: 1, ivrAccount: '', offeredMs: now - 90_000, answeredMs: now - 80_000, endedMs: now };
  await host.client.publishAsync(downTopic(ID, 'snap'), Buffer.from(encode(Snapshot, { station: ID, phase: 5, call, wrapUpDeadlineMs: deadline, hostTimeMs: now, seq: 1, wrapUpS: 300, phaseSinceMs: now, agent: 'Anna' } as never)), { qos: 1, retain: true });
  const showsCountdown = () => {
    const left = deadline - (sim.eval('Date.now()') as number);
    const lines = sim.screen().join('\n');
    return countdowns(left).some((c) => lines.includes(c));
  };
  await until(showsCountdown, 'the wrap-up countdown');

  await broker.kill();
  await until(() => !state().up, 'the desk noticing the broker is gone', 15000);
  await sim.press('ticket');
  await broker.restart();
  await until(() => host.got.some((m) => m.topic === upTopic(ID, 'action')), 'the ticket at the host', 20000);
  await until(() => state().up, 'online again');
  expect(showsCountdown()).toBe(true);

  // The resync the desk sends after its outbox is the barrier: anything sent twice would be here by now.
  const syncs = () => host.got.filter((m) => m.topic === upTopic(ID, 'sync')).length;
  const before = syncs();
  sim.eval('DP.post({t:"bad",n:0})');
  await until(() => syncs() > before, 'a later message from the desk');
  const actions = host.got.filter((m) => m.topic === upTopic(ID, 'action')).map((m) => decode(Action, m.payload) as { key: string; kind: number; callId: string });
  expect(actions).toHaveLength(1);
  expect(actions[0]).toMatchObject({ kind: 1, callId: 'c-77' });
  expect(sim.errors).toEqual([]);
});
