// The agent presses "ticket" and "ready" while the network is down, then the
// desk reboots. The actions come back from Storage (encoded Actions: keys and
// call ids, no names or addresses) and reach the host once the broker is
// back; the lookup made meanwhile is not kept, it would be stale.
import { afterEach, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { decode, encode } from '../protocol/device/codec.ts';
import { Action, LookupRequest } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink, Files } from '../firmware/src/net/link.ts';
import { hostClient, MemoryStorage, recorder, startBroker, stationConfig, testIo, until } from './helpers/link-io.ts';

const ID = 'desk-reboot';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

it('keeps unacknowledged actions across a reboot and sends them once', async () => {
  const broker = await startBroker('embedded', [ID]);
  cleanups.push(() => broker.close());
  await broker.kill();
  const flash = new MemoryStorage();

  const before = createLink(stationConfig(broker, ID), linux, recorder().handlers, testIo(flash));
  before.send('action', encode(Action, { key: '3-1', kind: 1, callId: 'c-9', account: '400012345678' }), true);
  before.send('lookup', encode(LookupRequest, { corr: 'l-1', account: '400012345678' }), false);
  before.send('action', encode(Action, { key: '3-2', kind: 4, callId: 'c-9' }), true);
  const stored = flash.readJSON(Files.OUTBOX) as [string, string][];
  expect(stored.map((r) => [r[0], (decode(Action, Buffer.from(r[1], 'base64')) as { key: string }).key])).toEqual([['action', '3-1'], ['action', '3-2']]);
  const sessionBefore = before.stats().session;
  before.stop(); // the reboot

  await broker.restart();
  const host = await hostClient(broker, upTopic(ID, '+' as 'action'), 'reboot');
  cleanups.push(host.end);
  const rec = recorder();
  const after = createLink(stationConfig(broker, ID), linux, rec.handlers, testIo(flash));
  cleanups.push(() => after.stop());
  await until(() => after.stats().state === 'online' && after.stats().queued === 0, 'outbox drained');
  await until(() => host.got.some((m) => m.topic === upTopic(ID, 'sync')), 'the resync after the actions');

  const kinds = host.got.map((m) => m.topic.split('/').pop());
  expect(kinds.filter((k) => k === 'lookup')).toEqual([]);
  const actions = host.got.filter((m) => m.topic === upTopic(ID, 'action')).map((m) => decode(Action, m.payload) as { key: string; kind: number });
  expect(actions.map((a) => [a.key, a.kind])).toEqual([['3-1', 1], ['3-2', 4]]);
  expect(flash.readJSON(Files.OUTBOX)).toBeUndefined();
  expect(after.stats().session).toBeGreaterThan(sessionBefore);
});
