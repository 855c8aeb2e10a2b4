// Keeps the registry's online/offline, firmware and address in step with the
// devices' birth (published on connect) and last will (published by the
// broker when a device vanishes). A plain MQTT client with the host's service
// account, so it works against any broker, not only the embedded one.

import type { BrokerHandle } from './broker/index.ts';
import { connectBrokerClient } from './broker/client.ts';
import type { Logger } from 'pino';
import { decodeMessage } from '../protocol/host-codec.ts';
import { STATION_PREFIX, parseStationTopic } from '../protocol/topics.ts';
import type { Registry } from './registry/index.ts';
import { deviceText } from './text.ts';

export const ALL_PRESENCE = STATION_PREFIX + '+/up/presence';

export interface PresenceTracker {
  close(): Promise<void>;
}

export interface PresenceOptions {
  url: string;
  registry: Registry;
  credentials: { username: string; password: string };
  logger: Logger;
  /**
   * In the broker's own process: the stations still connected when tracking
   * stops. They are marked offline then, as the broker closing next ends
   * their sessions and their last wills would reach no tracker.
   */
  connectedStations?: () => string[];
}

/** Applies one presence message; returns whether the registry took it (false: unknown station, stale will, bad bytes). */
export function applyPresence(registry: Registry, topic: string, payload: Uint8Array, log: Logger, now = Date.now()): boolean {
  const parsed = parseStationTopic(topic);
  // an empty retained payload only clears the topic (e.g. after `station remove`)
  if (!parsed || parsed.dir !== 'up' || parsed.kind !== 'presence' || payload.length === 0) return false;
  let presence;
  try {
    presence = decodeMessage('Presence', payload);
  } catch (err) {
    log.warn({ station: parsed.station, err: (err as Error).message }, 'undecodable presence ignored');
    return false;
  }
  const birth = presence.birth;
  const applied = registry.setPresence(parsed.station, {
    online: presence.online,
    session: presence.session || birth?.session || 0,
    lastSeen: now,
    // The desk chooses these bytes; they end up in the admin's terminal.
    firmware: deviceText(birth?.firmware ?? '') || undefined,
    address: deviceText(birth?.address ?? '') || undefined,
    board: deviceText(birth?.board ?? '') || undefined,
  });
  log.info({ station: parsed.station, online: presence.online, session: presence.session, applied }, applied ? 'presence' : 'presence ignored');
  return applied;
}

/** Subscribes to every station's presence; resolves once the subscription is in place. */
export async function trackPresence(options: PresenceOptions): Promise<PresenceTracker> {
  const client = await connectBrokerClient(options.url, options.credentials, 'presence');
  client.on('message', (topic, payload) => applyPresence(options.registry, topic, payload, options.logger));
  client.on('error', (err) => options.logger.warn({ err: err.message }, 'presence client error'));
  await client.subscribeAsync(ALL_PRESENCE, { qos: 1 });
  return {
    async close() {
      await client.endAsync(true);
      for (const id of options.connectedStations?.() ?? []) {
        const station = options.registry.getStation(id);
        if (station?.online) options.registry.setPresence(id, { online: false, session: station.session, lastSeen: Date.now() });
      }
    },
  };
}

/** Tracks the presence of the stations of a broker in this process, on the host's service account; close it before the broker. */
export async function trackBrokerPresence(broker: BrokerHandle, logger: Logger): Promise<PresenceTracker> {
  const credentials = await broker.registry.serviceCredentials('svc-host');
  return trackPresence({ url: broker.url, registry: broker.registry, credentials, logger, connectedStations: () => broker.connectedStations() });
}
