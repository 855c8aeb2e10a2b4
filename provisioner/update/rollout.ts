// The orchestrator of `deskphone update` (docs/updates.md, "Protocol"): offers
// the image to each target desk, streams chunks to the ones that said READY
// with a window ahead of what they acknowledged, and follows each desk to its
// birth on the new version or its rollback. Canaries first; the rest only once
// every canary came back healthy on the new version and stayed so; the first
// rollback stops the rollout. Only online desks are sent anything (QoS 1
// chunks for an offline desk would pile up in its persistent session), and a
// desk in a call is offered again when its snapshot says it is free.
// Every change of a desk's state is written to the store at once, so a
// restarted `deskphone update` resumes (the desk says where it stands).
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { crc32 } from 'node:zlib';
import { decodeMessage, encodeMessage, Phase, UpdateState } from '../../protocol/host-codec.ts';
import { downTopic, parseStationTopic, STATION_PREFIX } from '../../protocol/topics.ts';
import { deviceText } from '../text.ts';
import type { FirmwareImage } from './image.ts';
import { STATE_TEXT } from './progress.ts';
import type { RolloutLimits } from './limits.ts';
import { inWindow } from './plan.ts';
import { isFinal, type RunRecord, type TargetRecord, type TargetState, type UpdateStore } from './store.ts';

const OFFER_ATTEMPTS = 3;
const STALLS = 5;
/** Phases in which a desk takes an update (net/update.ts free()); paused only inside the window. */
const FREE_PHASES: number[] = [Phase.PHASE_UNSPECIFIED, Phase.SIGNED_OUT, Phase.AVAILABLE];
const TICK_MS = 100;
/** How long a desk that came back on its old image has to say why (after its birth) before the host reports it without. */
const REASON_WAIT_MS = 5000;
/** A desk that said busy while the host's snapshot already said free is asked again after this. */
const STALE_BUSY_MS = 2000;

/** What the rollout knows of one desk beyond its stored record. */
interface Desk {
  rec: TargetRecord;
  online: boolean | null;
  /** Session counter of the last birth: the same birth again (retained, then live) is no reconnect. */
  session: number;
  phase: number | null;
  firmware: string;
  /** Next byte to send; `rec.offset` is the next byte the desk wants. */
  next: number;
  since: number;
  attempts: number;
  stalls: number;
  rewoundTo: number;
  rewoundAt: number;
  /** Its birth said it runs another image than this one: rolled back, the reason to follow. */
  fellBack: string;
}

export type RolloutEnd = { kind: 'done' } | { kind: 'stopped'; station: string; reason: string } | { kind: 'interrupted' };

export interface RolloutOptions {
  client: MqttClient;
  store: UpdateStore;
  run: RunRecord;
  image: FirmwareImage;
  targets: TargetRecord[];
  limits: RolloutLimits;
  now?: () => number;
}

