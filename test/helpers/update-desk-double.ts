// A protocol-level stand-in for a desk's update path. It speaks the real
// protocol over a real MQTT connection (station credentials, persistent
// session, retained birth, last will) and answers as the firmware's
// net/update.ts does: CURRENT by the running image's CRC-32, BUSY while in a
// call, READY from where its slot stands, RECEIVING with the next offset,
// VERIFIED or FAILED ("image crc") after the whole image, then a restart with
// a birth on the new version, or on the old one with the rollback's reason
// when told to crash at boot. The tests run `deskphone update` against
// simulator desks on the exact bundles; this double stays for what they
// cannot do cheaply: the bench's 200 desks (the host's side alone, without
// 200 interpreters in one process) and a one-slot desk's recovery under the
// real command (the simulated Pixl.js recovers on the manual clock).
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import { crc32 } from 'node:zlib';
import { decodeMessage, encodeMessage, UpdateState } from '../../protocol/host-codec.ts';
import { downFilter, upTopic } from '../../protocol/topics.ts';

export interface DeskDoubleOptions {
  url: string;
  id: string;
  secret: string;
  board: string;
  version: string;
  /** The running image's bytes (its CRC-32 decides CURRENT). */
  image: Buffer;
  /** Fault: the new image throws this at boot; the boot selector falls back to the old one, which tells why after its birth. */
  crashAtBoot?: string;
  /** Fault: the desk loses power once it has received this many bytes (then boots again and reconnects). */
  dieAtByte?: number;
  /**
   * One slot (the Pixl.js): an accepted offer restarts the desk into its
   * recovery (REBOOTING), which connects with a clean session and no birth,
   * asks for its second stage (RECOVERY "code", no run id), and once that came
   * on dn/rec says RECOVERY with its offset and receives the image.
   */
  oneSlot?: boolean;
}

interface Slot {
  size: number;
  crc: number;
  data: Buffer;
  at: number;
  version: string;
}

const BAD_CHUNK = 'chunk crc';

/** Emits 'status' (UpdateState, offset) for every status it sends and 'birth' for every birth. */
export class DeskDouble extends EventEmitter {
  client: MqttClient | null = null;
  version: string;
  image: Buffer;
  inCall = false;
  session = 0;
  /** Every update message the desk got, as "kind offset" (offers: "offer"). */
  readonly received: string[] = [];
  private slot: Slot | null = null;
  private runId = '';
  private dieAt: number | undefined;

  constructor(private readonly o: DeskDoubleOptions) {
    super();
    this.version = o.version;
    this.image = o.image;
    this.dieAt = o.dieAtByte;
  }

  /** Boots: connects with a persistent session and publishes its birth. */
  async boot(): Promise<void> {
    this.session++;
    const will = encodeMessage('Presence', { online: false, session: this.session });
    // the handler before CONNACK: a persistent session's queued messages may arrive in the same read
    const client = mqtt.connect(this.o.url, {
      clientId: this.o.id,
      username: this.o.id,
      password: this.o.secret,
      clean: false,
      reconnectPeriod: 0,
      will: { topic: upTopic(this.o.id, 'presence'), payload: Buffer.from(will), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(client, topic, payload));
    // as the firmware's link: a connection the broker ended is dialled again (with the next session number)
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = null;
      void this.boot();
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(downFilter(this.o.id), { qos: 1 });
    const birth = { firmware: this.version, board: this.o.board, session: this.session };
    await client.publishAsync(upTopic(this.o.id, 'presence'), Buffer.from(encodeMessage('Presence', { online: true, session: this.session, birth })), { qos: 1, retain: true });
    this.emit('birth', this.version);
  }

  /** Power gone: the connection drops without DISCONNECT, so the broker publishes the last will. */
  powerCut(): void {
    const client = this.client;
    this.client = null;
    client?.stream.destroy();
    client?.end(true);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.endAsync(true);
  }

  private say(client: MqttClient, state: number, offset: number, detail = ''): Promise<unknown> {
    const status = { id: this.runId, state, offset, version: this.version, detail, crc32: this.slot?.crc ?? crc32(this.image) };
    this.emit('status', state, offset);
    return client.publishAsync(upTopic(this.o.id, 'update'), Buffer.from(encodeMessage('UpdateStatus', status)), { qos: 1 });
  }

  /** The recovery's first stage: its own MQTT (clean session, QoS 0), no birth, asking for the second stage. */
  private async recovery(): Promise<void> {
    this.powerCut();
    const client = mqtt.connect(this.o.url, { clientId: this.o.id, username: this.o.id, password: this.o.secret, clean: true, reconnectPeriod: 0 });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(client, topic, payload));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await client.subscribeAsync([`dp/v1/st/${this.o.id}/dn/rec`, `dp/v1/st/${this.o.id}/dn/chunk`], { qos: 0 });
    const runId = this.runId;
    this.runId = '';
    await this.say(client, UpdateState.RECOVERY, 0, 'code');
    this.runId = runId;
  }

  private onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    if (client !== this.client) return;
    if (topic.endsWith('/dn/rec')) {
      this.received.push('rec');
      void this.say(client, UpdateState.RECOVERY, this.slot?.at ?? 0, '');
      return;
    }
    if (topic.endsWith('/dn/offer')) void this.onOffer(client, decodeMessage('UpdateOffer', payload));
    else if (topic.endsWith('/dn/chunk')) void this.onChunk(client, decodeMessage('UpdateChunk', payload) as { offset: number; data: Uint8Array; crc32: number; version: string });
    else this.received.push(topic.slice(topic.lastIndexOf('/') + 1));
  }

