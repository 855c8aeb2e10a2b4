// The broker dies (aedes: every connection dropped and the server gone;
// mosquitto: kill -9) while the agent presses "ticket": the action waits in
// the outbox, the station reconnects when the broker is back and sends it
// exactly once. The host may still see it twice: QoS 1 is at-least-once, and
// aedes can hand a message both to a just-restored session's queue and to its
// live subscription (seen once in CI under load). The service files one ticket
// per idempotency key however many copies arrive (actions-idempotent-ticket).
import { afterEach, describe, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { decode, encode } from '../protocol/device/codec.ts';
import { Action } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink } from '../firmware/src/net/link.ts';
import { requires } from './helpers/requires.ts';
import { hostClient, recorder, startBroker, stationConfig, testIo, until, type BrokerKind } from './helpers/link-io.ts';

const ID = 'desk-restart';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe.each<BrokerKind>(['embedded', 'mosquitto'])('broker killed under the station (%s)', (kind) => {
  if (kind === 'mosquitto') requires('mosquitto');
  it('delivers the action queued while the broker was down exactly once', async () => {
    const broker = await startBroker(kind, [ID]);
    cleanups.push(() => broker.close());
    // The host keeps a persistent session too, so nothing is lost on its side either.
    const host = await hostClient(broker, upTopic(ID, 'action').replace('action', '+'), 'restart', { clean: false, reconnectPeriod: 100 });
    cleanups.push(host.end);
    const rec = recorder();
    const link = createLink(stationConfig(broker, ID), linux, rec.handlers, testIo());
    cleanups.push(() => link.stop());
    await until(() => link.stats().state === 'online' && link.stats().queued === 0, 'online');

    await broker.kill();
    await until(() => link.stats().state !== 'online', 'link noticed');
    link.send('action', encode(Action, { key: '7-1', kind: 1, callId: 'c-1', createdMs: 1_790_000_000_000 }), true);
    expect(link.stats().queued).toBe(1);
    await broker.restart();

    await until(() => link.stats().connects === 2 && link.stats().queued === 0, 'reconnected and acknowledged', 15000);
    // No later message can serve as a barrier: aedes may hand the host a live
    // message before one it queued for the host's session while it was away.
    await until(() => host.got.some((m) => m.topic === upTopic(ID, 'action')), 'the action at the host', 15000);
    const actions = host.got.filter((m) => m.topic === upTopic(ID, 'action'));
    for (const a of actions) expect(decode(Action, a.payload)).toMatchObject({ key: '7-1', kind: 1, callId: 'c-1' });
    // Sent once, on the new connection, with a fresh packet id: never retransmitted.
    expect(link.stats()).toMatchObject({ resent: 0, queued: 0 });
    expect(rec.states.filter((s) => s === 'online ')).toHaveLength(2);
  });
});
