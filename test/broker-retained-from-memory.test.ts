// Retained messages are answered from memory: the store's reader decoded every
// retained message of the site for each filter of each SUBSCRIBE, so a whole
// site's first connect grew with the square of its desks (issue 18). Kept in
// step with retained writes and clears, filled from the store at start, and a
// SUBSCRIBE during shutdown no longer reads the closing store at all.
import { ClassicLevel } from 'classic-level';
import { afterEach, expect, it, vi } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import type { Readable } from 'node:stream';
import { downFilter, downTopic, HOST_PRESENCE } from '../protocol/topics.ts';
import { startBroker } from '../provisioner/broker/index.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

afterEach(() => vi.restoreAllMocks());

/** The retained messages a SUBSCRIBE brings, once `count` have come (aedes sends them after the SUBACK). */
async function retainedOn(client: MqttClient, filters: string[], count: number): Promise<string[]> {
  const got: string[] = [];
  client.on('message', (topic, payload, packet) => packet.retain && got.push(`${topic}=${payload}`));
  await client.subscribeAsync(filters, { qos: 1 });
  await vi.waitFor(() => expect(got.length).toBe(count));
  return got.sort();
}

async function hostClient(fx: BrokerFixture, url = fx.broker.url): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: 'svc-host-retained', ...(await fx.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
}

it("a desk's SUBSCRIBE reads no retained message from the store, and gets its own after a restart", async () => {
  const fx = await brokerWithStations(['desk-a', 'desk-b']);
  try {
    const host = await hostClient(fx);
    for (const id of ['desk-a', 'desk-b']) await host.publishAsync(downTopic(id, 'snap'), `snap-${id}`, { qos: 1, retain: true });
    await host.publishAsync(HOST_PRESENCE, 'host-up', { qos: 1, retain: true });
    const reads = vi.spyOn(ClassicLevel.prototype, 'values');
    expect(await retainedOn(await fx.station('desk-a'), [downFilter('desk-a'), HOST_PRESENCE], 2)).toEqual([`${HOST_PRESENCE}=host-up`, `${downTopic('desk-a', 'snap')}=snap-desk-a`]);
    const retainedReads = reads.mock.calls.filter(([range]) => String((range as { gte?: string } | undefined)?.gte).startsWith('retained:'));
    expect(retainedReads).toEqual([]);
    vi.restoreAllMocks();

    // cleared by an empty retained message, and what is left is back from the store after a restart
    await host.publishAsync(downTopic('desk-b', 'snap'), '', { qos: 1, retain: true });
    await host.endAsync(true);
    await fx.broker.close();
    const again = await startBroker({ dataDir: fx.dir, registry: fx.registry, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
    try {
      const admin = await hostClient(fx, again.url);
      expect(await retainedOn(admin, ['dp/v1/#'], 2)).toEqual([`${HOST_PRESENCE}=host-up`, `${downTopic('desk-a', 'snap')}=snap-desk-a`]);
      await admin.endAsync(true);
    } finally {
      await again.close();
    }
  } finally {
    await fx.close();
  }
});

it('a SUBSCRIBE during shutdown is answered without the closed store', async () => {
  const fx = await brokerWithStations(['desk-a']);
  const persistence = (fx.broker.aedes as unknown as { persistence: { createRetainedStreamCombi(p: string[]): Readable } }).persistence;
  await fx.close();
  const packets = await persistence.createRetainedStreamCombi(['dp/v1/#']).toArray();
  expect(packets).toEqual([]);
});
