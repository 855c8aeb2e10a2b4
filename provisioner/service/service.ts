// The station service: owns each station's phase and wrap-up clock, takes
// call events from the telephony (ingest) and each desk's uplink over MQTT,
// and publishes every station's snapshot. This file is the orchestrator: the
// stations' state is in stations.ts, the MQTT connection in host-link.ts, and
// each kind of uplink has its handler in handlers/.
import { EventEmitter } from 'node:events';
import type { IClientOptions } from 'mqtt';
import { AccountSource, decodeMessage, Phase, type Messages } from '../../protocol/host-codec.ts';
import { IVR_CORR } from '../../protocol/correlation.ts';
import { downTopic, parseStationTopic, UP, type UpKind } from '../../protocol/topics.ts';
import type { Db } from '../db.ts';
import { silentLogger, type Logger } from '../logging.ts';
import { DEFAULT_ACCOUNT_RULE, type AccountRule } from './accounts.ts';
import { ActionStore } from './actions.ts';
import { AuditLog } from './audit.ts';
import { parseEvent, type CallEvent } from './calls.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Directory } from './directory.ts';
import type { AckOutcome, LookupOutcome, UplinkContext } from './handlers/context.ts';
import { UPLINK_HANDLERS } from './handlers/index.ts';
import { lookupAccount } from './handlers/lookup.ts';
import { HostLink } from './host-link.ts';
import { PHASE_NAMES, PhaseConflictError, step, type StationState } from './machine.ts';
import { RateLimiter } from './rate-limit.ts';
import { Stations, UnknownStationError, type StationInfo } from './stations.ts';
import { StationStore } from './store.ts';
import { TicketWebhook, type TicketWebhookOptions } from './ticket-webhook.ts';

export { UnknownStationError, type StationInfo } from './stations.ts';
export type { LookupOutcome } from './handlers/context.ts';

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

export class ServiceNotStartedError extends Error {}

export interface IngestResult {
  station: string;
  phase: string;
  reason: number;
  seq: number;
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
  on(event: 'ack', fn: (ack: AckOutcome) => void): void;
  off(event: string, fn: (...args: any[]) => void): void;
}

export type Snapshot = Messages['Snapshot'];

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

export function createStationService(options: StationServiceOptions): StationService {
  return new Service(options);
}

class Service extends EventEmitter implements StationService {
  private readonly ctx: UplinkContext;
  private started = false;

  constructor(options: StationServiceOptions) {
    super();
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const link = new HostLink({ url: options.mqttUrl, mqtt: options.mqtt, clock, logger, version: options.version ?? '' });
    const stations = new Stations({
      store: new StationStore(options.db),
      clock,
      logger,
      registered: options.stations,
      wrapUpSeconds: options.wrapUpSeconds,
      wrapUpSecondsByArea: options.wrapUpSecondsByArea,
      ringTimeoutSeconds: options.ringTimeoutSeconds,
      changed: (s) => {
        const snap = snapshotOf(s, clock.now());
        link.send(downTopic(s.id, 'snap'), 'Snapshot', snap, { qos: 1, retain: true });
        this.emit('snapshot', snap);
      },
      forgotten: (id) => link.clear(downTopic(id, 'snap')),
    });
    this.ctx = {
      clock,
      logger,
      link,
      stations,
      accountRule: options.accountRule ?? DEFAULT_ACCOUNT_RULE,
      directory: options.directory,
      lookupDeadlineMs: options.lookupDeadlineMs ?? 3000,
      limiter: new RateLimiter(options.lookupsPerMinute ?? 10, 60_000, clock),
      audit: new AuditLog(options.db),
      actions: new ActionStore(options.db, Boolean(options.ticketWebhook)),
      webhook: options.ticketWebhook ? new TicketWebhook(options.db, options.ticketWebhook, clock, logger) : null,
      emit: (event: string, outcome: object) => this.emit(event, outcome),
    };
  }

  async start(): Promise<void> {
    const unregistered = this.ctx.stations.load();
    this.started = true;
    try {
      await this.ctx.link.connect((topic, payload) => this.onMessage(topic, payload));
    } catch (err) {
      this.started = false;
      throw err;
    }
    this.ctx.stations.restore(unregistered);
    this.ctx.webhook?.kick();
  }

  async stop(): Promise<void> {
    this.ctx.stations.stop();
    this.ctx.webhook?.stop();
    this.started = false;
    await this.ctx.link.close();
  }

  state(id: string): StationState | undefined {
    return this.ctx.stations.get(id);
  }

  stations(): StationInfo[] {
    return this.ctx.stations.list();
  }

  stationsChanged(): void {
    if (this.started) this.ctx.stations.registryChanged();
  }

  ingest(raw: unknown): IngestResult {
    if (!this.started) throw new ServiceNotStartedError('the station service is not running');
    const { stations, logger } = this.ctx;
    const event = parseEvent(raw);
    const current = stations.current(event.station);
    const timing = stations.timing(this.ctx.clock.now());
    try {
      const changes = stations.apply(() => {
        const next = step(current, event, timing);
        if (event.type !== 'transferred' || !event.toStation) return [next];
        if (!stations.isStation(event.toStation)) throw new UnknownStationError(event.toStation, 'toStation');
        const target = stations.current(event.toStation);
        const call = current.call!;
        const offer: CallEvent = { type: 'offered', station: target.id, callId: call.callId, menu: call.menu, area: call.area, ivrAccount: call.ivrAccount };
        return [next, step(target, offer, timing)];
      });
      logger.info({ station: event.station, type: event.type, phase: PHASE_NAMES[changes[0].phase] }, 'event applied');
      for (const s of changes) {
        if (s.phase === Phase.RINGING && s.call?.ivrAccount) {
          void lookupAccount(this.ctx, s.id, { corr: IVR_CORR + s.call.callId, account: s.call.ivrAccount, callId: s.call.callId }, AccountSource.IVR);
        }
      }
      const s = changes[0];
      return { station: s.id, phase: PHASE_NAMES[s.phase], reason: s.reason, seq: s.seq };
    } catch (err) {
      if (err instanceof PhaseConflictError) logger.warn({ station: err.station, type: err.eventType, problem: err.message }, 'event rejected');
      throw err;
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseStationTopic(topic);
    if (!parsed || parsed.dir !== 'up') return;
    if (!Object.hasOwn(UP, parsed.kind)) return;
    const kind = parsed.kind as UpKind;
    let msg: Record<string, unknown>;
    try {
      msg = decodeMessage(UP[kind], new Uint8Array(payload)) as Record<string, unknown>;
    } catch (err) {
      this.ctx.logger.warn({ station: parsed.station, topic, problem: (err as Error).message }, 'undecodable message dropped');
      return;
    }
    if (!this.ctx.stations.isStation(parsed.station)) {
      // The broker lets only registered stations in, so this is a desk just removed: its last packets, or its last will.
      this.ctx.logger.info({ station: parsed.station, topic }, 'message from a removed station dropped');
      return;
    }
    UPLINK_HANDLERS[kind](this.ctx, parsed.station, msg);
  }
}
