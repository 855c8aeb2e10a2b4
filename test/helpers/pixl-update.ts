// A Pixl.js desk being updated over the network in the simulator, for the
// update and power-cut tests (and the host's side for the real interpreter's): Storage laid out as `deskphone flash` lays it out
// (hardware/storage-layout.ts) on the byte-exact flash model, the exact
// bundles, a real broker, and on the host's side the protocol of
// docs/updates.md played by the test: an offer whenever the desk is born on
// another firmware, the recovery's second stage when the desk asks for it,
// and each chunk at the offset the desk says it needs (one at a time). The
// desk's power can be cut at any byte written or before any page erase; it is
// then powered on again with what the cut left, as a user would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DIST_DIR } from '../../firmware/build.ts';
import { loadBoard } from '../../hardware/board.ts';
import { crc32, layoutWrites, storagePlan, type StoragePlan } from '../../hardware/storage-layout.ts';
import { FlashMemory, HEADER_BYTES, JsfStorage } from '../../hardware/sim/jsflash.ts';
import { Simulator } from '../../hardware/sim/simulator.ts';
import { UpdateState } from '../../protocol/device/enums.generated.ts';
import { decodeMessage, encodeMessage } from '../../protocol/host-codec.ts';
import { downTopic, upTopic } from '../../protocol/topics.ts';
import type { TestBroker } from './link-io.ts';

export const BOARD = 'pixljs-w5100';
export const PLAN: StoragePlan = storagePlan(loadBoard(BOARD));
const CHUNK_BYTES = 1024;

export interface Image {
  bytes: Buffer;
  crc: number;
  version: string;
}

export function imageOf(file: string, version: string): Image {
  const bytes = readFileSync(file);
  return { bytes, crc: crc32(bytes), version };
}

/** The station's config as `deskphone flash` writes it, for a broker on `port`: a static address, so no DHCP waits. */
export function pixlConfig(broker: Pick<TestBroker, 'port' | 'secrets'>, id: string): object {
  const net = { ip: '192.168.100.142', gw: '192.168.100.1', mask: '255.255.255.0', dns: '192.168.100.1' };
  return { v: 1, id, board: BOARD, host: '127.0.0.1', port: broker.port, pass: broker.secrets[id], lang: 'de', digits: 12, net };
}

/** Storage's bytes after `deskphone flash` laid it out with `image` in the slot. */
export function laidOut(config: object, image: Image): Uint8Array {
  const jsf = new JsfStorage(new FlashMemory({ base: PLAN.base, bytes: PLAN.bytes, page: PLAN.page }));
  const selector = readFileSync(join(DIST_DIR, BOARD + '.boot.js'));
  for (const w of layoutWrites(PLAN, { selector, config: Buffer.from(JSON.stringify(config)), image: image.bytes, version: image.version })) {
    jsf.write(w.name, w.data, w.offset ?? 0, w.size ?? 0);
  }
  return jsf.flash.image.slice();
}

/** Each Storage file of an image: where its header lies, in which page, its size. */
export function storageMap(image: Uint8Array): { file: string; header: number; page: number; bytes: number }[] {
  const jsf = new JsfStorage(new FlashMemory({ base: PLAN.base, bytes: PLAN.bytes, page: PLAN.page }, image));
  return jsf.list().map((name) => {
    const f = jsf.find(name)!;
    const header = f.addr - HEADER_BYTES - PLAN.base;
    return { file: name, header, page: Math.floor(header / PLAN.page), bytes: f.size };
  });
}

/**
 * The host's side of an update to one desk, played by the test: it answers
 * each message at once, so a Pixl.js on the simulated clock (runUntil) goes
 * through dozens of power cuts in seconds, where the real command's
 * wall-clock timers would make each a run of its own (update-rollout.test.ts
 * drives a Pixl.js with `deskphone update` itself).
 */
export class UpdateHost {
  readonly statuses: { state: number; offset: number; detail: string }[] = [];
  readonly births: string[] = [];
  codeSent = 0;
  /** Runs once, just before the first offer goes out (where a test arms its power cut). */
  beforeOffer: () => void = () => {};
  private offers = 0;
  private constructor(
    private readonly client: mqtt.MqttClient,
    private readonly id: string,
    private readonly image: Image,
    private readonly stage2: Buffer,
  ) {}

