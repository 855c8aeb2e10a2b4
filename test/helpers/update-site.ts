// A site for `deskphone update` scenarios: a real registry file with linux
// stations, the embedded broker with presence on a free port, an image with
// the build's manifest beside it, and the CLI run in-process with a stop
// signal the test controls (Ctrl-C).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import type mqttPacket from 'mqtt-packet';
import pino from 'pino';
import { cli } from '../../provisioner/cli.ts';
import type { BrokerHandle } from '../../provisioner/broker/index.ts';
import { openRegistry, type Registry } from '../../provisioner/registry/index.ts';
import { UpdateStore } from '../../provisioner/update/store.ts';
import { decodeMessage, encodeMessage } from '../../protocol/host-codec.ts';
import { downTopic } from '../../protocol/topics.ts';
import { brokerWithPresence, tempHome } from './broker-fixtures.ts';
import type { CliRun } from './station-cli-fixtures.ts';
import { startProxy, type PacketRewrite, type TcpProxy } from './tcp-proxy.ts';

export interface UpdateRig {
  home: string;
  registry: Registry;
  broker: BrokerHandle;
  secrets: Record<string, string>;
  store: UpdateStore;
  /** Writes `<name>.js` and its manifest (and `<name>.rec.js`, the recovery's second stage, if given) into the rig's dist dir; returns the bundle path. */
  bundle(name: string, bytes: Buffer, version: string, board?: string, recovery?: string): string;
  /** `deskphone update ...` in-process; `stop()` is its Ctrl-C. */
  update(...argv: string[]): { done: Promise<CliRun>; stop(): void };
  /** What the last update printed so far (for a test that failed before it ended). */
  printed(): string;
  /** Resolves once the last update's output matches (its lines come as the desks' states change). */
  untilPrinted(pattern: RegExp): Promise<void>;
  /** Publishes a retained snapshot with this phase (and the other fields given), as the station service does. */
  snapshot(station: string, phase: number, fields?: object): Promise<void>;
  close(): Promise<void>;
}

export function randomImage(bytes: number): Buffer {
  // printable, like a bundle (and so no byte is 0xFF, an erased flash word)
  return Buffer.from(randomBytes(bytes).map((b) => 32 + (b % 90)));
}

