// A broker that redelivers: every QoS 1 message reaches the station twice,
// the second time with the DUP flag (a proxy re-sends it, as a broker does
// when it missed the station's PUBACK). The app sees each message once.
import { afterEach, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { downTopic, upTopic } from '../protocol/topics.ts';
import { createLink } from '../firmware/src/net/link.ts';
import { hostClient, recorder, startBroker, stationConfig, testIo, until } from './helpers/link-io.ts';
import { startProxy } from './helpers/tcp-proxy.ts';

const ID = 'desk-dup';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

it('delivers a redelivered snapshot and acknowledgement once', async () => {
  const broker = await startBroker('embedded', [ID]);
  cleanups.push(() => broker.close());
  const proxy = await startProxy({ port: broker.port }, 'dup');
  cleanups.push(() => proxy.close());
  const host = await hostClient(broker, upTopic(ID, 'presence'), 'dup');
  cleanups.push(host.end);
  await host.client.publishAsync(downTopic(ID, 'snap'), Buffer.from('snap-1'), { qos: 1, retain: true });

  const rec = recorder();
  const link = createLink(stationConfig(broker, ID, proxy.port), linux, rec.handlers, testIo());
  cleanups.push(() => link.stop());
  await until(() => rec.msgs.length === 1 && link.stats().duplicates === 1, 'retained snapshot and its copy');
  await host.client.publishAsync(downTopic(ID, 'ack'), Buffer.from('ack-1'), { qos: 1 });
  await host.client.publishAsync(downTopic(ID, 'snap'), Buffer.from('snap-2'), { qos: 1, retain: true });
  await until(() => link.stats().duplicates === 3, 'both copies of both');

  expect(rec.msgs).toEqual([
    { kind: 'snap', data: 'snap-1' },
    { kind: 'ack', data: 'ack-1' },
    { kind: 'snap', data: 'snap-2' },
  ]);
  expect(link.stats()).toMatchObject({ delivered: 3, errors: 0, connects: 1 });
});
