// A device publishes its retained birth and, without waiting, its sync
// request. aedes numbers packets when they arrive but emits a retained one
// only after storing it, so the sync overtook the birth and aedes' duplicate
// filter then dropped the birth for every subscriber matching both (the
// station service's dp/v1/st/+/up/+). The broker switches that filter off.
import { expect, it } from 'vitest';
import mqtt from 'mqtt';
import { ALL_UP, upTopic } from '../protocol/topics.ts';
import { brokerWithStations } from './helpers/broker-fixtures.ts';

it('a retained birth followed at once by a sync reaches a subscriber of all uplink topics', async () => {
  const fx = await brokerWithStations(['desk-x']);
  try {
    const host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-t', ...(await fx.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
    const got: string[] = [];
    const marker = new Promise<void>((resolve) =>
      host.on('message', (topic, payload) => {
        got.push(topic.split('/').pop() as string);
        if (String(payload) === 'marker') resolve();
      }),
    );
    await host.subscribeAsync(ALL_UP, { qos: 1 });
    const desk = await fx.station('desk-x');
    const birth = desk.publishAsync(upTopic('desk-x', 'presence'), 'online', { qos: 1, retain: true });
    const sync = desk.publishAsync(upTopic('desk-x', 'sync'), 'seq', { qos: 1 });
    // both acknowledged: aedes has handed both to the subscribers by now; the marker flushes them
    await Promise.all([birth, sync]);
    await desk.publishAsync(upTopic('desk-x', 'action'), 'marker', { qos: 1 });
    await marker;
    expect(got.sort()).toEqual(['action', 'presence', 'sync']);
    await host.endAsync(true);
  } finally {
    await fx.close();
  }
});
