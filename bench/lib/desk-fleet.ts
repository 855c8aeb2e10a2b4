// The load generator of `npm run bench -- scale`, run as its own process:
// thousands of desks as lightweight MQTT clients that speak the firmware's
// protocol (firmware/src/net/link.ts: CONNECT with clean session off, a 30 s
// keepalive and the retained last will; on CONNACK one SUBSCRIBE to dn/# and
// the host presence, the retained birth and a SyncRequest; PUBACK for every
// QoS 1 message; a 20 s CONNACK timeout and the same reconnect backoff), the
// call events at a steady rate through the host's webhook, the desks' lookups,
// and for the mosquitto reference a stand-in host that publishes the same
// snapshots and answers the same lookups. Driven by its parent over IPC.
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { AccountSource, decodeMessage, encodeMessage } from '../../protocol/host-codec.ts';
import { HOST_PRESENCE, downFilter, upTopic } from '../../protocol/topics.ts';
import { PHASE_AFTER, referenceHost, webhookSender, type Target } from './reference-host.ts';

/** Settings copied from firmware/src/net/link.ts (Limits). */
const KEEPALIVE_S = 30;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
/** The firmware's one timer per connection fires every ka*667 ms; unanswered CONNECT at the first tick. */
const TICK_MS = KEEPALIVE_S * 667;

/** Microsecond-ish wall time shared by processes on one machine. */
export const wallMs = () => performance.timeOrigin + performance.now();

/** What the desks saw, for the parent. */
export interface FleetReport {
  /** ms from the start of the phase until every desk had its CONNACK and a snapshot; NaN if not all made it. */
  allReadyMs: number;
  ready: number;
  /** CONNECTs that saw no CONNACK within the firmware's timeout. */
  connackTimeouts: number;
  /** Connections the broker refused or cut before the desk was ready. */
  failures: number;
  snapshotLatencyMs: number[];
  lookupLatencyMs: number[];
  events: number;
  eventErrors: number;
  lookups: number;
}

class Desk {
  socket: Socket | null = null;
  session = 0;
  nextId = 1;
  backoff = BACKOFF_BASE_MS;
  retryTimer: NodeJS.Timeout | null = null;
  tick: NodeJS.Timeout | null = null;
  connected = false;
  ready = false;
  pingOutstanding = false;
  stopped = false;

  constructor(
    readonly id: string,
    readonly secret: string,
    readonly fleet: Fleet,
  ) {}

  dial(): void {
    if (this.stopped) return;
    this.retryTimer = null;
    this.session++;
    this.connected = false;
    this.ready = false;
    this.pingOutstanding = false;
    const socket = tcpConnect(this.fleet.target.port, this.fleet.target.host);
    socket.setNoDelay(true);
    this.socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => this.packet(packet));
    parser.on('error', () => this.lost());
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => this.lost());
    socket.on('close', () => this.lost());
    socket.on('connect', () => {
      const will = encodeMessage('Presence', { online: false, session: this.session });
      this.write({
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, keepalive: KEEPALIVE_S, clientId: this.id,
        username: this.id, password: Buffer.from(this.secret),
        will: { topic: upTopic(this.id, 'presence'), payload: Buffer.from(will), qos: 1, retain: true },
      });
    });
    this.tick = setInterval(() => this.onTick(), TICK_MS);
  }

  private write(packet: object): void {
    this.socket?.write(mqttPacket.generate(packet as mqttPacket.Packet));
  }

  private onTick(): void {
    if (!this.connected) {
      this.fleet.report.connackTimeouts++;
      return this.lost();
    }
    if (this.pingOutstanding) return this.lost();
    this.pingOutstanding = true;
    this.write({ cmd: 'pingreq' });
  }

  private packet(packet: mqttPacket.Packet): void {
    switch (packet.cmd) {
      case 'connack':
        if (packet.returnCode !== 0) return this.lost();
        this.connected = true;
        this.backoff = BACKOFF_BASE_MS;
        this.write({ cmd: 'subscribe', messageId: this.id16(), subscriptions: [{ topic: downFilter(this.id), qos: 1 }, { topic: HOST_PRESENCE, qos: 1 }] });
        this.publish('presence', encodeMessage('Presence', { online: true, session: this.session, birth: { firmware: 'bench', board: 'linux', session: this.session, address: '127.0.0.1' } }), true);
        this.publish('sync', encodeMessage('SyncRequest', { haveSeq: 0 }), false);
        return;
      case 'publish': {
        if (packet.qos === 1) this.write({ cmd: 'puback', messageId: packet.messageId });
        const payload = packet.payload as Buffer;
        if (packet.topic.endsWith('/snap') && payload.length > 0) {
          const snap = decodeMessage('Snapshot', new Uint8Array(payload));
          if (!this.ready && this.connected) {
            this.ready = true;
            this.fleet.deskReady();
          }
          this.fleet.snapshotArrived(this.id, snap.phase);
        } else if (packet.topic.endsWith('/lookup')) {
          this.fleet.lookupArrived(decodeMessage('LookupResult', new Uint8Array(payload)).corr);
        }
        return;
      }
      case 'pingresp':
        this.pingOutstanding = false;
        return;
      default:
    }
  }

  publish(kind: 'presence' | 'sync' | 'lookup', payload: Uint8Array, retain: boolean): void {
    this.write({ cmd: 'publish', topic: upTopic(this.id, kind), payload: Buffer.from(payload), qos: 1, retain, messageId: this.id16(), dup: false });
  }

  private id16(): number {
    this.nextId = (this.nextId % 65535) + 1;
    return this.nextId;
  }

  lost(): void {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = null;
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    socket.destroy();
    if (this.ready) this.fleet.deskLost();
    else this.fleet.report.failures++;
    this.ready = false;
    this.connected = false;
    if (this.stopped) return;
    const d = this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_CAP_MS);
    // equal jitter, as the firmware
    this.retryTimer = setTimeout(() => this.dial(), d / 2 + (Math.random() * d) / 2);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.socket) {
      this.write({ cmd: 'disconnect' });
      this.socket.destroy();
    }
    this.socket = null;
    if (this.tick) clearInterval(this.tick);
  }
}

