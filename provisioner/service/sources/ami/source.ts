import { MENUS, menuOf } from '../../../../protocol/catalogue.ts';
import { Phase } from '../../../../protocol/host-codec.ts';
import { UserError } from '../../../../lib/user-error.ts';
import { silentLogger, type Logger } from '../../../logging.ts';
import { PHASE_NAMES } from '../../machine.ts';
import type { IngestResult } from '../../service.ts';
import { onPhaseChange, type DeskView } from '../desk-view.ts';
import { rejectionOf, type EventSink, type EventSource } from '../source.ts';
import { AmiAuthError, AmiClient, type AmiClientOptions } from './client.ts';
import type { MemberMap } from './member-map.ts';
import { PauseSync, type PauseState, type PauseWant } from './pause-sync.ts';
import type { AmiMessage } from './protocol.ts';
import { Transfers, type AmiCallEvent } from './transfers.ts';

/** The pause reason that marks wrap-up in Asterisk (queue_log, QueueMemberPause). */
export const WRAP_UP_PAUSE_REASON = 'Nachbearbeitung';

export interface AmiSourceOptions extends Omit<AmiClientOptions, 'events'> {
  members: MemberMap;
  /** Channel variable with the caller's IVR menu choice (manager.conf channelvars). */
  menuVariable?: string;
  /** Channel variable with the account number the caller keyed in, if any. */
  accountVariable?: string;
  /** Queue name → area code ("WV"/"KM") for queues that decide the area. */
  queueAreas?: Record<string, string>;
  logger?: Logger;
  /** First and longest wait between QueuePause retries. */
  actionRetryMinMs?: number;
  actionRetryMaxMs?: number;
}

export interface AmiStats {
  /** Events Asterisk sent unasked. */
  events: number;
  /** Call events handed to the service and applied / refused / not delivered at all. */
  applied: number;
  rejected: number;
  failed: number;
  /** Events about members the map does not name. */
  unmapped: number;
  /** Lines skipped because they were not "Key: Value". */
  malformed: number;
  logins: number;
}


const PHASE_BY_NAME = Object.fromEntries(Object.entries(PHASE_NAMES).map(([n, name]) => [name, Number(n)]));

/**
 * Asterisk's Manager Interface as a call-event source, both ways: queue and
 * agent events become call events for the mapped stations, and the desks'
 * phases go back as QueuePause (wrap-up and pauses hold the member's line).
 * Events are handled one at a time in arrival order; after every login the
 * members and live calls are read afresh (QueueStatus, CoreShowChannels) and
 * the desks brought in step, so a restart or a broken link heals itself.
 */
export class AmiSource implements EventSource {
  readonly name = 'ami';
  readonly stats: AmiStats = { events: 0, applied: 0, rejected: 0, failed: 0, unmapped: 0, malformed: 0, logins: 0 };
  readonly client: AmiClient;
  readonly pauses: PauseSync;
  private readonly logger: Logger;
  private readonly members: MemberMap;
  private sink: EventSink | null = null;
  private desks: DeskView | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopObserving = () => {};
  /** Stations each call is ringing at (a ringall queue rings several). */
  private readonly offers = new Map<string, Set<string>>();
  private readonly transfers: Transfers;
  /** Queues each station's member is in, as Asterisk last said. */
  private readonly membership = new Map<string, Set<string>>();
  private readonly warnedUnmapped = new Set<string>();

  constructor(private readonly options: AmiSourceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.members = options.members;
    this.client = new AmiClient({ ...options, events: 'agent,call' });
    this.transfers = new Transfers({ logger: this.logger, deliver: (event, from) => this.deliver(event, from), stationOfChannel: (channel) => this.stationOfChannel(channel) });
    this.pauses = new PauseSync(this.client, this.logger, (s) => this.members.interfaceOf(s), options.actionRetryMinMs, options.actionRetryMaxMs);
    this.client.on('event', (m: AmiMessage) => {
      this.stats.events++;
      this.serial(() => this.onEvent(m));
    });
    this.client.on('ready', () => {
      this.stats.logins++;
      this.logger.info({ host: options.host, port: options.port }, 'AMI logged in');
      this.serial(() => this.resync());
    });
    this.client.on('down', (reason: Error, wasReady: boolean) => {
      this.logger.warn({ host: options.host, port: options.port, problem: reason.message, wasLoggedIn: wasReady }, 'AMI link down; reconnecting');
    });
    this.client.on('malformed', (length: number) => {
      this.stats.malformed++;
      this.logger.warn({ length }, 'malformed AMI line skipped');
    });
  }