/** Emits 'change' (station id) on every state or progress change. */
export class Rollout extends EventEmitter {
  readonly desks = new Map<string, Desk>();
  private readonly now: () => number;
  private readonly limits: RolloutLimits;
  private tokens: number;
  private lastRefill: number;
  private stoppedBy: { station: string; reason: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private finish!: (end: RolloutEnd) => void;
  readonly ended: Promise<RolloutEnd>;
  private readonly startedAt: number;

  constructor(private readonly o: RolloutOptions) {
    super();
    this.now = o.now ?? Date.now;
    this.limits = o.limits;
    this.startedAt = this.now();
    this.tokens = this.burst();
    this.lastRefill = this.startedAt;
    for (const rec of o.targets) this.desks.set(rec.station, { rec, online: null, session: -1, phase: null, firmware: rec.fromVersion, next: rec.offset, since: this.startedAt, attempts: 0, stalls: 0, rewoundTo: -1, rewoundAt: 0, fellBack: '' });
    this.ended = new Promise((resolve) => (this.finish = resolve));
  }

  async start(): Promise<void> {
    const { client } = this.o;
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    // Back on the broker after a drop: what the desks said meanwhile is lost (a clean session), so ask them again.
    client.on('connect', () => {
      for (const d of this.desks.values()) if (d.rec.state === 'offered' || d.rec.state === 'sending') this.set(d, 'waiting', 'host reconnected');
    });
    await client.subscribeAsync([STATION_PREFIX + '+/up/presence', STATION_PREFIX + '+/up/update', STATION_PREFIX + '+/dn/snap'], { qos: 1 });
    // desks being offered or receiving when the last run ended are asked again: they answer where they stand
    for (const d of this.desks.values()) if (d.rec.state === 'offered' || d.rec.state === 'sending' || d.rec.state === 'busy') this.set(d, 'waiting', d.rec.detail);
    this.timer = setInterval(() => this.pump(), TICK_MS);
    this.pump();
  }

  /** Ctrl-C: stop sending, keep every desk's state for the next run. */
  interrupt(): void {
    this.end({ kind: 'interrupted' });
  }

  private end(end: RolloutEnd): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.finish(end);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const parsed = parseStationTopic(topic);
    const desk = parsed && this.desks.get(parsed.station);
    if (!desk || payload.length === 0) return;
    try {
      if (parsed.dir === 'up' && parsed.kind === 'presence') this.onPresence(desk, decodeMessage('Presence', payload), retained);
      else if (parsed.dir === 'up' && parsed.kind === 'update') this.onStatus(desk, decodeMessage('UpdateStatus', payload));
      else if (parsed.dir === 'dn' && parsed.kind === 'snap') this.onPhase(desk, decodeMessage('Snapshot', payload).phase);
    } catch {
      return; // a desk's undecodable message changes nothing here; the station service logs bad payloads
    }
    this.pump();
  }

  /** `retained`: the broker's copy from before this run subscribed, e.g. the birth before the restart a resumed run waits for. */
  private onPresence(d: Desk, p: { online: boolean; session: number; birth: { firmware: string; session: number } | null }, retained: boolean): void {
    const session = p.session || p.birth?.session || 0;
    // The broker may hand over a copy twice and out of order (broker/auth.ts NO_DUPLICATE_FILTER), and a will of an
    // earlier session arrives after the new birth when the broker learns late of the old connection's end.
    if (session < d.session || (p.online && d.online === true && session === d.session)) return;
    const wasOnline = d.online;
    d.online = p.online;
    if (!p.online) {
      d.since = this.now();
      // the chunks in flight stay in the desk's session; the next offer after its birth finds where it stands
      if (d.rec.state === 'offered' || d.rec.state === 'sending' || d.rec.state === 'busy') this.set(d, 'waiting', 'offline');
      return;
    }
    d.session = session;
    const firmware = deviceText(p.birth?.firmware ?? '');
    d.firmware = firmware;
    // what the desk ran before this run touched it, for the result table (the registry may not have seen its birth yet)
    if (d.rec.state === 'waiting' && d.rec.offset === 0 && firmware && d.rec.fromVersion !== firmware) d.rec = { ...d.rec, fromVersion: firmware };
    const { version } = this.o.image;
    if (d.rec.state === 'verified' || d.rec.state === 'rebooting' || d.rec.state === 'probation') {
      // the desk's reason follows as UpdateStatus FAILED "rolled back from <version>: <why>" once this birth is through
      if (firmware === version) {
        if (d.rec.state !== 'probation') this.healthy(d);
      } else if (d.rec.state !== 'rebooting' && !retained) {
        d.since = this.now();
        d.fellBack = `came back on ${firmware || 'an unknown version'} instead of ${version}`;
      }
      return;
    }
    if (d.rec.state === 'waiting' && wasOnline === false && d.rec.detail === 'offline') this.set(d, 'waiting', '');
    if (d.rec.state === 'offered' || d.rec.state === 'sending') this.set(d, 'waiting', 'reconnected');
  }

  private healthy(d: Desk): void {
    if (d.rec.canary && this.limits.canaryTimeMs > 0) {
      d.since = this.now();
      this.set(d, 'probation', '');
    } else this.set(d, 'updated', '', this.o.image.bytes.length);
  }

  /** Also when the desk's own reason arrives after its birth said it came back on the old image: the reason replaces the guess. */
  private rolledBack(d: Desk, reason: string): void {
    this.set(d, 'rolled-back', reason);
    if (this.stoppedBy?.station === d.rec.station) this.stoppedBy.reason = `rollback on ${d.rec.station}: ${reason}`;
    this.stop(d.rec.station, `rollback on ${d.rec.station}: ${reason}`);
  }