/** The host's answer to an event, as the desk's snapshot phase. */
const CALL_CYCLE = ['offered', 'answered', 'hangup', 'ready'] as const;

export class Fleet {
  desks: Desk[] = [];
  report: FleetReport = Fleet.emptyReport();
  private readyCount = 0;
  private phaseStarted = 0;
  private readyWaiters: (() => void)[] = [];
  /** Per station: the phase the next snapshot should show and when its cause was sent. */
  private expected = new Map<string, { phase: number; at: number }>();
  private lookupsSent = new Map<string, number>();
  private measuring = false;

  constructor(readonly target: Target) {}

  static emptyReport(): FleetReport {
    return { allReadyMs: NaN, ready: 0, connackTimeouts: 0, failures: 0, snapshotLatencyMs: [], lookupLatencyMs: [], events: 0, eventErrors: 0, lookups: 0 };
  }

  /** Starts every desk at once, as a site's desks do after a power cut, and resolves when all are ready or the time is up. */
  async connectAll(credentials: [string, string][], limitMs: number): Promise<FleetReport> {
    this.report = Fleet.emptyReport();
    this.phaseStarted = wallMs();
    this.desks = credentials.map(([id, secret]) => new Desk(id, secret, this));
    for (const desk of this.desks) desk.dial();
    return this.waitAllReady(limitMs);
  }

  /** After a broker restart the desks reconnect by themselves; measures from `since` (wall ms). */
  async reconnected(since: number, limitMs: number): Promise<FleetReport> {
    this.report = Fleet.emptyReport();
    this.phaseStarted = since;
    return this.waitAllReady(limitMs);
  }

  private async waitAllReady(limitMs: number): Promise<FleetReport> {
    if (this.readyCount < this.desks.length) {
      await Promise.race([new Promise<void>((r) => this.readyWaiters.push(r)), new Promise((r) => setTimeout(r, limitMs))]);
    }
    this.report.ready = this.readyCount;
    return this.report;
  }

  deskReady(): void {
    this.readyCount++;
    if (this.readyCount === this.desks.length) {
      this.report.allReadyMs = wallMs() - this.phaseStarted;
      for (const w of this.readyWaiters.splice(0)) w();
    }
  }

  deskLost(): void {
    this.readyCount--;
  }

  snapshotArrived(station: string, phase: number): void {
    const e = this.expected.get(station);
    if (!e || e.phase !== phase) return;
    this.expected.delete(station);
    if (this.measuring) this.report.snapshotLatencyMs.push(wallMs() - e.at);
  }

  lookupArrived(corr: string): void {
    const at = this.lookupsSent.get(corr);
    if (at === undefined) return;
    this.lookupsSent.delete(corr);
    if (this.measuring) this.report.lookupLatencyMs.push(wallMs() - at);
  }

  expect(station: string, phase: number): void {
    this.expected.set(station, { phase, at: wallMs() });
  }