  private onOffer(client: MqttClient, offer: { id: string; version: string; size: number; crc32: number }): Promise<unknown> {
    this.received.push('offer');
    this.runId = offer.id;
    if (offer.crc32 === crc32(this.image)) return this.say(client, UpdateState.CURRENT, 0);
    if (this.inCall) return this.say(client, UpdateState.BUSY, 0, 'in a call');
    if (!this.slot || this.slot.size !== offer.size || this.slot.crc !== offer.crc32) this.slot = { size: offer.size, crc: offer.crc32, data: Buffer.alloc(offer.size), at: 0, version: offer.version };
    if (this.o.oneSlot) return this.say(client, UpdateState.REBOOTING, 0).then(() => this.recovery());
    return this.say(client, UpdateState.READY, this.slot.at);
  }

  private onChunk(client: MqttClient, chunk: { offset: number; data: Uint8Array; crc32: number; version: string }): Promise<unknown> | undefined {
    const slot = this.slot;
    if (!slot) return;
    this.received.push(`chunk ${chunk.offset}`);
    if (this.inCall) return this.say(client, UpdateState.BUSY, slot.at, 'in a call');
    const data = Buffer.from(chunk.data);
    if (chunk.offset !== slot.at || data.length === 0 || chunk.offset + data.length > slot.size) return this.say(client, UpdateState.RECEIVING, slot.at, 'offset');
    if (crc32(data) !== chunk.crc32) return this.say(client, UpdateState.RECEIVING, slot.at, BAD_CHUNK);
    data.copy(slot.data, slot.at);
    slot.at += data.length;
    if (this.dieAt !== undefined && slot.at >= this.dieAt) {
      this.dieAt = undefined;
      this.powerCut();
      void this.boot();
      return;
    }
    if (slot.at < slot.size) return this.say(client, UpdateState.RECEIVING, slot.at);
    if (crc32(slot.data) !== slot.crc) {
      this.slot = null;
      return this.say(client, UpdateState.FAILED, 0, 'image crc');
    }
    const verified = this.say(client, UpdateState.VERIFIED, slot.at);
    this.slot = null;
    // the desk restarts once VERIFIED went out
    return verified.then(() => this.restartInto(slot));
  }

  private async restartInto(slot: Slot): Promise<void> {
    this.powerCut();
    if (this.o.crashAtBoot) {
      await this.boot();
      // as net/update.ts healthy(): once the birth is through, once, without a run id
      this.runId = '';
      await this.say(this.client!, UpdateState.FAILED, 0, `rolled back from ${slot.version}: ${this.o.crashAtBoot}`);
      return;
    }
    this.version = slot.version;
    this.image = slot.data;
    await this.boot();
  }
}
