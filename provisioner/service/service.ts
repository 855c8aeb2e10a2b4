import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  AccountSource,
  AckStatus,
  ActionKind,
  decodeMessage,
  encodeMessage,
  LookupStatus,
  Phase,
  type Messages,
} from '../../protocol/host-codec.ts';
import { DEFAULTS } from '../../protocol/catalogue.ts';
import { IVR_CORR } from '../../protocol/correlation.ts';
import { ALL_UP, downTopic, HOST_PRESENCE, parseStationTopic, UP, type UpKind } from '../../protocol/topics.ts';
import type { Db } from '../db.ts';
import { accountProblem, DEFAULT_ACCOUNT_RULE, type AccountRule } from './accounts.ts';
import { ActionStore } from './actions.ts';
import { AuditLog } from './audit.ts';
import { parseEvent, type CallEvent } from './calls.ts';
import { systemClock, type Clock } from './clock.ts';
import { DirectoryUnavailableError, type Directory, type DirectoryEntry } from './directory.ts';
import { silentLogger, type Logger } from '../logging.ts';
import { checkAction, idProblem, MAX_DEVICE_ID, type DeviceAction } from './device-input.ts';
import { actionCallProblem, expiryOf, PHASE_NAMES, PhaseConflictError, signedOut, step, type StationState, type Timing } from './machine.ts';
import { RateLimiter } from './rate-limit.ts';
import { StationStore } from './store.ts';
import { TicketWebhook, type TicketWebhookOptions } from './ticket-webhook.ts';

export interface StationInfo {
  id: string;
  /** Areas the desk serves; empty means both. */
  areas: number[];
}

export interface StationServiceOptions {
  mqttUrl: string;
  /** Service-account credentials and any other mqtt.js option. */
  mqtt?: IClientOptions;
  db: Db;
  /** The stations that exist (from the registry); asked again when an unknown id turns up. */
  stations: () => StationInfo[];
  clock?: Clock;
  wrapUpSeconds?: number;
  /** Per-area wrap-up length in seconds, keyed by Area value; falls back to wrapUpSeconds. */
  wrapUpSecondsByArea?: Record<number, number>;
  /** Host-side ring timeout; 0 (default) leaves "no answer" to the telephony. */
  ringTimeoutSeconds?: number;
  directory?: Directory;
  accountRule?: AccountRule;
  lookupsPerMinute?: number;
  /** A lookup is answered within this time, whatever the backend does. Below the device's ~5 s. */
  lookupDeadlineMs?: number;
  ticketWebhook?: TicketWebhookOptions;
  logger?: Logger;
  version?: string;
}

export class UnknownStationError extends Error {
  constructor(
    readonly station: string,
    /** The event field that named it. */
    readonly field = 'station',
  ) {
    super(`station ${station} is not registered`);
    this.name = 'UnknownStationError';
  }
}

export class ServiceNotStartedError extends Error {}

export interface IngestResult {
  station: string;
  phase: string;
  reason: number;
  seq: number;
}

export interface LookupOutcome {
  station: string;
  corr: string;
  account: string;
  status: number;
}

export interface StationService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies one call event (raw JSON value) or throws EventValidationError, UnknownStationError or PhaseConflictError. */
  ingest(raw: unknown): IngestResult;
  state(id: string): StationState | undefined;
  /** The registered stations, as the service last read them. */
  stations(): StationInfo[];
  /**
   * The registry changed while the service runs (`deskphone station add` or
   * `remove` in another shell): a new station gets its first snapshot at once,
   * signed out, and a removed one is forgotten, each as at the next start.
   */
  stationsChanged(): void;
  on(event: 'snapshot', fn: (snapshot: Snapshot) => void): void;
  on(event: 'lookup', fn: (outcome: LookupOutcome) => void): void;
  on(event: 'ack', fn: (ack: { station: string; key: string; status: number; ref: string }) => void): void;
  off(event: string, fn: (...args: any[]) => void): void;
}

export type Snapshot = Messages['Snapshot'];

type LookupRequest = Pick<Messages['LookupRequest'], 'corr' | 'account' | 'callId'>;

/** An account number is at most DEFAULTS.accountDigitsMax digits (protocol/catalogue.ts); longer junk is cut to this where it is kept or echoed. */
const MAX_ACCOUNT_ECHO = 32;