export async function startUpdateRig(stations: string[], board = 'linux'): Promise<UpdateRig> {
  const home = tempHome('dp-update-');
  const dist = join(home, 'dist');
  mkdirSync(dist);
  const registry = openRegistry(home);
  const issued = await registry.addStations(stations.map((id) => ({ id, areas: ['WV'], board })));
  const secrets = Object.fromEntries(issued.map((i) => [i.id, i.secret]));
  // as on a site where `deskphone up` ran before: the admin account exists (issuing it later would close the sessions logged in with it)
  await registry.serviceCredentials('svc-admin');
  const broker = await brokerWithPresence({ dataDir: home, registry, listen: '127.0.0.1:0', logger: pino({ level: process.env.RIG_LOG ?? 'silent' }) });
  const host = await mqtt.connectAsync(broker.url, { clientId: 'svc-host-rig', ...(await registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
  const store = new UpdateStore(registry.db);
  let printed = '';
  let waiting: { pattern: RegExp; resolve: () => void }[] = [];
  const print = (text: string) => {
    printed = text;
    waiting = waiting.filter((w) => !(w.pattern.test(printed) && (w.resolve(), true)));
  };
  return {
    printed: () => printed,
    untilPrinted: (pattern) => new Promise((resolve) => (pattern.test(printed) ? resolve() : waiting.push({ pattern, resolve }))),
    home,
    registry,
    broker,
    secrets,
    store,
    bundle(name, bytes, version, boardName = board, recovery) {
      const file = join(dist, `${name}.js`);
      writeFileSync(file, bytes);
      if (recovery) writeFileSync(join(dist, `${name}.rec.js`), recovery);
      const manifest = { board: boardName, version, bytes: bytes.length, crc32: crc32(bytes), sha256: createHash('sha256').update(bytes).digest('hex') };
      writeFileSync(join(dist, `${name}.json`), JSON.stringify(manifest));
      return file;
    },
    update(...argv) {
      let stop!: () => void;
      const stopSignal = new Promise<void>((resolve) => (stop = resolve));
      let out = '';
      let err = '';
      print('');
      const output = { out: (t: string) => print((out += t.endsWith('\n') ? t : t + '\n')), err: (t: string) => void (err += t.endsWith('\n') ? t : t + '\n'), tty: false };
      const done = cli(['update', '--broker', broker.url, ...argv], { output, env: { DESKPHONE_HOME: home }, stopSignal }).then((code) => ({ code, out, err }));
      return { done, stop };
    },
    async snapshot(station, phase, fields = {}) {
      await host.publishAsync(downTopic(station, 'snap'), Buffer.from(encodeMessage('Snapshot', { ...fields, station, phase })), { qos: 1, retain: true });
    },
    async close() {
      await host.endAsync(true);
      await broker.close();
      registry.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A client of the rig's broker for checks, on the host's account. */
export async function hostClient(rig: UpdateRig, name: string): Promise<MqttClient> {
  return mqtt.connectAsync(rig.broker.url, { clientId: `svc-host-${name}`, ...(await rig.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
}

/**
 * For a TCP proxy between broker and desk (tcp-proxy.ts `rewrite`): changes one
 * byte of the chunk at `offset`, once. With `fixCrc` the chunk's CRC is made to
 * match, so only the whole image's CRC can tell; without, the chunk's own does.
 */
export function corruptChunk(offset: number, fixCrc: boolean): PacketRewrite {
  let done = false;
  return (p: mqttPacket.Packet) => {
    if (done || p.cmd !== 'publish' || !p.topic.endsWith('/dn/chunk')) return p;
    const chunk = decodeMessage('UpdateChunk', p.payload as Buffer);
    if (chunk.offset !== offset) return p;
    done = true;
    const data = Buffer.from(chunk.data as Uint8Array);
    data[10] ^= 0x01;
    return { ...p, payload: Buffer.from(encodeMessage('UpdateChunk', { ...chunk, data, crc32: fixCrc ? crc32(data) : chunk.crc32 })) };
  };
}

/** One thing a desk said, as the host hears it: an UpdateStatus, a birth or a will. */
export interface Said {
  kind: 'status' | 'birth' | 'will';
  state?: number;
  offset?: number;
  detail?: string;
  firmware?: string;
}

/** What every desk of the rig says on up/update and up/presence, in order, and promises on it. */
export async function listenToDesks(rig: UpdateRig) {
  const client = await hostClient(rig, 'listen');
  const said = new Map<string, Said[]>();
  let waiters: (() => boolean)[] = [];
  client.on('message', (topic, payload) => {
    const station = topic.split('/')[3];
    const list = said.get(station) ?? [];
    said.set(station, list);
    if (topic.endsWith('/up/update')) {
      const s = decodeMessage('UpdateStatus', payload);
      list.push({ kind: 'status', state: s.state, offset: s.offset, detail: s.detail });
    } else if (payload.length) {
      const p = decodeMessage('Presence', payload);
      list.push({ kind: p.online ? 'birth' : 'will', firmware: p.birth?.firmware });
    }
    waiters = waiters.filter((w) => !w());
  });
  await client.subscribeAsync(['dp/v1/st/+/up/update', 'dp/v1/st/+/up/presence'], { qos: 1 });
  const of = (station: string) => said.get(station) ?? [];
  return {
    of,
    births: (station: string, firmware: string) => of(station).filter((s) => s.kind === 'birth' && s.firmware === firmware).length,
    /** Resolves once `check` holds, checked as each message arrives. */
    when(check: () => boolean): Promise<void> {
      return new Promise((resolve) => {
        const w = () => check() && (resolve(), true);
        if (!w()) waiters.push(w);
      });
    },
    /** For a failed test's output: each desk's messages, one line each. */
    text: () => [...said].map(([id, l]) => `${id}: ${l.map((s) => (s.kind === 'status' ? `${s.state}@${s.offset}${s.detail ? ' ' + s.detail : ''}` : `${s.kind} ${s.firmware ?? ''}`)).join(', ')}`).join('\n'),
    end: () => client.endAsync(true),
  };
}

/**
 * A TCP proxy in front of the rig's broker that notes every update message
 * the desks behind it get ("<station> offer", "<station> chunk <offset>",
 * "<station> cmd"), then passes it through `rewrite` (if any).
 */
export async function wireTap(rig: UpdateRig, rewrite: PacketRewrite = (p) => p): Promise<{ proxy: TcpProxy; seen: string[] }> {
  const seen: string[] = [];
  const proxy = await startProxy({ port: rig.broker.tcpPort }, 'pass', (p) => {
    if (p.cmd === 'publish' && p.topic.includes('/dn/') && !p.topic.endsWith('/dn/snap')) {
      const [, , , station, , kind] = p.topic.split('/');
      seen.push(kind === 'chunk' ? `${station} chunk ${decodeMessage('UpdateChunk', p.payload as Buffer).offset}` : `${station} ${kind}`);
    }
    return rewrite(p);
  });
  return { proxy, seen };
}
