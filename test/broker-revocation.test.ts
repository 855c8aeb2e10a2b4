// Rotating or removing a station ends its live session at once, also when the
// change is made through another connection to the registry (the CLI's).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { openRegistry, type Registry } from '../provisioner/registry.ts';
import { brokerWithStations, connectError, type BrokerFixture } from './broker-fixtures.ts';

let fx: BrokerFixture;
let cli: Registry;

beforeAll(async () => {
  fx = await brokerWithStations(['desk-a', 'desk-b', 'desk-c']);
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

it('remove disconnects the session and refuses the station afterwards', async () => {
  const c = await fx.station('desk-c');
  const cut = closed(c);
  cli.removeStation('desk-c');
  await cut;
  expect(await connectError(fx.broker.url, { clientId: 'desk-c', username: 'desk-c', password: fx.secrets['desk-c'] })).toMatchObject({ code: 4 });
});