export function snapshotOf(s: StationState, hostTimeMs: number): Snapshot {
  return {
    station: s.id,
    phase: s.phase,
    wrapUpDeadlineMs: s.phase === Phase.WRAP_UP ? s.deadlineMs : 0,
    hostTimeMs,
    reason: s.reason,
    seq: s.seq,
    areas: s.areas,
    wrapUpS: s.wrapUpS,
    phaseSinceMs: s.phaseSinceMs,
    agent: s.agent,
    call: s.call ? { ...s.call } : null,
  };
}

function enumName(values: Record<string, number>, n: number): string {
  for (const [name, v] of Object.entries(values)) if (v === n) return name;
  return String(n);
}

export function createStationService(options: StationServiceOptions): StationService {
  return new Service(options);
}

class Service extends EventEmitter implements StationService {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly store: StationStore;
  private readonly actions: ActionStore;
  private readonly audit: AuditLog;
  private readonly limiter: RateLimiter;
  private readonly webhook: TicketWebhook | null;
  private readonly states = new Map<string, StationState>();
  private readonly timers = new Map<string, unknown>();
  private readonly areasOf = new Map<string, number[]>();
  private client: MqttClient | null = null;
  private started = false;

  constructor(private readonly options: StationServiceOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.store = new StationStore(options.db);
    this.actions = new ActionStore(options.db, Boolean(options.ticketWebhook));
    this.audit = new AuditLog(options.db);
    this.limiter = new RateLimiter(options.lookupsPerMinute ?? 10, 60_000, this.clock);
    this.webhook = options.ticketWebhook ? new TicketWebhook(options.db, options.ticketWebhook, this.clock, this.logger) : null;
  }

  async start(): Promise<void> {
    this.refreshStations();
    const unregistered: string[] = [];
    for (const s of this.store.loadAll()) {
      if (this.areasOf.has(s.id)) this.states.set(s.id, s);
      else unregistered.push(s.id);
    }
    this.started = true;
    const client = mqtt.connect(this.options.mqttUrl, {
      clientId: 'deskphone-host',
      clean: false,
      reconnectPeriod: 1000,
      ...this.options.mqtt,
      will: { topic: HOST_PRESENCE, payload: Buffer.from(encodeMessage('HostPresence', { online: false })), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'mqtt error'));
    client.on('connect', () => {
      // Snapshots, results and acks are small packets sent one after another;
      // Nagle's algorithm would hold each behind the peer's delayed ACK.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.announce();
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        client.removeListener('connect', ok);
        reject(err);
      };
      const ok = () => {
        client.removeListener('error', fail);
        resolve();
      };
      client.once('connect', ok);
      client.once('error', fail);
    }).catch(async (err) => {
      await client.endAsync(true);
      this.client = null;
      this.started = false;
      throw err;
    });
    await client.subscribeAsync(ALL_UP, { qos: 1 });
    this.restore(unregistered);
    this.webhook?.kick();
  }

