// The station service's one MQTT connection: the host's presence (retained,
// with a last will), every desk's uplink in, snapshots, results and acks out.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { encodeMessage, type MessageName, type Messages } from '../../protocol/host-codec.ts';
import { ALL_UP, HOST_PRESENCE } from '../../protocol/topics.ts';
import type { Logger } from '../logging.ts';
import type { Clock } from './clock.ts';

export interface HostLinkOptions {
  url: string;
  /** Service-account credentials and any other mqtt.js option. */
  mqtt?: IClientOptions;
  clock: Clock;
  logger: Logger;
  /** The host's version, told in its presence. */
  version: string;
}

export class HostLink {
  private client: MqttClient | null = null;

  constructor(private readonly options: HostLinkOptions) {}

  /** Connects, says the host is online (again at every reconnect) and subscribes to every desk's uplink. */
  async connect(onMessage: (topic: string, payload: Buffer) => void): Promise<void> {
    const client = mqtt.connect(this.options.url, {
      clientId: 'deskphone-host',
      clean: false,
      reconnectPeriod: 1000,
      ...this.options.mqtt,
      will: { topic: HOST_PRESENCE, payload: Buffer.from(encodeMessage('HostPresence', { online: false })), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', onMessage);
    client.on('error', (err) => this.options.logger.warn({ err: err.message }, 'mqtt error'));
    client.on('connect', () => {
      // Snapshots, results and acks are small packets sent one after another;
      // Nagle's algorithm would hold each behind the peer's delayed ACK.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.send(HOST_PRESENCE, 'HostPresence', this.presence(true), { qos: 1, retain: true });
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        client.removeListener('connect', ok);
        reject(err);
      };
      const ok = () => {
        client.removeListener('error', fail);
        resolve();
      };
      client.once('connect', ok);
      client.once('error', fail);
    }).catch(async (err) => {
      await client.endAsync(true);
      this.client = null;
      throw err;
    });
    await client.subscribeAsync(ALL_UP, { qos: 1 });
  }

  send<K extends MessageName>(topic: string, type: K, message: Partial<Messages[K]>, options: { qos: 0 | 1; retain: boolean }): void {
    this.client?.publish(topic, Buffer.from(encodeMessage(type, message)), options);
  }

  /** Empties a retained topic. */
  clear(topic: string): void {
    this.client?.publish(topic, Buffer.alloc(0), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      // Say goodbye if the broker takes it soon; a broker that is gone gets the will instead.
      const goodbye = client.publishAsync(HOST_PRESENCE, Buffer.from(encodeMessage('HostPresence', this.presence(false))), { qos: 1, retain: true });
      await Promise.race([goodbye.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    await client.endAsync(!client.connected);
  }

  private presence(online: boolean): Partial<Messages['HostPresence']> {
    return { online, timeMs: this.options.clock.now(), version: this.options.version };
  }
}