  /** `board`'s recovery second stage is what the host sends when asked. */
  static async start(broker: TestBroker, id: string, image: Image, board = BOARD): Promise<UpdateHost> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...broker.host, clientId: broker.host.username + '-update-' + id, reconnectPeriod: 0 });
    const host = new UpdateHost(client, id, image, readFileSync(join(DIST_DIR, board + '.rec.js')));
    // A retained presence is an earlier run's: only births seen live count.
    client.on('message', (topic, payload, packet) => packet.retain || host.onMessage(topic, payload));
    await client.subscribeAsync([upTopic(id, 'update'), upTopic(id, 'presence')], { qos: 1 });
    return host;
  }

  /** The whole image arrived and checked out. */
  get verified(): boolean {
    return this.statuses.some((s) => s.state === UpdateState.VERIFIED);
  }

  /** The desk runs the new image and the broker has its birth. */
  get done(): boolean {
    return this.births[this.births.length - 1] === this.image.version;
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }

  private send(kind: 'offer' | 'chunk' | 'rec', payload: Uint8Array): void {
    this.client.publish(downTopic(this.id, kind), Buffer.from(payload), { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === upTopic(this.id, 'presence')) {
      const p = decodeMessage('Presence', payload) as { online: boolean; birth?: { firmware: string } };
      if (!p.online || !p.birth) return;
      this.births.push(p.birth.firmware);
      // Born on another firmware: (again) an offer, as a host resumes an update on a desk's next birth.
      if (p.birth.firmware !== this.image.version) this.offer();
      return;
    }
    const s = decodeMessage('UpdateStatus', payload) as { state: number; offset: number; detail: string };
    this.statuses.push({ state: s.state, offset: s.offset, detail: s.detail });
    if (s.state === UpdateState.RECOVERY && s.detail === 'code') {
      this.codeSent++;
      return this.send('rec', encodeMessage('RecoveryCode', { code: this.stage2 }));
    }
    if (s.state === UpdateState.RECOVERY || s.state === UpdateState.READY || s.state === UpdateState.RECEIVING) this.chunk(s.offset);
  }

  private offer(): void {
    if (!this.offers++) this.beforeOffer();
    const { bytes, crc, version } = this.image;
    this.send('offer', encodeMessage('UpdateOffer', { id: 'run-1', version, size: bytes.length, crc32: crc, sha256: '', chunkSize: CHUNK_BYTES, healthS: 120 }));
  }

  private chunk(offset: number): void {
    const { bytes, crc, version } = this.image;
    if (offset >= bytes.length) return;
    const data = bytes.subarray(offset, offset + CHUNK_BYTES);
    const last = offset + data.length === bytes.length;
    this.send('chunk', encodeMessage('UpdateChunk', { offset, data, crc32: crc32(data), size: bytes.length, imageCrc32: crc, id: 'run-1', ...(last ? { version, healthS: 120 } : {}) }));
  }
}

/** A Pixl.js powered on with `flash` as its Storage. */
export function pixl(flash: Uint8Array): Simulator {
  return new Simulator({ board: BOARD, flash, clock: 'manual' }).boot();
}

/**
 * Runs the desk until `done`, in simulated steps with real event-loop turns
 * for the sockets; a desk whose power was cut is powered on again after a
 * second. Returns how often that happened.
 */
export async function runUntil(sim: Simulator, done: () => boolean, what: string, limitMs = 600_000): Promise<number> {
  let powerOns = 0;
  for (let t = 0; t < limitMs; t += 20) {
    if (done()) return powerOns;
    if (sim.storage.flash.cut) {
      await sim.advance(1000);
      sim.boot();
      powerOns++;
    }
    await sim.advance(20);
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`not within ${limitMs / 1000} s of simulated time: ${what}; Storage: ${sim.storage.names().join(', ')}; console: ${sim.console.slice(-5).join(' | ')}`);
}
