// The app sends what it queued while offline as soon as the link reports
// 'online', from inside that callback. Each message must go out once, not
// once from send() and again with the outbox flush.
import { afterEach, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { encode } from '../protocol/device/codec.ts';
import { Action } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink, type Link } from '../firmware/src/net/link.ts';
import { scriptedBroker, testIo, until, wire } from './helpers/link-io.ts';

const ID = 'desk-eager';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

it('publishes an action sent from the online callback exactly once', async () => {
  const broker = await scriptedBroker((conn, p) => {
    if (p.cmd === 'connect') conn.send(wire({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    if (p.cmd === 'publish') conn.send(wire({ cmd: 'puback', messageId: p.messageId }));
  });
  cleanups.push(() => broker.close());
  const cfg = { v: 1, id: ID, board: 'linux', host: '127.0.0.1', port: broker.port, pass: 'x', lang: 'de' as const, digits: 12 };
  let link: Link | null = null;
  const handlers = {
    msg() {},
    state(step: string) {
      if (step === 'online') link!.send('action', encode(Action, { key: '1-1', kind: 4 }), true);
    },
    birth: () => ({}),
  };
  link = createLink(cfg, linux, handlers, testIo());
  cleanups.push(() => link!.stop());
  await until(() => link!.stats().state === 'online' && link!.stats().queued === 0, 'all acknowledged');
  const topics = broker.conns[0].packets.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic.split('/').pop());
  expect(topics).toEqual(['presence', 'sync', 'action']);
  expect(link.stats().resent).toBe(0);
  expect(broker.conns[0].packets.filter((p) => p.cmd === 'publish' && p.topic === upTopic(ID, 'action'))).toHaveLength(1);
});
