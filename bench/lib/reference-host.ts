// What drives the scale bench's host side: the deskphone host's webhook, or
// for the mosquitto reference a stand-in host on one MQTT connection.
import { connect as tcpConnect } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { decodeMessage, encodeMessage, Phase } from '../../protocol/host-codec.ts';
import { downTopic, upTopic } from '../../protocol/topics.ts';

/** Where the broker listens. */
export interface Target {
  host: string;
  port: number;
}

/** The phase a call event leads to. */
export const PHASE_AFTER: Record<string, number> = { sign_in: Phase.AVAILABLE, offered: Phase.RINGING, answered: Phase.TALKING, hangup: Phase.WRAP_UP, ready: Phase.AVAILABLE };

/**
 * Webhook sender for the deskphone host: one POST per event, keep-alive.
 * A refused event (4xx) counts as an error but does not stop the run.
 */
export function webhookSender(url: string, token: string): (event: Record<string, unknown>) => Promise<boolean> {
  return async (event) => {
    try {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
      const body = await res.text();
      if (!res.ok && process.env.DESKPHONE_BENCH_DEBUG) console.error(res.status, body, JSON.stringify(event));
      return res.ok;
    } catch {
      return false;
    }
  };
}

/**
 * For mosquitto: a stand-in host on one MQTT connection that does what the
 * station service does on the wire and nothing else: for each event a
 * retained QoS 1 snapshot of the same shape, for each lookup a QoS 0 result.
 */
export async function referenceHost(target: Target, username: string, password: string): Promise<{ send: (event: Record<string, unknown>) => Promise<boolean>; publishAll: (ids: string[]) => Promise<void>; close(): void }> {
  const socket = tcpConnect(target.port, target.host);
  socket.setNoDelay(true);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const write = (p: object) => socket.write(mqttPacket.generate(p as mqttPacket.Packet));
  let nextId = 1;
  const acks = new Map<number, () => void>();
  const seq = new Map<string, number>();
  const snapshot = (station: string, phase: number) => {
    const n = (seq.get(station) ?? 0) + 1;
    seq.set(station, n);
    const payload = encodeMessage('Snapshot', {
      station, phase, seq: n, hostTimeMs: Date.now(), areas: [1], wrapUpS: 300, phaseSinceMs: Date.now(), agent: `a-${station}`,
      wrapUpDeadlineMs: phase === Phase.WRAP_UP ? Date.now() + 300_000 : 0,
      call: phase === Phase.RINGING || phase === Phase.TALKING || phase === Phase.WRAP_UP ? { callId: `c-${station}-0`, menu: 2, area: 2, offeredMs: Date.now() } : null,
    });
    const messageId = (nextId = (nextId % 65535) + 1);
    write({ cmd: 'publish', topic: downTopic(station, 'snap'), payload: Buffer.from(payload), qos: 1, retain: true, messageId, dup: false });
    return new Promise<boolean>((resolve) => acks.set(messageId, () => resolve(true)));
  };
  await new Promise<void>((resolve, reject) => {
    parser.on('packet', (packet: mqttPacket.Packet) => {
      if (packet.cmd === 'connack') {
        if (packet.returnCode !== 0) return reject(new Error(`reference host refused: rc ${packet.returnCode}`));
        write({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: upTopic('+', 'lookup'), qos: 1 }] });
      } else if (packet.cmd === 'suback') resolve();
      else if (packet.cmd === 'puback') {
        acks.get(packet.messageId!)?.();
        acks.delete(packet.messageId!);
      } else if (packet.cmd === 'publish') {
        if (packet.qos === 1) write({ cmd: 'puback', messageId: packet.messageId });
        const station = packet.topic.split('/')[3];
        const req = decodeMessage('LookupRequest', new Uint8Array(packet.payload as Buffer));
        const result = encodeMessage('LookupResult', { corr: req.corr, status: 2, account: req.account });
        write({ cmd: 'publish', topic: downTopic(station, 'lookup'), payload: Buffer.from(result), qos: 0, retain: false });
      }
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', reject);
    socket.on('connect', () => write({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, clientId: `${username}-reference`, username, password: Buffer.from(password) }));
  });
  return {
    send: (event) => snapshot(String(event.station), PHASE_AFTER[String(event.type)]),
    publishAll: async (ids) => {
      for (let i = 0; i < ids.length; i += 500) await Promise.all(ids.slice(i, i + 500).map((id) => snapshot(id, Phase.SIGNED_OUT)));
    },
    close: () => socket.destroy(),
  };
}