  private onPhase(d: Desk, phase: number): void {
    d.phase = phase;
    if (d.rec.state === 'busy' && this.isFree(d)) this.set(d, 'waiting', '');
  }

  private isFree(d: Desk): boolean {
    if (d.phase === null) return true;
    return FREE_PHASES.includes(d.phase) || (d.phase === Phase.PAUSED && this.windowOpen());
  }

  private onStatus(d: Desk, s: { id: string; state: number; offset: number; detail: string }): void {
    const detail = deviceText(s.detail, 120);
    // Without a run id: the recovery asking (it knows none), and a desk telling after its birth that it fell back
    // from an image (net/update.ts healthy()); everything else answers this run's offer.
    if (s.id === '' && s.state === UpdateState.FAILED) return this.onFallback(d, detail);
    if (s.id !== this.o.run.id && s.state !== UpdateState.RECOVERY) return;
    // A one-slot desk whose new image failed is back in its recovery, which says why (after it asked for its second
    // stage, which made it 'rebooting': sent the image again, it would verify and boot it again, for ever).
    const tookImage = d.rec.state === 'verified' || d.rec.state === 'probation' || (d.rec.state === 'rebooting' && d.rec.offset === this.o.image.bytes.length);
    if (s.state === UpdateState.RECOVERY && detail && detail !== 'code' && tookImage) return this.rolledBack(d, `in its recovery: ${detail}`);
    if (isFinal(d.rec.state) || d.rec.state === 'probation') return;
    d.online = true;
    switch (s.state) {
      case UpdateState.CURRENT:
        // after a transfer whose VERIFIED the host missed (it was off the broker), the desk runs the new image: updated by this run
        return this.set(d, d.rec.offset > 0 ? 'updated' : 'current', '', this.o.image.bytes.length);
      case UpdateState.BUSY:
        d.since = this.now();
        return this.set(d, 'busy', detail || 'in a call', Math.max(d.rec.offset, s.offset));
      case UpdateState.READY:
        return this.startSending(d, s.offset);
      case UpdateState.RECOVERY:
        // "code": the recovery's second stage, which the Pixl.js build keeps out of Storage (docs/updates.md)
        if (detail === 'code') return this.sendRecoveryCode(d);
        return this.startSending(d, s.offset);
      case UpdateState.REBOOTING:
        return this.set(d, 'rebooting', 'restarting into its recovery');
      case UpdateState.RECEIVING:
        return this.onReceiving(d, s.offset, detail);
      case UpdateState.VERIFIED:
        d.since = this.now();
        return this.set(d, 'verified', '', this.o.image.bytes.length);
      case UpdateState.FAILED:
        return this.set(d, 'failed', detail === 'image crc' ? 'image CRC-32 mismatch at the desk (corrupted in transit); nothing switched' : detail || 'the desk refused the image');
    }
  }

  private onFallback(d: Desk, detail: string): void {
    const ours = detail.startsWith(`rolled back from ${this.o.image.version}:`);
    if (ours && (!isFinal(d.rec.state) || d.rec.state === 'rolled-back')) this.rolledBack(d, detail);
  }

  /** The recovery's first stage asks for its second (the build's <board>.rec.js) every 15 s until it runs. */
  private sendRecoveryCode(d: Desk): void {
    const { recovery, recoveryFile } = this.o.image;
    if (!recovery) return this.set(d, 'failed', `the desk's recovery asks for its second stage, and there is no ${recoveryFile} beside the image (build it with npm run build)`);
    d.since = this.now();
    this.set(d, 'rebooting', 'in its recovery');
    // QoS 0 as the recovery subscribes: nothing is kept for a desk that restarted meanwhile
    this.o.client.publish(downTopic(d.rec.station, 'rec'), Buffer.from(encodeMessage('RecoveryCode', { code: recovery })), { qos: 0 });
  }

