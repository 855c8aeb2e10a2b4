// An action whose PUBACK never comes while the connection stays up is sent
// again with the same packet id and the DUP flag (keepalive shortened to 1 s,
// so one tick is ~0.7 s); once acknowledged it leaves the outbox.
import { afterEach, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { encode } from '../protocol/device/codec.ts';
import { Action } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink } from '../firmware/src/net/link.ts';
import { recorder, scriptedBroker, testIo, until, wire } from './helpers/link-io.ts';

const ID = 'desk-rt';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

type Pub = { cmd: 'publish'; topic: string; messageId: number; dup: boolean };

it('resends an unacknowledged action with DUP and the same id', async () => {
  let actionsSeen = 0;
  const broker = await scriptedBroker((conn, p) => {
    if (p.cmd === 'connect') conn.send(wire({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    if (p.cmd === 'pingreq') conn.send(wire({ cmd: 'pingresp' }));
    if (p.cmd === 'publish') {
      // The first copy of the action is "lost": no PUBACK.
      if (p.topic === upTopic(ID, 'action') && actionsSeen++ === 0) return;
      conn.send(wire({ cmd: 'puback', messageId: p.messageId }));
    }
  });
  cleanups.push(() => broker.close());
  const cfg = { v: 1, id: ID, board: 'linux', host: '127.0.0.1', port: broker.port, pass: 'x', lang: 'de' as const, digits: 12 };
  const link = createLink(cfg, linux, recorder().handlers, testIo(undefined, { ka: 1 }));
  cleanups.push(() => link.stop());
  await until(() => link.stats().state === 'online' && link.stats().queued === 0, 'online');
  link.send('action', encode(Action, { key: '5-1', kind: 2 }), true);
  await until(() => link.stats().queued === 0, 'action acknowledged');

  const actions = broker.conns[0].packets.filter((p) => p.cmd === 'publish' && p.topic === upTopic(ID, 'action')) as Pub[];
  expect(actions.map((a) => a.dup)).toEqual([false, true]);
  expect(actions[1].messageId).toBe(actions[0].messageId);
  expect(broker.conns).toHaveLength(1);
  expect(link.stats().resent).toBe(1);
});
