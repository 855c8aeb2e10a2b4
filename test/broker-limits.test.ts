// Per-station publish rate limit and the connection cap.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { upTopic } from '../protocol/topics.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

let fx: BrokerFixture;
// the bucket refills once in ~17 minutes: the burst is all a station gets during the test
beforeAll(async () => {
  fx = await brokerWithStations(['desk-a'], { stationPublishRate: { perSecond: 0.001, burst: 3 }, maxConnections: 3 });
});
afterAll(async () => fx.close());

it('disconnects a station that publishes faster than its limit', async () => {
  const a = await fx.station('desk-a');
  const cut = new Promise<void>((resolve) => a.once('close', () => resolve()));
  for (let i = 0; i < 3; i++) await a.publishAsync(upTopic('desk-a', 'sync'), `ok-${i}`, { qos: 1 });
  expect(a.connected).toBe(true);
  a.publish(upTopic('desk-a', 'sync'), 'one too many', { qos: 1 });
  await cut;
  await a.endAsync(true);
});

it('refuses connections beyond the cap', async () => {
  const open = (): Promise<Socket> =>
    new Promise((resolve) => {
      const s = connect(fx.broker.tcpPort, '127.0.0.1', () => resolve(s));
    });
  const held = [await open(), await open(), await open()];
  const extra = await open();
  await new Promise<void>((resolve) => extra.once('close', () => resolve()));
  expect(held.every((s) => !s.destroyed)).toBe(true);
  for (const s of held) s.destroy();
});
