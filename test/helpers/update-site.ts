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
import type { PacketRewrite } from './tcp-proxy.ts';

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