  async start(sink: EventSink, desks?: DeskView): Promise<void> {
    if (!desks) throw new Error('the AMI source needs a view of the desks to keep Asterisk in step');
    this.sink = sink;
    this.desks = desks;
    this.stopObserving = onPhaseChange(desks, this.members.stations(), (station, from, to) => this.deskChanged(station, from, to));
    try {
      await this.client.start();
    } catch (err) {
      this.stopObserving();
      if (err instanceof AmiAuthError) throw new UserError(err.message, 'check --ami-user and --ami-secret-file against the user in manager.conf');
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopObserving();
    this.client.stop();
    this.pauses.stop();
    await this.chain;
    this.sink = null;
  }

  /** Resolves once every event received so far has been handled. */
  settled(): Promise<void> {
    return this.chain;
  }

  private serial(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((err: Error) => this.logger.error({ problem: err.message }, 'AMI event handling failed'));
  }

  /** Hands one call event to the service; a refusal is logged with the AMI event it came from. */
  private async deliver(event: AmiCallEvent, from: string): Promise<IngestResult | null> {
    if (!this.sink) return null;
    try {
      const result = await this.sink(event);
      this.stats.applied++;
      return result;
    } catch (err) {
      let problem: string;
      try {
        problem = rejectionOf(err).message;
        this.stats.rejected++;
      } catch (fault) {
        this.stats.failed++;
        this.logger.error({ ami: from, station: event.station, type: event.type, problem: (fault as Error).message }, 'call event could not be delivered');
        return null;
      }
      this.logger.warn({ ami: from, station: event.station, type: event.type, problem }, 'call event from Asterisk rejected');
      return null;
    }
  }

  /** The mapped station of the event's queue member, or undefined (logged once per member). */
  private memberStation(m: AmiMessage): string | undefined {
    const iface = m.get('Interface');
    const station = this.members.station(iface, m.get('MemberName'));
    if (station) {
      this.pauses.learnInterface(station, iface);
      return station;
    }
    this.stats.unmapped++;
    const who = iface || m.get('MemberName');
    const note = { ami: m.event, member: who };
    if (this.warnedUnmapped.has(who)) this.logger.info(note, 'event for an unmapped queue member ignored');
    else {
      this.warnedUnmapped.add(who);
      this.logger.warn(note, 'event for a queue member the map does not name ignored (add it to --map to give it a desk)');
    }
    return undefined;
  }

  private stationOfChannel(channel: string): string | undefined {
    const t = this.members.channelTarget(channel);
    return t && 'station' in t ? t.station : undefined;
  }

  private async onEvent(m: AmiMessage): Promise<void> {
    switch (m.event) {
      case 'AgentCalled':
        return this.agentCalled(m);
      case 'AgentConnect':
        return this.agentConnect(m);
      case 'AgentRingNoAnswer': {
        const station = this.memberStation(m);
        if (!station) return;
        this.offers.get(callIdOf(m))?.delete(station);
        await this.deliver({ type: 'no_answer', station, callId: callIdOf(m) }, m.event);
        return;
      }
      case 'AgentComplete': {
        const station = this.memberStation(m);
        const by = m.get('Reason');
        // A transfer is told by BlindTransfer/AttendedTransfer, which name where the call went.
        if (station && (by === 'caller' || by === 'agent')) await this.deliver({ type: 'hangup', station, callId: callIdOf(m), by }, m.event);
        return;
      }
      case 'QueueCallerAbandon': {
        const callId = callIdOf(m);
        const ringing = this.offers.get(callId) ?? new Set();
        this.offers.delete(callId);
        for (const station of ringing) await this.deliver({ type: 'abandoned', station, callId }, m.event);
        return;
      }
      case 'QueueMemberAdded':
      case 'QueueMemberRemoved':
        return this.membershipChanged(m);
      case 'QueueMemberPause': {
        const station = this.memberStation(m);
        if (!station) return;
        const state = pauseStateOf(m.get('Paused'), m.get('PausedReason'));
        if (this.pauses.observe(station, state) !== 'news') return;
        await this.pauseChanged(station, state, m.event);
        return;
      }
      case 'BlindTransfer':
        if (m.get('Result') !== 'Success') return;
        return this.transfers.transferred(m, m.get('TransfererChannel'), this.members.extensionTarget(m.get('Extension')), false);
      case 'AttendedTransfer':
        if (m.get('Result') !== 'Success') return;
        return this.transfers.transferred(m, m.get('OrigTransfererChannel'), this.members.channelTarget(m.get('TransferTargetChannel')), true);
      case 'DialEnd':
        return this.transfers.dialEnd(m);
      case 'Hangup':
        return this.transfers.hangup(m);
    }
  }

  private async agentCalled(m: AmiMessage): Promise<void> {
    const station = this.memberStation(m);
    if (!station) return;
    const callId = callIdOf(m);
    const menuVar = this.options.menuVariable ?? 'DP_MENU';
    const accountVar = this.options.accountVariable ?? 'DP_ACCOUNT';
    // Set on the caller's channel before Queue(); a dialplan that sets it with "__" reaches the member's channel too.
    const menu = m.variable(menuVar) || m.variable(menuVar, 'Dest') || '';
    if (!/^[0-9]+$/.test(menu) || !menuOf(Number(menu))) {
      this.stats.rejected++;
      this.logger.warn(
        { ami: m.event, station, callId, [menuVar]: menu || '(not reported)' },
        `the call has no IVR menu 1-${MENUS.length} in channel variable ${menuVar}; set it in the dialplan before Queue() and list it in manager.conf channelvars`,
      );
      return;
    }
    const ivrAccount = m.variable(accountVar) || m.variable(accountVar, 'Dest') || '';
    const area = this.options.queueAreas?.[m.get('Queue')];
    const offered = await this.deliver({ type: 'offered', station, callId, menu: Number(menu), ...(area ? { area } : {}), ...(ivrAccount ? { ivrAccount } : {}) }, m.event);
    if (!offered) return;
    let ringing = this.offers.get(callId);
    if (!ringing) this.offers.set(callId, (ringing = new Set()));
    ringing.add(station);
  }

  private async agentConnect(m: AmiMessage): Promise<void> {
    const station = this.memberStation(m);
    if (!station) return;
    const callId = callIdOf(m);
    const ringing = this.offers.get(callId);
    this.offers.delete(callId);
    await this.deliver({ type: 'answered', station, callId }, m.event);
    // With ringall the other members' phones stop ringing without an event of their own.
    for (const other of ringing ?? []) if (other !== station) await this.deliver({ type: 'no_answer', station: other, callId }, m.event);
  }

  private async membershipChanged(m: AmiMessage): Promise<void> {
    const station = this.memberStation(m);
    if (!station) return;
    const queues = this.membership.get(station) ?? new Set<string>();
    this.membership.set(station, queues);
    const wasIn = queues.size > 0;
    if (m.event === 'QueueMemberAdded') queues.add(m.get('Queue'));
    else queues.delete(m.get('Queue'));
    if (m.event === 'QueueMemberRemoved') {
      if (wasIn && queues.size === 0) await this.deliver({ type: 'sign_out', station }, m.event);
      return;
    }
    const state = pauseStateOf(m.get('Paused'), m.get('PausedReason'));
    this.pauses.observe(station, state);
    if (wasIn) return;
    await this.deliver({ type: 'sign_in', station, agent: agentName(m.get('MemberName'), station) }, m.event);
    if (state.paused && state.reason !== WRAP_UP_PAUSE_REASON) await this.deliver({ type: 'pause', station }, m.event);
  }

  private async pauseChanged(station: string, state: PauseState, from: string): Promise<void> {
    // Our own wrap-up pause, reported back after a restart of this connector: the desk knows its wrap-up.
    if (state.paused && state.reason === WRAP_UP_PAUSE_REASON) return;
    await this.deliver({ type: state.paused ? 'pause' : 'resume', station }, from);
  }

  /** A desk changed phase: what its member's pause in Asterisk must become. */
  private deskChanged(station: string, from: number, to: number): void {
    let want: PauseWant | null = null;
    if (to === Phase.WRAP_UP) want = { paused: true, reason: WRAP_UP_PAUSE_REASON };
    else if (to === Phase.PAUSED) want = { paused: true, reason: null };
    else if (to === Phase.AVAILABLE && (from === Phase.WRAP_UP || from === Phase.PAUSED)) want = { paused: false, reason: null };
    if (want) this.pauses.want(station, want);
  }

  /**
   * After a login: who is a member, who is paused, which calls still exist.
   * Desks whose call ended while the link was down end it now; members and
   * pauses follow Asterisk, except where a desk's wish is still on its way
   * there (that one is newer); wrap-up pauses lost in a restart are set again.
   */
  private async resync(): Promise<void> {
    let status: AmiMessage[];
    try {
      status = (await this.client.list('QueueStatus')).filter((e) => e.event === 'QueueMember');
    } catch (err) {
      this.logger.warn({ problem: (err as Error).message }, 'QueueStatus failed; members are not re-read until the next login');
      return;
    }
    let live: Set<string> | null = null;
    try {
      live = new Set((await this.client.list('CoreShowChannels')).map((e) => e.get('Linkedid')));
    } catch (err) {
      this.logger.warn({ problem: (err as Error).message }, 'CoreShowChannels failed (manager.conf: write = reporting?); calls on the desks are kept as they are');
    }
    const found = new Map<string, { name: string; queues: Set<string>; state: PauseState }>();
    for (const e of status) {
      const station = this.members.station(e.get('Location'), e.get('Name'));
      if (!station) continue;
      this.pauses.learnInterface(station, e.get('Location'));
      const entry = found.get(station) ?? { name: e.get('Name'), queues: new Set<string>(), state: pauseStateOf(e.get('Paused'), e.get('PausedReason')) };
      entry.queues.add(e.get('Queue'));
      found.set(station, entry);
    }
    this.membership.clear();
    this.offers.clear();
    this.transfers.clear();
    for (const [station, entry] of found) {
      this.membership.set(station, entry.queues);
      this.pauses.observe(station, entry.state);
    }
    for (const station of this.members.stations()) {
      const desk = this.desks?.get(station);
      if (!desk) continue;
      let phase = desk.phase;
      const after = (r: IngestResult | null) => {
        if (r) phase = PHASE_BY_NAME[r.phase];
      };
      if (live && desk.callId && !live.has(desk.callId)) {
        if (phase === Phase.RINGING) after(await this.deliver({ type: 'abandoned', station, callId: desk.callId }, 'QueueStatus'));
        if (phase === Phase.TALKING) after(await this.deliver({ type: 'hangup', station, callId: desk.callId, by: 'caller' }, 'QueueStatus'));
      }
      const member = found.get(station);
      if (!member) {
        if (phase === Phase.AVAILABLE || phase === Phase.PAUSED || phase === Phase.WRAP_UP) await this.deliver({ type: 'sign_out', station }, 'QueueStatus');
        continue;
      }
      const { paused, reason } = member.state;
      const pbxPause = paused && reason !== WRAP_UP_PAUSE_REASON;
      if (phase === Phase.SIGNED_OUT) {
        after(await this.deliver({ type: 'sign_in', station, agent: agentName(member.name, station) }, 'QueueStatus'));
        if (pbxPause) after(await this.deliver({ type: 'pause', station }, 'QueueStatus'));
      } else if (!this.pauses.pending(station)) {
        if (pbxPause && phase === Phase.AVAILABLE) after(await this.deliver({ type: 'pause', station }, 'QueueStatus'));
        else if (!paused && phase === Phase.PAUSED) after(await this.deliver({ type: 'resume', station }, 'QueueStatus'));
      }
      if (phase === Phase.WRAP_UP) this.pauses.want(station, { paused: true, reason: WRAP_UP_PAUSE_REASON });
      else if (phase === Phase.PAUSED) this.pauses.want(station, { paused: true, reason: null });
      else if (paused && reason === WRAP_UP_PAUSE_REASON) this.pauses.want(station, { paused: false, reason: null });
    }
    this.pauses.flush();
  }
}

function callIdOf(m: AmiMessage): string {
  return m.get('Linkedid') || m.get('Uniqueid');
}

function pauseStateOf(paused: string, reason: string): PauseState {
  const on = paused === '1' || paused.toLowerCase() === 'true';
  return { paused: on, reason: on ? reason : '' };
}

/** The agent's name for the desk: the member name, cut to what a call event carries. */
function agentName(memberName: string, station: string): string {
  return (memberName || station).slice(0, 64);
}
