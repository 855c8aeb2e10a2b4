// Waiting for a freshly flashed station to come online: its birth on the
// retained presence topic, carrying the config version we just wrote (so the
// retained birth of the previous boot does not count), read with the admin
// service account as any host tool would.
import { connectBrokerClient } from '../broker/client.ts';
import { decodeMessage } from '../../protocol/host-codec.ts';
import { parseStationTopic, upTopic } from '../../protocol/topics.ts';
import { deviceText } from '../text.ts';

export interface Birth {
  firmware: string;
  board: string;
  configVersion: number;
  session: number;
  address: string;
}

export interface BirthWatch {
  /** Resolves with the birth that carries `configVersion`, or null after `timeoutMs`. */
  wait(station: string, configVersion: number, timeoutMs: number): Promise<Birth | null>;
  close(): Promise<void>;
}

export async function watchBirths(url: string, credentials: { username: string; password: string }): Promise<BirthWatch> {
  const client = await connectBrokerClient(url, credentials, `flash-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, { connectTimeout: 5000 });
  const latest = new Map<string, Birth>();
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload) => {
    const station = parseStationTopic(topic)?.station;
    if (!station || !payload.length) return;
    try {
      const p = decodeMessage('Presence', payload);
      if (p.online && p.birth) {
        const b = p.birth;
        latest.set(station, { firmware: deviceText(b.firmware), board: deviceText(b.board), configVersion: b.configVersion, session: b.session, address: deviceText(b.address) });
        for (const w of waiters) w();
      }
    } catch {
      // Undecodable presence is the registry's concern; it cannot be our birth.
    }
  });
  const subscribed = new Set<string>();
  return {
    async wait(station, configVersion, timeoutMs) {
      if (!subscribed.has(station)) {
        subscribed.add(station);
        await client.subscribeAsync(upTopic(station, 'presence'), { qos: 1 });
      }
      const matches = () => {
        const b = latest.get(station);
        return b && b.configVersion === configVersion ? b : null;
      };
      return new Promise((resolve) => {
        const check = () => {
          const b = matches();
          if (b) done(b);
        };
        const done = (b: Birth | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(b);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => client.endAsync(true),
  };
}
