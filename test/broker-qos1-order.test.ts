// MQTT 3.1.1 §4.6 [MQTT-4.6.0-6]: a server sends the PUBLISH packets of one
// topic and QoS to a subscriber in the order it received them from a client.
// aedes handles the packets of one TCP read concurrently and each QoS 1
// message to a persistent session goes through LevelDB writes (queue, then
// in flight) that complete in any order; seen: an update's chunks reached a
// desk out of order, the desk asked again for each one it could not place,
// and the answers tripped the broker's publish rate limit for the desk.
// Real embedded broker over TCP, the host's chunks to a desk's persistent session.
import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { downFilter, downTopic } from '../protocol/topics.ts';
import { brokerWithStations } from './helpers/broker-fixtures.ts';

const N = 300;

it(`${N} QoS 1 messages the host sends at once to a desk's topic reach the desk in the order sent`, async () => {
  const fx = await brokerWithStations(['desk-o']);
  try {
    const desk = await fx.station('desk-o', { clean: false });
    await desk.subscribeAsync(downFilter('desk-o'), { qos: 1 });
    const got: number[] = [];
    const all = new Promise<void>((resolve) =>
      desk.on('message', (_topic, payload) => {
        got.push(payload.readUInt32BE(0));
        if (got.length === N) resolve();
      }),
    );
    const host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-order', ...(await fx.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const payload = Buffer.alloc(1024);
      payload.writeUInt32BE(i, 0);
      sent.push(host.publishAsync(downTopic('desk-o', 'chunk'), payload, { qos: 1 }));
    }
    await Promise.all(sent);
    await all;
    const outOfOrder = got.filter((n, i) => n !== i).length;
    expect({ outOfOrder, first: got.slice(0, 10) }).toEqual({ outOfOrder: 0, first: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    await host.endAsync(true);
  } finally {
    await fx.close();
  }
});
