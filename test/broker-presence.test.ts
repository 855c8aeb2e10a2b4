// Birth and last will reach the registry; a will from an older session is ignored.
import { afterAll, beforeAll, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { encodeMessage } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import type { Station } from '../provisioner/registry/index.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

let fx: BrokerFixture;
let host: MqttClient;
const presenceTopic = upTopic('desk-a', 'presence');

beforeAll(async () => {
  fx = await brokerWithStations(['desk-a'], { presence: true });
  host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-test', ...(await fx.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
});
afterAll(async () => {
  await host.endAsync(true);
  await fx.close();
});

/** Resolves with the station's registry entry at its next presence change. */
function nextPresence(): Promise<Station> {
  return new Promise((resolve) => {
    const stop = fx.registry.onChange((change) => {
      if (change.kind !== 'presence' || change.id !== 'desk-a') return;
      stop();
      resolve(fx.registry.getStation('desk-a')!);
    });
  });
}

const birth = (session: number, firmware: string) =>
  Buffer.from(encodeMessage('Presence', { online: true, session, birth: { firmware, board: 'pixljs-w5100', session, address: '10.0.0.7' } }));
const death = (session: number) => Buffer.from(encodeMessage('Presence', { online: false, session }));

it('marks the station online at its birth and offline at its last will', async () => {
  const online = nextPresence();
  const device = await fx.station('desk-a', { will: { topic: presenceTopic, payload: death(5), qos: 1, retain: true } });
  await device.publishAsync(presenceTopic, birth(5, '1.2.0'), { qos: 1, retain: true });
  expect(await online).toMatchObject({ online: true, session: 5, firmware: '1.2.0', address: '10.0.0.7', reportedBoard: 'pixljs-w5100' });

  const offline = nextPresence();
  device.stream.destroy(); // vanishes without DISCONNECT, so the broker publishes the will
  expect(await offline).toMatchObject({ online: false, session: 5, firmware: '1.2.0' });
});

it('ignores a will from an older session that arrives after a newer birth', async () => {
  const reborn = nextPresence();
  await host.publishAsync(presenceTopic, birth(7, '1.3.0'), { qos: 1, retain: true });
  expect(await reborn).toMatchObject({ online: true, session: 7 });

  const changes: Station[] = [];
  const stop = fx.registry.onChange((c) => c.kind === 'presence' && changes.push(fx.registry.getStation('desk-a')!));
  const marker = nextPresence();
  await host.publishAsync(presenceTopic, death(6), { qos: 1, retain: true });
  // same topic, same publisher: the stale will is handled before this birth
  await host.publishAsync(presenceTopic, birth(7, '1.3.1'), { qos: 1, retain: true });
  await marker;
  stop();
  expect(changes.map((s) => [s.online, s.firmware])).toEqual([[true, '1.3.1']]);
});

it('marks connected stations offline when the broker itself stops', async () => {
  const own = await brokerWithStations(['desk-z'], { presence: true });
  const online = new Promise<void>((resolve) => own.registry.onChange((c) => c.kind === 'presence' && resolve()));
  const device = await own.station('desk-z');
  await device.publishAsync(upTopic('desk-z', 'presence'), birth(2, '1.2.0'), { qos: 1, retain: true });
  await online;
  await own.broker.close();
  expect(own.registry.getStation('desk-z')).toMatchObject({ online: false, session: 2, firmware: '1.2.0' });
  await own.close();
});