  private startSending(d: Desk, offset: number): void {
    // An offset past this image is where the desk stands in another one (a transfer it was cut off from): this one
    // starts over, and the desk's first chunk tells it so.
    const at = offset < this.o.image.bytes.length ? offset : 0;
    d.next = at;
    // A desk saying again where it stands without having moved (a recovery repeats itself while no chunk comes) is
    // still stalled: else it would never fail.
    if (d.rec.state !== 'sending' || at !== d.rec.offset) {
      d.since = this.now();
      d.stalls = 0;
    }
    this.set(d, 'sending', '', at);
  }

  private onReceiving(d: Desk, offset: number, detail: string): void {
    if (d.rec.state !== 'sending') return;
    const now = this.now();
    if (offset > d.rec.offset) {
      d.since = now;
      d.stalls = 0;
      this.set(d, 'sending', '', offset);
    }
    // The desk wants an earlier offset (a chunk failed its CRC, or a torn write was erased). The
    // chunks already in flight get the same answer: rewind once, not once per chunk.
    if (detail && offset < d.next && !(d.rewoundTo === offset && now - d.rewoundAt < this.limits.ackTimeoutMs)) {
      d.rewoundTo = offset;
      d.rewoundAt = now;
      d.next = offset;
      if (offset < d.rec.offset) this.set(d, 'sending', detail, offset);
    }
  }

  /** Stops offering and sending; desks already restarting into the new image are still followed. */
  private stop(station: string, reason: string): void {
    if (this.stoppedBy) return;
    this.stoppedBy = { station, reason };
    for (const d of this.desks.values()) {
      if (d.rec.state === 'probation') this.set(d, 'updated', 'healthy on the new version; its canary time was cut short by the stop');
      else if (!isFinal(d.rec.state) && d.rec.state !== 'verified' && d.rec.state !== 'rebooting') this.set(d, 'stopped', `rollout stopped by the ${reason.split(':')[0]}`);
    }
  }

  private set(d: Desk, state: TargetState, detail: string, offset = d.rec.offset): void {
    if (d.rec.state === state && d.rec.detail === detail && d.rec.offset === offset) return;
    d.rec = { ...d.rec, state, detail, offset, updatedMs: this.now() };
    this.o.store.saveTarget(this.o.run.id, d.rec);
    this.emit('change', d.rec.station);
  }

  private windowOpen(): boolean {
    return !this.limits.window || inWindow(this.limits.window, new Date(this.now()));
  }

  private burst(): number {
    return Math.max(this.limits.rateBytesPerS / 10, this.limits.chunkSize);
  }