  /**
   * Runs `seconds` of load: `eventsPerS` call events (each with the phase its
   * snapshot must show) through `send`, and `lookupsPerS` keyed-in lookups
   * from random desks. The first `warmS` seconds are not measured.
   */
  async load(send: (event: Record<string, unknown>) => Promise<boolean>, eventsPerS: number, lookupsPerS: number, warmS: number, seconds: number): Promise<FleetReport> {
    this.report = Fleet.emptyReport();
    this.expected.clear();
    const ids = this.desks.map((d) => d.id);
    // Each station walks through calls; the next event goes to the station whose turn it is.
    const step = new Map<string, number>();
    let callNo = 0;
    let cursor = 0;
    const nextEvent = (): Record<string, unknown> => {
      const station = ids[cursor++ % ids.length];
      const i = step.get(station) ?? 0;
      step.set(station, i + 1);
      const type = CALL_CYCLE[i % CALL_CYCLE.length];
      const callId = `c-${station}-${Math.floor(i / CALL_CYCLE.length)}`;
      if (type === 'offered') callNo++;
      if (type === 'offered') return { type, station, callId, menu: (callNo % 6) + 1 };
      if (type === 'hangup') return { type, station, callId, by: 'caller' };
      if (type === 'ready') return { type, station };
      return { type, station, callId };
    };
    let lookupNo = 0;
    const started = wallMs();
    let eventsSent = 0;
    let lookupsSent = 0;
    const inflight = new Set<Promise<void>>();
    while (wallMs() - started < (warmS + seconds) * 1000) {
      const elapsedS = (wallMs() - started) / 1000;
      this.measuring = elapsedS >= warmS;
      for (; eventsSent < Math.floor(elapsedS * eventsPerS); eventsSent++) {
        const event = nextEvent();
        this.expect(String(event.station), PHASE_AFTER[String(event.type)]);
        const p = send(event).then((ok) => {
          if (this.measuring) ok ? this.report.events++ : this.report.eventErrors++;
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      for (; lookupsSent < Math.floor(elapsedS * lookupsPerS); lookupsSent++) {
        const desk = this.desks[Math.floor(Math.random() * this.desks.length)];
        const corr = `l${lookupNo++}`;
        this.lookupsSent.set(corr, wallMs());
        if (this.measuring) this.report.lookups++;
        desk.publish('lookup', encodeMessage('LookupRequest', { corr, account: String(400_000_000_000 + lookupNo), source: AccountSource.KEYPAD, callId: '' }), false);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inflight);
    // the last answers of the window
    await new Promise((r) => setTimeout(r, 1000));
    this.measuring = false;
    return this.report;
  }

  /** Signs every station in so calls can be offered (not measured). */
  async signIn(send: (event: Record<string, unknown>) => Promise<boolean>, perS: number): Promise<number> {
    let failed = 0;
    const ids = this.desks.map((d) => d.id);
    for (let i = 0; i < ids.length; i += perS / 10) {
      const batch = ids.slice(i, i + perS / 10);
      const results = await Promise.all(batch.map((station) => send({ type: 'sign_in', station, agent: `a-${station}` })));
      failed += results.filter((ok) => !ok).length;
      await new Promise((r) => setTimeout(r, 100));
    }
    return failed;
  }

  stop(): void {
    for (const desk of this.desks) desk.stop();
    this.desks = [];
    this.readyCount = 0;
  }
}

type Command =
  | { cmd: 'connect'; target: Target; credentials: [string, string][]; limitMs: number }
  | { cmd: 'restarted'; since: number; limitMs: number }
  | { cmd: 'signIn'; events: { url: string; token: string } }
  | { cmd: 'load'; events?: { url: string; token: string }; reference?: { username: string; password: string }; eventsPerS: number; lookupsPerS: number; warmS: number; seconds: number }
  | { cmd: 'reference-retained'; target: Target; ids: string[]; reference: { username: string; password: string } }
  | { cmd: 'stop' };

/** Child side: one fleet, driven by the parent's commands, each answered with one message. */
export function serveFleet(): void {
  let fleet: Fleet | null = null;
  process.on('message', async (msg: Command) => {
    try {
      switch (msg.cmd) {
        case 'connect':
          fleet = new Fleet(msg.target);
          return process.send!(await fleet.connectAll(msg.credentials, msg.limitMs));
        case 'restarted':
          return process.send!(await fleet!.reconnected(msg.since, msg.limitMs));
        case 'signIn':
          return process.send!({ failed: await fleet!.signIn(webhookSender(msg.events.url, msg.events.token), 500) });
        case 'reference-retained': {
          const host = await referenceHost(msg.target, msg.reference.username, msg.reference.password);
          await host.publishAll(msg.ids);
          host.close();
          return process.send!({});
        }
        case 'load': {
          if (msg.events) return process.send!(await fleet!.load(webhookSender(msg.events.url, msg.events.token), msg.eventsPerS, msg.lookupsPerS, msg.warmS, msg.seconds));
          const host = await referenceHost(fleet!.target, msg.reference!.username, msg.reference!.password);
          const report = await fleet!.load(host.send, msg.eventsPerS, msg.lookupsPerS, msg.warmS, msg.seconds);
          host.close();
          return process.send!(report);
        }
        case 'stop':
          fleet?.stop();
          return process.send!({}, () => process.exit(0));
      }
    } catch (err) {
      process.send!({ error: (err as Error).message });
    }
  });
  process.send!({ ready: true });
}

if (process.env.DESKPHONE_BENCH_ROLE === 'fleet') serveFleet();
