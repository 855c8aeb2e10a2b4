// A station's credentials, through mqtt.js: its own topics only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { HOST_PRESENCE, downFilter, downTopic, upTopic } from '../protocol/topics.ts';
import { brokerWithStations, hostListening, connectError, type BrokerFixture } from './helpers/broker-fixtures.ts';

let fx: BrokerFixture;
let host: MqttClient;
const hostInbox: string[] = [];

beforeAll(async () => {
  fx = await brokerWithStations(['desk-a', 'desk-b']);
  host = await hostListening(fx, hostInbox);
});

afterAll(async () => {
  await host.endAsync(true);
  await fx.close();
});

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

function nextMessage(client: MqttClient): Promise<string> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve(`${topic} ${payload}`)));
}

describe('station credentials over mqtt.js', () => {
  it('grants its own downlink and the host presence, refuses everything else', async () => {
    const a = await fx.station('desk-a');
    // mqtt.js rejects when any grant failed and hands over the SUBACK
    const refusal = await a.subscribeAsync([downFilter('desk-a'), HOST_PRESENCE, downFilter('desk-b'), 'dp/v1/#', '#', '$SYS/#'], { qos: 1 }).catch((err) => err);
    expect(refusal.packet.granted).toEqual([1, 1, 128, 128, 128, 128]);
  });

  it('delivers host commands to the addressed station only', async () => {
    const a = await fx.station('desk-a');
    const b = await fx.station('desk-b');
    await a.subscribeAsync(downFilter('desk-a'), { qos: 1 });
    await b.subscribeAsync(downFilter('desk-b'), { qos: 1 });
    const bInbox: string[] = [];
    b.on('message', (topic) => bInbox.push(topic));
    const got = nextMessage(a);
    await host.publishAsync(downTopic('desk-a', 'cmd'), 'for-a', { qos: 1 });
    expect(await got).toBe(`${downTopic('desk-a', 'cmd')} for-a`);
    const gotB = nextMessage(b);
    await host.publishAsync(downTopic('desk-b', 'cmd'), 'for-b', { qos: 1 });
    await gotB;
    expect(bInbox).toEqual([downTopic('desk-b', 'cmd')]);
  });

  it("publishes to its own uplink; publishing to another station's uplink drops the message and the connection", async () => {
    const a = await fx.station('desk-a');
    const seen = new Promise<void>((resolve) => host.on('message', (topic) => topic === upTopic('desk-a', 'action') && resolve()));
    await a.publishAsync(upTopic('desk-a', 'action'), 'mine', { qos: 1 });
    await seen;

    const cut = closed(a);
    a.publish(upTopic('desk-b', 'action'), 'forged', { qos: 1 });
    await cut;

    // anything a delivered would arrive before b's marker, which b sends after a was cut off
    const b = await fx.station('desk-b');
    const marker = new Promise<void>((resolve) => host.on('message', (_t, payload) => String(payload) === 'marker' && resolve()));
    await b.publishAsync(upTopic('desk-b', 'sync'), 'marker', { qos: 1 });
    await marker;
    expect(hostInbox).toContain(`${upTopic('desk-a', 'action')} mine`);
    expect(hostInbox.some((m) => m.endsWith('forged'))).toBe(false);
  });

  it('refuses a retained publish where the protocol has none', async () => {
    const a = await fx.station('desk-a');
    const cut = closed(a);
    a.publish(upTopic('desk-a', 'lookup'), 'retained lookup', { qos: 1, retain: true });
    await cut;
    expect(hostInbox.some((m) => m.endsWith('retained lookup'))).toBe(false);
  });

  it('refuses wrong password, wrong client id, empty client id and anonymous', async () => {
    const url = fx.broker.url;
    const secret = fx.secrets['desk-a'];
    expect(await connectError(url, { clientId: 'desk-a', username: 'desk-a', password: secret.slice(1) + 'x' })).toMatchObject({ code: 4 });
    expect(await connectError(url, { clientId: 'desk-b', username: 'desk-a', password: secret })).toMatchObject({ code: 2 });
    expect(await connectError(url, { clientId: '', username: 'desk-a', password: secret, clean: true })).toMatchObject({ code: 2 });
    expect(await connectError(url, { clientId: 'desk-a' })).toMatchObject({ code: 5 });
    expect(await connectError(url, { clientId: 'nobody', username: 'nobody', password: secret })).toMatchObject({ code: 4 });
  });
});
