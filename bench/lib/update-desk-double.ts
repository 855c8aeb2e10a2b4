// A protocol-level stand-in for a two-slot desk's update path, for the
// bench's host-only figure (bench/update.ts: 200 desks without 200
// interpreters in the bench's process, so the numbers are the host's). It
// speaks the real protocol over a real MQTT connection (station credentials,
// persistent session, retained birth, last will) and answers as the
// firmware's net/update.ts does on a free desk: CURRENT by the running
// image's CRC-32, READY from where its slot stands, RECEIVING with the next
// offset (or the offset it needs), VERIFIED or FAILED ("image crc") after the
// whole image, then a restart with a birth on the new version. The tests run
// `deskphone update` against simulator desks on the exact bundles instead
// (test/update-fleet.test.ts, test/update-rollout.test.ts).
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
}

interface Slot {
  size: number;
  crc: number;
  data: Buffer;
  at: number;
  version: string;
}

export class DeskDouble {
  client: MqttClient | null = null;
  version: string;
  image: Buffer;
  private session = 0;
  private slot: Slot | null = null;
  private runId = '';

  constructor(private readonly o: DeskDoubleOptions) {
    this.version = o.version;
    this.image = o.image;
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
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.endAsync(true);
  }

  private say(client: MqttClient, state: number, offset: number, detail = ''): Promise<unknown> {
    const status = { id: this.runId, state, offset, version: this.version, detail, crc32: this.slot?.crc ?? crc32(this.image) };
    return client.publishAsync(upTopic(this.o.id, 'update'), Buffer.from(encodeMessage('UpdateStatus', status)), { qos: 1 });
  }

  private onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    if (client !== this.client) return;
    if (topic.endsWith('/dn/offer')) void this.onOffer(client, decodeMessage('UpdateOffer', payload));
    else if (topic.endsWith('/dn/chunk')) void this.onChunk(client, decodeMessage('UpdateChunk', payload) as { offset: number; data: Uint8Array; crc32: number });
  }

  private onOffer(client: MqttClient, offer: { id: string; version: string; size: number; crc32: number }): Promise<unknown> {
    this.runId = offer.id;
    if (offer.crc32 === crc32(this.image)) return this.say(client, UpdateState.CURRENT, 0);
    if (!this.slot || this.slot.size !== offer.size || this.slot.crc !== offer.crc32) this.slot = { size: offer.size, crc: offer.crc32, data: Buffer.alloc(offer.size), at: 0, version: offer.version };
    return this.say(client, UpdateState.READY, this.slot.at);
  }

  private onChunk(client: MqttClient, chunk: { offset: number; data: Uint8Array; crc32: number }): Promise<unknown> | undefined {
    const slot = this.slot;
    if (!slot) return;
    const data = Buffer.from(chunk.data);
    if (chunk.offset !== slot.at || data.length === 0 || chunk.offset + data.length > slot.size) return this.say(client, UpdateState.RECEIVING, slot.at, 'offset');
    if (crc32(data) !== chunk.crc32) return this.say(client, UpdateState.RECEIVING, slot.at, 'chunk crc');
    data.copy(slot.data, slot.at);
    slot.at += data.length;
    if (slot.at < slot.size) return this.say(client, UpdateState.RECEIVING, slot.at);
    this.slot = null;
    if (crc32(slot.data) !== slot.crc) return this.say(client, UpdateState.FAILED, 0, 'image crc');
    // the desk restarts once VERIFIED went out
    return this.say(client, UpdateState.VERIFIED, slot.at).then(() => this.restartInto(slot));
  }

  /** Power gone after VERIFIED (no DISCONNECT: the broker publishes the will), then the new image's boot. */
  private async restartInto(slot: Slot): Promise<void> {
    const client = this.client;
    this.client = null;
    client?.stream.destroy();
    client?.end(true);
    this.version = slot.version;
    this.image = slot.data;
    await this.boot();
  }
}