  async stop(): Promise<void> {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    this.webhook?.stop();
    const client = this.client;
    this.client = null;
    this.started = false;
    if (!client) return;
    if (client.connected) {
      // Say goodbye if the broker takes it soon; a broker that is gone gets the will instead.
      const goodbye = client.publishAsync(HOST_PRESENCE, Buffer.from(encodeMessage('HostPresence', this.presence(false))), { qos: 1, retain: true });
      await Promise.race([goodbye.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    await client.endAsync(!client.connected);
  }

  state(id: string): StationState | undefined {
    return this.states.get(id);
  }

  stations(): StationInfo[] {
    return [...this.areasOf].map(([id, areas]) => ({ id, areas }));
  }

  stationsChanged(): void {
    if (!this.started) return;
    this.refreshStations();
    const added = [...this.areasOf.keys()].filter((id) => !this.states.has(id));
    if (added.length > 0) this.apply(() => added.map((id) => this.stationState(id)));
    for (const id of [...this.states.keys()]) if (!this.areasOf.has(id)) this.forget(id);
  }

  ingest(raw: unknown): IngestResult {
    if (!this.started) throw new ServiceNotStartedError('the station service is not running');
    const event = parseEvent(raw);
    const current = this.stationState(event.station);
    const timing = this.timing(this.clock.now());
    try {
      const changes = this.apply(() => {
        const next = step(current, event, timing);
        if (event.type !== 'transferred' || !event.toStation) return [next];
        if (!this.isStation(event.toStation)) throw new UnknownStationError(event.toStation, 'toStation');
        const target = this.stationState(event.toStation);
        const call = current.call!;
        const offer: CallEvent = { type: 'offered', station: target.id, callId: call.callId, menu: call.menu, area: call.area, ivrAccount: call.ivrAccount };
        return [next, step(target, offer, timing)];
      });
      this.logger.info({ station: event.station, type: event.type, phase: PHASE_NAMES[changes[0].phase] }, 'event applied');
      for (const s of changes) {
        if (s.phase === Phase.RINGING && s.call?.ivrAccount) void this.lookup(s.id, { corr: IVR_CORR + s.call.callId, account: s.call.ivrAccount, callId: s.call.callId }, AccountSource.IVR);
      }
      const s = changes[0];
      return { station: s.id, phase: PHASE_NAMES[s.phase], reason: s.reason, seq: s.seq };
    } catch (err) {
      if (err instanceof PhaseConflictError) this.logger.warn({ station: err.station, type: err.eventType, problem: err.message }, 'event rejected');
      throw err;
    }
  }

  private stationState(id: string): StationState {
    const known = this.states.get(id);
    if (known) return known;
    if (!this.areasOf.has(id)) this.refreshStations();
    const areas = this.areasOf.get(id);
    if (!areas) throw new UnknownStationError(id);
    return signedOut(id, areas, this.clock.now());
  }

  private isStation(id: string): boolean {
    if (!this.states.has(id) && !this.areasOf.has(id)) this.refreshStations();
    return this.states.has(id) || this.areasOf.has(id);
  }

  private refreshStations(): void {
    this.areasOf.clear();
    for (const st of this.options.stations()) this.areasOf.set(st.id, st.areas);
  }

  private timing(now: number): Timing {
    const base = this.options.wrapUpSeconds ?? DEFAULTS.wrapUpS;
    const byArea = this.options.wrapUpSecondsByArea ?? {};
    return { now, wrapUpSeconds: (area) => byArea[area] ?? base, ringTimeoutMs: (this.options.ringTimeoutSeconds ?? 0) * 1000 };
  }

  /**
   * Runs `work` and stores every station it changed in one transaction, then
   * (only after commit) updates memory, timers and the retained snapshots. If
   * `work` throws, nothing is stored, scheduled or published.
   */
  private apply(work: () => StationState[]): StationState[] {
    const changes = this.store.transaction(() => {
      const now = this.clock.now();
      const next = work().map((s) => ({ ...s, seq: s.seq + 1 }));
      for (const s of next) this.store.save(s, now);
      return next;
    });
    for (const s of changes) {
      this.states.set(s.id, s);
      this.schedule(s);
      this.publishSnapshot(s);
    }
    return changes;
  }

  private schedule(s: StationState): void {
    const old = this.timers.get(s.id);
    if (old) this.clock.clearTimeout(old);
    this.timers.delete(s.id);
    if (!expiryOf(s)) return;
    const deadline = s.deadlineMs;
    this.timers.set(
      s.id,
      this.clock.setTimeout(() => {
        this.timers.delete(s.id);
        this.expire(s.id, deadline);
      }, deadline - this.clock.now()),
    );
  }

  /** A deadline passed: the host moves the station on, dated at the deadline itself. */
  private expire(id: string, deadline: number): void {
    const s = this.states.get(id);
    const event = s && expiryOf(s);
    if (!s || !event || s.deadlineMs !== deadline) return;
    const [next] = this.apply(() => [step(s, event, this.timing(deadline))]);
    this.logger.info({ station: id, type: event.type, phase: PHASE_NAMES[next.phase] }, 'deadline passed');
  }

  /**
   * After a (re)start: deadlines that passed while the host was down are
   * applied as what they are (timer expired, dated at the deadline), the rest
   * get their timers back, and every station's snapshot is published afresh in
   * case the broker lost its retained messages too. Stations removed from the
   * registry keep their rows (a re-added desk continues its sequence) but
   * lose their retained snapshot.
   */
  private restore(unregistered: string[]): void {
    const now = this.clock.now();
    for (const id of this.areasOf.keys()) if (!this.states.has(id)) this.states.set(id, signedOut(id, this.areasOf.get(id)!, now));
    this.apply(() =>
      [...this.states.values()].map((s) => {
        const event = expiryOf(s);
        if (event && s.deadlineMs <= now) {
          this.logger.info({ station: s.id, type: event.type, deadline: s.deadlineMs }, 'deadline passed while the host was down');
          return step(s, event, this.timing(s.deadlineMs));
        }
        return s;
      }),
    );
    for (const id of unregistered) this.forget(id);
  }

  /** A station gone from the registry: its rows stay (a re-added desk continues its sequence), its timer and retained snapshot go. */
  private forget(id: string): void {
    const timer = this.timers.get(id);
    if (timer) this.clock.clearTimeout(timer);
    this.timers.delete(id);
    this.states.delete(id);
    this.client?.publish(downTopic(id, 'snap'), Buffer.alloc(0), { qos: 1, retain: true });
    this.logger.info({ station: id }, 'station no longer registered: retained snapshot cleared');
  }

  private publishSnapshot(s: StationState): void {
    const snap = snapshotOf(s, this.clock.now());
    this.client?.publish(downTopic(s.id, 'snap'), Buffer.from(encodeMessage('Snapshot', snap)), { qos: 1, retain: true });
    this.emit('snapshot', snap);
  }

  private presence(online: boolean): object {
    return { online, timeMs: this.clock.now(), version: this.options.version ?? '' };
  }

  private announce(): void {
    this.client?.publish(HOST_PRESENCE, Buffer.from(encodeMessage('HostPresence', this.presence(true))), { qos: 1, retain: true });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseStationTopic(topic);
    if (!parsed || parsed.dir !== 'up') return;
    if (!Object.hasOwn(UP, parsed.kind)) return;
    const type = UP[parsed.kind as UpKind];
    let msg: Record<string, unknown>;
    try {
      msg = decodeMessage(type, new Uint8Array(payload)) as Record<string, unknown>;
    } catch (err) {
      this.logger.warn({ station: parsed.station, topic, problem: (err as Error).message }, 'undecodable message dropped');
      return;
    }
    if (!this.isStation(parsed.station)) {
      // The broker lets only registered stations in, so this is a desk just removed: its last packets, or its last will.
      this.logger.info({ station: parsed.station, topic }, 'message from a removed station dropped');
      return;
    }
    if (parsed.kind === 'lookup') {
      this.deskLookup(parsed.station, msg);
    } else if (parsed.kind === 'action') {
      this.action(parsed.station, msg);
    } else if (parsed.kind === 'sync') {
      this.apply(() => [this.stationState(parsed.station)]);
    } else if (parsed.kind === 'presence' && msg.online && !this.states.has(parsed.station)) {
      // A desk registered after the host started comes online: give it its first snapshot.
      this.apply(() => [this.stationState(parsed.station)]);
    }
  }

  /**
   * A lookup a desk asked for. The host looks up a call's IVR number itself
   * when the call is offered, so whatever source a desk names, its lookups
   * are the agent's and count towards the rate limit; one with an id out of
   * bounds is audited and not answered (there is nothing it could be matched by).
   */
  private deskLookup(station: string, msg: Record<string, unknown>): void {
    const request = { corr: String(msg.corr), account: String(msg.account), callId: String(msg.callId) };
    const rateLimited = !this.limiter.allow(station);
    const problem = idProblem('corr', request.corr) || idProblem('callId', request.callId);
    if (!problem) return void this.lookup(station, request, AccountSource.KEYPAD, rateLimited);
    this.logger.warn({ station, problem }, 'lookup request rejected');
    this.auditLookup(station, request, 'REJECTED', AccountSource.KEYPAD, problem);
  }

  /** Answers one lookup, always within the deadline, audits it, and sends the result to that station only. */
  private async lookup(station: string, request: LookupRequest, source: number, rateLimited = false): Promise<void> {
    const { corr, callId } = request;
    // Whatever a device sent is audited and echoed, but junk is not kept or sent back at any length.
    const account = request.account.slice(0, MAX_ACCOUNT_ECHO);
    let status: number;
    let entry: DirectoryEntry | null = null;
    let detail = '';
    const problem = accountProblem(request.account, this.options.accountRule ?? DEFAULT_ACCOUNT_RULE);
    if (rateLimited) {
      status = LookupStatus.RATE_LIMITED;
    } else if (problem) {
      status = LookupStatus.INVALID_NUMBER;
      detail = problem;
    } else if (!this.options.directory) {
      status = LookupStatus.DIRECTORY_UNAVAILABLE;
      detail = 'no directory configured';
    } else {
      try {
        entry = await this.directoryLookup(this.options.directory, account);
        status = entry ? LookupStatus.FOUND : LookupStatus.NOT_FOUND;
      } catch (err) {
        status = LookupStatus.DIRECTORY_UNAVAILABLE;
        detail = (err as Error).message;
      }
    }
    this.auditLookup(station, { corr, account, callId }, enumName(LookupStatus, status), source, detail);
    const result = { corr, status, account, ...(entry ?? {}) };
    // QoS 0: a QoS 1 message to a persistent session is written to the
    // broker's store until acknowledged (and queued there while the desk is
    // offline), and customer data must not rest on the broker. A lost result
    // shows as "no answer" on the desk, which the agent can simply retry.
    this.client?.publish(downTopic(station, 'lookup'), Buffer.from(encodeMessage('LookupResult', result)), { qos: 0, retain: false });
    this.emit('lookup', { station, corr, account, status });
  }

  private auditLookup(station: string, request: LookupRequest, outcome: string, source: number, detail: string): void {
    this.audit.record({
      timeMs: this.clock.now(),
      station,
      account: request.account.slice(0, MAX_ACCOUNT_ECHO),
      outcome,
      source: source === AccountSource.IVR ? 'IVR' : 'KEYPAD',
      callId: request.callId.slice(0, MAX_DEVICE_ID),
      corr: request.corr.slice(0, MAX_DEVICE_ID),
      detail,
    });
  }

  private directoryLookup(directory: Directory, account: string): Promise<DirectoryEntry | null> {
    const deadlineMs = this.options.lookupDeadlineMs ?? 3000;
    const abort = new AbortController();
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        abort.abort();
        reject(new DirectoryUnavailableError(`no answer within ${deadlineMs} ms`));
      }, deadlineMs);
      directory.lookup(account, abort.signal).then(
        (entry) => {
          this.clock.clearTimeout(timer);
          resolve(entry);
        },
        (err) => {
          this.clock.clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /**
   * Stores an action once per (station, key) and acknowledges every copy with
   * the same ref. Only an action within bounds, for the call the station is
   * wrapping up (or just wrapped up), is stored; anything else is REJECTED.
   */
  private action(station: string, msg: Record<string, unknown>): void {
    const checked = checkAction(msg, this.options.accountRule ?? DEFAULT_ACCOUNT_RULE);
    const kind = Number(msg.kind);
    let ack: { key: string; status: number; ref: string; kind: number; detail: string };
    if ('problem' in checked) {
      const key = String(msg.key ?? '');
      this.logger.warn({ station, problem: checked.problem }, 'action rejected');
      // A key out of bounds is not echoed: the desk could not match it anyway.
      ack = { key: idProblem('key', key) ? '' : key, status: AckStatus.REJECTED, ref: '', kind, detail: checked.problem };
    } else {
      try {
        ack = this.storeAction(station, checked);
      } catch (err) {
        if (!(err instanceof PhaseConflictError)) throw err;
        this.logger.warn({ station, key: checked.key, kind: checked.kindName, problem: err.message }, 'action rejected');
        ack = { key: checked.key, status: AckStatus.REJECTED, ref: '', kind, detail: err.message };
      }
    }
    this.client?.publish(downTopic(station, 'ack'), Buffer.from(encodeMessage('ActionAck', ack)), { qos: 1, retain: false });
    this.emit('ack', { station, key: ack.key, status: ack.status, ref: ack.ref });
  }

  private storeAction(station: string, action: DeviceAction) {
    const { key, kind, kindName, callId } = action;
    let stored = null as { ref: string; status: number; kind: number } | null;
    this.apply(() => {
      // A key names one action of one call. The same key for another call is
      // not a retry: the desk's counter started again (Storage wiped, module
      // swapped), and taking it for a duplicate would lose the agent's ticket.
      const first = this.actions.find(station, key);
      const storedKey = first && (first.callId !== callId || first.kind !== kindName) ? `${key}@${callId}` : key;
      const earlier = storedKey === key ? first : this.actions.find(station, storedKey);
      if (earlier) {
        stored = { ref: earlier.ref, status: AckStatus.DUPLICATE, kind: ActionKind[earlier.kind as keyof typeof ActionKind] };
        return [];
      }
      const now = this.clock.now();
      const current = this.stationState(station);
      const unbound = actionCallProblem(current, kindName, callId, now);
      if (unbound) throw new PhaseConflictError(station, current.phase, kindName.toLowerCase(), unbound);
      const changes = kindName === 'READY' ? [step(current, { type: 'ready', station }, this.timing(now))] : [];
      const a = this.actions.store({ station, key: storedKey, kind: kindName, callId, account: action.account, createdMs: action.createdMs, storedMs: now });
      stored = { ref: a.ref, status: AckStatus.ACCEPTED, kind };
      return changes;
    });
    const result = stored!;
    if (result.status === AckStatus.ACCEPTED && result.ref) this.webhook?.kick();
    return { key, status: result.status, ref: result.ref, kind: result.kind, detail: '' };
  }
}

