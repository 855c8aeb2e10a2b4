// What the Espruino interpreter gives the link, on Node: a `net.connect` whose
// sockets speak 8-bit strings (as Espruino's do), a Storage kept in memory or
// in a JSON file, and brokers with station accounts.
import net from 'node:net';
import mqtt, { type IClientOptions } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import pino from 'pino';
import { startBroker as startEmbedded } from '../../provisioner/broker/index.ts';
import { brokerWithStations } from './broker-fixtures.ts';
import { startMosquitto } from './mosquitto.ts';
import type { LinkIo, Socket, Storage } from '../../firmware/src/net/link.ts';

/** Espruino-style socket on a Node socket: data in and out as latin1 strings. */
export function nodeConnect(opts: { host: string; port: number }, onOpen: () => void): Socket {
  const s = net.connect(opts.port, opts.host, onOpen);
  s.setEncoding('latin1');
  s.setNoDelay(true);
  return {
    on: (ev, fn) => { s.on(ev, fn); },
    write: (d) => { if (!s.destroyed) s.write(d, 'latin1'); },
    end: () => { s.end(); setTimeout(() => s.destroy(), 200).unref(); },
  };
}

/** Storage with Espruino's readJSON/write/erase semantics and room for everything, kept in a Map so a test can "reboot" with the same files. */
export class MemoryStorage implements Storage {
  files = new Map<string, string>();
  readJSON(name: string) {
    const v = this.files.get(name);
    return v === undefined ? undefined : JSON.parse(v);
  }
  write(name: string, data: string) {
    this.files.set(name, data);
    return true;
  }
  erase(name: string) {
    this.files.delete(name);
  }
  getFree() {
    return Infinity;
  }
  compact() {}
}

export function testIo(storage: Storage = new MemoryStorage(), extra: Partial<LinkIo> = {}): LinkIo {
  return { connect: nodeConnect, storage, base: 100, ...extra };
}

export type BrokerKind = 'embedded' | 'mosquitto';

/** A broker with station accounts, of either kind behind one interface, so each scenario runs against both. */
export interface TestBroker {
  port: number;
  /** Station id -> its secret; and the host's account, allowed to read every station's uplink. */
  secrets: Record<string, string>;
  host: { username: string; password: string };
  /** Gone without a goodbye: connections dropped, sessions kept where the broker persists them. */
  kill(): Promise<void>;
  /** Back on the same port with the same stored sessions. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * 'embedded' is the host's production broker (provisioner/broker: aedes with
 * LevelDB sessions, registry secrets, ACLs); 'mosquitto' is Debian's.
 */
export async function startBroker(kind: BrokerKind, stations: string[]): Promise<TestBroker> {
  if (kind === 'mosquitto') {
    const secrets = Object.fromEntries(stations.map((id) => [id, 'sëcret-' + id]));
    const host = { username: 'svc-host', password: 'host-secret' };
    const m = await startMosquitto({ users: { ...secrets, [host.username]: host.password } });
    return { port: m.port, secrets, host, kill: m.kill, restart: m.restart, close: m.stop };
  }
  const fx = await brokerWithStations(stations);
  const port = fx.broker.tcpPort;
  return {
    port,
    secrets: fx.secrets,
    host: await fx.registry.serviceCredentials('svc-host'),
    async kill() {
      await fx.broker.close();
    },
    async restart() {
      fx.broker = await startEmbedded({ dataDir: fx.dir, registry: fx.registry, listen: '127.0.0.1:' + port, logger: pino({ level: 'silent' }) });
    },
    async close() {
      // fx.close() closes the broker it started; a restarted one is ours to close (close is idempotent).
      await fx.broker.close();
      await fx.close();
    },
  };
}

/** Resolves once check() is truthy; polls because the link reports through callbacks, not promises. */
export async function until<T>(check: () => T, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('gave up waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Handlers that record what the link reports. */
export function recorder(birth: Record<string, unknown> = {}) {
  const states: string[] = [];
  const msgs: { kind: string; data: string }[] = [];
  return {
    states,
    msgs,
    /** The last step reported, e.g. 'online' or 'auth'. */
    get step() { return (states[states.length - 1] || '').split(' ')[0]; },
    handlers: {
      msg(kind: string, data: string) { msgs.push({ kind, data }); },
      state(step: string, detail: string) { states.push(step + ' ' + detail); },
      birth() { return birth; },
    },
  };
}

/** A host-side mqtt.js client subscribed to `topic`, recording what arrives. */
export async function hostClient(broker: TestBroker, topic: string, tag: string, opts: IClientOptions = {}) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...broker.host, clientId: broker.host.username + '-' + tag, reconnectPeriod: 0, ...opts });
  const got: { topic: string; payload: Buffer; retain: boolean }[] = [];
  client.on('message', (t, payload, packet) => got.push({ topic: t, payload, retain: packet.retain }));
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, got, end: () => client.endAsync(true) };
}

/** The station config a test link uses against `broker`, optionally through a proxy port. */
export function stationConfig(broker: TestBroker, id: string, port = broker.port) {
  return { v: 3, id, board: 'linux', host: '127.0.0.1', port, pass: broker.secrets[id], lang: 'de' as const, digits: 12 };
}

export interface ScriptedConn {
  /** Packets the station sent on this connection, as mqtt-packet parsed them. */
  packets: mqttPacket.Packet[];
  /** Raw bytes to the station (latin1 string or Buffer). */
  send(bytes: string | Buffer): void;
  closed: boolean;
}

/**
 * A TCP server that answers like a broker only as far as the test says: it
 * parses what the station sends and hands each packet to `on`, so a test can
 * send garbage, withhold PINGRESP or never answer CONNECT.
 */
export async function scriptedBroker(on: (conn: ScriptedConn, p: mqttPacket.Packet) => void) {
  const conns: ScriptedConn[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    const conn: ScriptedConn = {
      packets: [],
      send: (b) => { if (!sock.destroyed) sock.write(typeof b === 'string' ? Buffer.from(b, 'latin1') : b); },
      closed: false,
    };
    conns.push(conn);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => { conn.packets.push(p); on(conn, p); });
    sock.on('data', (d) => parser.parse(d));
    sock.on('close', () => { conn.closed = true; sockets.delete(sock); });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** mqtt-packet's encoding of a packet, as the latin1 string a scripted broker sends. */
export function wire(p: object): string {
  return mqttPacket.generate(p as mqttPacket.Packet).toString('latin1');
}