  /** Everything time or an event may have unblocked: deadlines, offers, chunks, the end. */
  private pump(): void {
    if (!this.timer) return;
    const now = this.now();
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.lastRefill) / 1000) * this.limits.rateBytesPerS);
    this.lastRefill = now;
    for (const d of this.desks.values()) this.checkDeadlines(d, now);
    const failedCanary = [...this.desks.values()].find((d) => d.rec.canary && isFinal(d.rec.state) && d.rec.state !== 'updated' && d.rec.state !== 'current' && d.rec.state !== 'stopped');
    if (failedCanary) this.stop(failedCanary.rec.station, `canary ${failedCanary.rec.station} ${STATE_TEXT[failedCanary.rec.state]}: ${failedCanary.rec.detail}`);
    if (!this.stoppedBy) this.offer(now);
    this.send();
    if ([...this.desks.values()].every((d) => isFinal(d.rec.state))) {
      this.o.store.finishRun(this.o.run.id, now);
      this.end(this.stoppedBy ? { kind: 'stopped', ...this.stoppedBy } : { kind: 'done' });
    }
  }

  private checkDeadlines(d: Desk, now: number): void {
    const l = this.limits;
    const waited = now - d.since;
    switch (d.rec.state) {
      case 'waiting':
        if (d.online !== true && waited >= l.offlineTimeoutMs) this.set(d, 'offline', `offline for ${Math.round(waited / 1000)} s; run the update again to resume`);
        return;
      case 'busy':
        // A desk busy by the host's last snapshot is offered again when a snapshot says it is free (onPhase); one whose
        // phase the host does not know, after a while; one the snapshot already called free had not yet heard of it.
        if (d.online !== true && waited >= l.offlineTimeoutMs) this.set(d, 'offline', 'went offline while busy; run the update again to resume');
        else if (waited >= (d.phase === null ? l.busyRetryMs : this.isFree(d) ? STALE_BUSY_MS : Infinity)) this.set(d, 'waiting', d.rec.detail);
        return;
      case 'offered':
        if (waited < l.offerTimeoutMs) return;
        if (d.attempts >= OFFER_ATTEMPTS) this.set(d, 'failed', `no answer to ${OFFER_ATTEMPTS} offers`);
        else this.set(d, 'waiting', 'no answer to the offer');
        return;
      case 'sending':
        if (waited < l.ackTimeoutMs) return;
        if (++d.stalls > STALLS) return this.set(d, 'failed', `transfer stalled at byte ${d.rec.offset}`);
        d.since = now;
        d.next = d.rec.offset; // the window was lost: send it again from what the desk has
        return;
      case 'verified':
      case 'rebooting':
        if (d.fellBack) {
          if (waited >= REASON_WAIT_MS) this.rolledBack(d, d.fellBack);
        } else if (waited >= l.healthS * 1000 + l.bootGraceMs) this.set(d, 'failed', d.rec.state === 'verified' ? `no birth on ${this.o.image.version} after the restart` : 'its recovery never asked for the image');
        return;
      case 'probation':
        if (waited < l.canaryTimeMs) return;
        if (d.online && d.firmware === this.o.image.version) this.set(d, 'updated', '', this.o.image.bytes.length);
        else this.rolledBack(d, d.online ? `runs ${d.firmware} at the end of its canary time` : 'offline at the end of its canary time');
        return;
    }
  }

  /** Offers the image to waiting online desks while there is room: canaries first, the rest once they proved it. */
  private offer(now: number): void {
    if (!this.windowOpen()) return;
    const desks = [...this.desks.values()];
    let active = desks.filter((d) => d.rec.state === 'offered' || d.rec.state === 'sending' || d.rec.state === 'rebooting').length;
    const canariesDone = desks.every((d) => !d.rec.canary || d.rec.state === 'updated' || d.rec.state === 'current');
    for (const d of desks.sort((a, b) => Number(b.rec.canary) - Number(a.rec.canary))) {
      if (active >= this.limits.concurrency) return;
      if (d.rec.state !== 'waiting' || d.online !== true || !this.isFree(d)) continue;
      if (!d.rec.canary && !canariesDone) continue;
      d.attempts = d.rec.detail === 'no answer to the offer' ? d.attempts + 1 : 1;
      d.since = now;
      this.set(d, 'offered', '');
      this.publish(d, 'offer', encodeMessage('UpdateOffer', this.offerMessage()));
      active++;
    }
  }

  private offerMessage() {
    const { image, run } = this.o;
    return { id: run.id, version: image.version, size: image.bytes.length, crc32: image.crc32, sha256: image.sha256, chunkSize: this.limits.chunkSize, healthS: this.limits.healthS, window: this.limits.window !== null && this.windowOpen() };
  }

  /** Chunks within each sending desk's window, round robin so one desk cannot take the whole rate. */
  private send(): void {
    const { image } = this.o;
    const size = image.bytes.length;
    const sending = [...this.desks.values()].filter((d) => d.rec.state === 'sending');
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const d of sending) {
        if (d.rec.state !== 'sending' || d.next >= size || d.next - d.rec.offset >= this.limits.ahead * this.limits.chunkSize) continue;
        const data = image.bytes.subarray(d.next, Math.min(size, d.next + this.limits.chunkSize));
        if (this.tokens < data.length) return;
        this.tokens -= data.length;
        const last = d.next + data.length === size;
        const chunk = { offset: d.next, data, crc32: crc32(data), size, imageCrc32: image.crc32, id: this.o.run.id, ...(last ? { version: image.version, healthS: this.limits.healthS } : {}) };
        this.publish(d, 'chunk', encodeMessage('UpdateChunk', chunk));
        d.next += data.length;
        progressed = true;
      }
    }
  }

  private publish(d: Desk, kind: 'offer' | 'chunk', payload: Uint8Array): void {
    this.o.client.publish(downTopic(d.rec.station, kind), Buffer.from(payload), { qos: 1 });
  }
}
