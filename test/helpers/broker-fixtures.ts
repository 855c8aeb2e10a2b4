// Shared setup for the broker tests: a temp data directory with a real
// registry file, stations with real secrets, and a broker on a free port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startBroker, type BrokerHandle, type BrokerOptions } from '../../provisioner/broker/index.ts';
import { trackBrokerPresence } from '../../provisioner/presence.ts';
import { openRegistry, type Registry } from '../../provisioner/registry/index.ts';

export interface BrokerFixture {
  dir: string;
  registry: Registry;
  broker: BrokerHandle;
  secrets: Record<string, string>;
  /** mqtt.js client for a station with its own credentials, connected. */
  station(id: string, extra?: IClientOptions): Promise<MqttClient>;
  close(): Promise<void>;
}

export function tempHome(prefix = 'dp-broker-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The embedded broker with its presence tracker, as `deskphone broker` runs them: births and wills reach the registry; close() stops both. */
export async function brokerWithPresence(options: BrokerOptions): Promise<BrokerHandle> {
  const broker = await startBroker(options);
  const presence = await trackBrokerPresence(broker, pino({ level: 'silent' })).catch(async (err) => {
    await broker.close();
    throw err;
  });
  return {
    ...broker,
    async close() {
      await presence.close();
      await broker.close();
    },
  };
}

/** `presence`: births and wills reach the registry, as with `deskphone broker`. */
export async function brokerWithStations(ids: string[], options: Partial<BrokerOptions> & { presence?: boolean } = {}): Promise<BrokerFixture> {
  const dir = tempHome();
  const registry = openRegistry(dir);
  const issued = await registry.addStations(ids.map((id) => ({ id, areas: ['WV'] })));
  const secrets = Object.fromEntries(issued.map((i) => [i.id, i.secret]));
  const { presence, ...brokerOptions } = options;
  const start = presence ? brokerWithPresence : startBroker;
  const broker = await start({ dataDir: dir, registry, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), ...brokerOptions });
  const clients: MqttClient[] = [];
  return {
    dir,
    registry,
    broker,
    secrets,
    async station(id, extra = {}) {
      const client = await mqtt.connectAsync(broker.url, { clientId: id, username: id, password: secrets[id], reconnectPeriod: 0, ...extra });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await broker.close();
      registry.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the connect error (or null if the connection was accepted, then closed). */
export async function connectError(url: string, options: IClientOptions): Promise<Error | null> {
  try {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    await client.endAsync(true);
    return null;
  } catch (err) {
    return err as Error;
  }
}

/** The host's side: a service-account client that collects every station's uplink as "topic payload" in `inbox`. */
export async function hostListening(fx: BrokerFixture, inbox: string[]): Promise<MqttClient> {
  const creds = await fx.registry.serviceCredentials('svc-host');
  const host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-test', ...creds, reconnectPeriod: 0 });
  host.on('message', (topic, payload) => inbox.push(`${topic} ${payload}`));
  await host.subscribeAsync('dp/v1/st/+/up/+', { qos: 1 });
  return host;
}
