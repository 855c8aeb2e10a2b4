// Rotating or removing a station ends its live session at once, also when the
// change is made through another connection to the registry (the CLI's).
import { afterAll, beforeAll, expect, it } from 'vitest';
import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';
import { downFilter, downTopic } from '../protocol/topics.ts';
import { openRegistry, type Registry } from '../provisioner/registry/index.ts';
import { brokerWithStations, connectError, type BrokerFixture } from './helpers/broker-fixtures.ts';

let fx: BrokerFixture;
let cli: Registry;

beforeAll(async () => {
  fx = await brokerWithStations(['desk-a', 'desk-b', 'desk-c', 'desk-d']);
  cli = openRegistry(fx.dir);
});
afterAll(async () => {
  cli.close();
  await fx.close();
});

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

it('rotate-secret from another registry connection disconnects the session; only the new secret works', async () => {
  const a = await fx.station('desk-a');
  const b = await fx.station('desk-b');
  const cut = closed(a);
  const fresh = await cli.rotateSecret('desk-a');
  await cut;
  expect(b.connected).toBe(true);
  const url = fx.broker.url;
  expect(await connectError(url, { clientId: 'desk-a', username: 'desk-a', password: fx.secrets['desk-a'] })).toMatchObject({ code: 4 });
  expect(await connectError(url, { clientId: 'desk-a', username: 'desk-a', password: fresh })).toBeNull();
});

it('a session that logged in with the new secret before the broker noticed the rotation stays up', async () => {
  const old = await fx.station('desk-b');
  const cutOld = closed(old);
  // the broker's registry instance hears of the rotation only after its poll; log in with the new secret first
  const heard = new Promise<void>((resolve) => fx.registry.onChange((c) => c.kind === 'secret' && c.id === 'desk-b' && resolve()));
  const fresh = await cli.rotateSecret('desk-b');
  const renewed = await mqtt.connectAsync(fx.broker.url, { clientId: 'desk-b', username: 'desk-b', password: fresh, reconnectPeriod: 0 });
  let renewedClosed = false;
  renewed.once('close', () => (renewedClosed = true));
  await Promise.all([heard, cutOld]);
  // a round trip through the broker after the change was handled: the session is still there
  await renewed.subscribeAsync(downFilter('desk-b'), { qos: 1 });
  expect(renewedClosed).toBe(false);
  expect(renewed.connected).toBe(true);
  await renewed.endAsync(true);
});

it('remove disconnects the session and refuses the station afterwards', async () => {
  const c = await fx.station('desk-c');
  const cut = closed(c);
  cli.removeStation('desk-c');
  await cut;
  expect(await connectError(fx.broker.url, { clientId: 'desk-c', username: 'desk-c', password: fx.secrets['desk-c'] })).toMatchObject({ code: 4 });
});

it('a removed station leaves no session, queued messages or retained snapshot for whoever gets its id next', async () => {
  const host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-test', ...(await fx.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
  const d = await fx.station('desk-d', { clean: false });
  await d.subscribeAsync(downFilter('desk-d'), { qos: 1 });
  await d.endAsync();
  await host.publishAsync(downTopic('desk-d', 'snap'), 'old snapshot', { qos: 1, retain: true });
  await host.publishAsync(downTopic('desk-d', 'lookup'), 'queued for the old desk', { qos: 1 });
  // the broker's registry instance hears of the removal (made through the CLI's) after its own handler ran
  const heard = new Promise<void>((resolve) => fx.registry.onChange((c) => c.kind === 'removed' && c.id === 'desk-d' && resolve()));
  cli.removeStation('desk-d');
  await heard;

  const { secret } = await cli.addStation({ id: 'desk-d' });
  const again = mqtt.connect(fx.broker.url, { clientId: 'desk-d', username: 'desk-d', password: secret, clean: false, reconnectPeriod: 0 });
  const first = new Promise<string>((resolve) => again.once('message', (_t, p) => resolve(String(p))));
  const connack = await new Promise<IConnackPacket>((resolve) => again.once('connect', resolve));
  expect(connack.sessionPresent).toBe(false);
  await again.subscribeAsync(downFilter('desk-d'), { qos: 1 });
  await host.publishAsync(downTopic('desk-d', 'cmd'), 'fresh', { qos: 1 });
  expect(await first).toBe('fresh');
  await again.endAsync(true);
  await host.endAsync(true);
});
