// A scripted Asterisk Manager Interface on loopback, written from Asterisk's
// documented formats (main/manager.c: banner, Login, list actions with
// "EventList: start" ... "EventList: Complete"; apps/app_queue.c: QueueStatus,
// QueuePause and the Agent*/QueueMember* events; main/manager_channels.c: the
// channel snapshot headers with ChanVariable). It keeps just enough PBX state
// (members, pauses, live calls) to answer like Asterisk does.
import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { PHASE_NAMES, type StationState } from '../../provisioner/service/machine.ts';
import type { StationService } from '../../provisioner/service/service.ts';
import type { Logger } from '../../provisioner/logging.ts';
import { serviceDeskView } from '../../provisioner/service/sources/desk-view.ts';
import { loadMemberMap } from '../../provisioner/service/sources/ami/member-map.ts';
import { AmiSource } from '../../provisioner/service/sources/ami/source.ts';
import type { ServiceRig } from './service-harness.ts';

export interface Member {
  iface: string;
  name: string;
  queue: string;
  paused: boolean;
  reason: string;
}

export interface Call {
  linkedid: string;
  /** The caller's channel, e.g. PJSIP/trunk-0000000a. */
  channel: string;
  menu: string;
  account: string;
  queue: string;
}

export interface PauseAction {
  Interface: string;
  Paused: string;
  Reason: string;
}

type Headers = [string, string][];

function format(headers: Headers): string {
  return headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

export class ScriptedAmi {
  readonly members = new Map<string, Member>();
  readonly calls = new Map<string, Call>();
  /** Every QueuePause received, in order. */
  readonly pauses: PauseAction[] = [];
  logins = 0;
  /** The next N QueuePause actions are answered "Interface not found". */
  failPauses = 0;
  private server: Server | null = null;
  private port = 0;
  private readonly sessions = new Set<Socket>();
  private readonly loggedIn = new Set<Socket>();
  private waiters: (() => void)[] = [];
  private seq = 0x20;

  constructor(
    private readonly user: string,
    private readonly secret: string,
    private readonly channelvars = ['DP_MENU', 'DP_ACCOUNT'],
  ) {}

  async start(): Promise<number> {
    const server = createServer((socket) => this.session(socket));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Asterisk restarts: every session and call is gone, pauses too (persistentmembers=no); it listens again a moment later. */
  async restart(): Promise<void> {
    await this.stop();
    this.calls.clear();
    for (const m of this.members.values()) Object.assign(m, { paused: false, reason: '' });
    await this.start();
  }

  /** The TCP link breaks; Asterisk and its calls go on. */
  dropLinks(): void {
    for (const s of this.sessions) s.destroy();
  }

  /** Resolves when `fits` holds, checked after every action and event. */
  async until(fits: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!fits()) {
      if (Date.now() > deadline) throw new Error(`scripted AMI: no ${what}; pauses so far ${JSON.stringify(this.pauses)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private changed(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Writes raw text to every logged-in session (for malformed lines). */
  raw(text: string): void {
    for (const s of this.loggedIn) s.write(text);
  }

  emit(event: string, headers: Headers): void {
    this.raw(format([['Event', event], ['Privilege', 'agent,all'], ...headers]));
  }

  /** The channel snapshot headers (manager_channels.c), with the channelvars of manager.conf. */
  private snapshot(prefix: string, channel: string, uniqueid: string, linkedid: string, vars: Record<string, string>): Headers {
    const h: Headers = [
      [`${prefix}Channel`, channel],
      [`${prefix}ChannelState`, '6'],
      [`${prefix}ChannelStateDesc`, 'Up'],
      [`${prefix}CallerIDNum`, '0301234567'],
      [`${prefix}CallerIDName`, '<unknown>'],
      [`${prefix}ConnectedLineNum`, '<unknown>'],
      [`${prefix}ConnectedLineName`, '<unknown>'],
      [`${prefix}Language`, 'de'],
      [`${prefix}AccountCode`, ''],
      [`${prefix}Context`, 'hotline'],
      [`${prefix}Exten`, 's'],
      [`${prefix}Priority`, '7'],
      [`${prefix}Uniqueid`, uniqueid],
      [`${prefix}Linkedid`, linkedid],
    ];
    for (const name of this.channelvars) h.push([`${prefix}ChanVariable`, `${name}=${vars[name] ?? ''}`]);
    return h;
  }

  private memberHeaders(m: Member): Headers {
    return [
      ['Queue', m.queue],
      ['MemberName', m.name],
      ['Interface', m.iface],
      ['StateInterface', m.iface],
      ['Membership', 'dynamic'],
      ['Penalty', '0'],
      ['CallsTaken', '0'],
      ['LastCall', '0'],
      ['LastPause', '0'],
      ['LoginTime', '1764230400'],
      ['InCall', '0'],
      ['Status', '1'],
      ['Paused', m.paused ? '1' : '0'],
      ['PausedReason', m.reason],
      ['Ringinuse', '0'],
      ['Wrapuptime', '0'],
    ];
  }

  /** A caller enters the queue from the IVR (nothing on the wire yet). */
  newCall(linkedid: string, menu: string, account = '', queue = 'hotline'): Call {
    const call = { linkedid, channel: `PJSIP/trunk-${(this.seq++).toString(16).padStart(8, '0')}`, menu, account, queue };
    this.calls.set(linkedid, call);
    return call;
  }

  /** The member's channel for this call: device plus "-<sequence>", as Asterisk names channels. */
  agentChannel(iface: string): string {
    return `${iface.replace(/^Local\/(\d+)@.*/, 'PJSIP/$1')}-${(this.seq++).toString(16).padStart(8, '0')}`;
  }

  /** One of the queue's Agent* events for `call` at `member` (app_queue.c). */
  agentEvent(event: 'AgentCalled' | 'AgentConnect' | 'AgentRingNoAnswer' | 'AgentComplete', call: Call, iface: string, extra: Headers = []): void {
    const m = this.members.get(iface) ?? { iface, name: iface, queue: call.queue, paused: false, reason: '' };
    const vars = { DP_MENU: call.menu, DP_ACCOUNT: call.account };
    this.emit(event, [
      ...this.snapshot('', call.channel, call.linkedid, call.linkedid, vars),
      ...this.snapshot('Dest', this.agentChannel(iface), `${call.linkedid}1`, call.linkedid, {}),
      ['Queue', call.queue],
      ['MemberName', m.name],
      ['Interface', iface],
      ...extra,
    ]);
    if (event === 'AgentComplete') this.calls.delete(call.linkedid);
  }

  abandon(call: Call): void {
    this.calls.delete(call.linkedid);
    this.emit('QueueCallerAbandon', [...this.snapshot('', call.channel, call.linkedid, call.linkedid, { DP_MENU: call.menu }), ['Queue', call.queue], ['Position', '1'], ['OriginalPosition', '1'], ['HoldTime', '12']]);
  }

  addMember(iface: string, name: string, queue = 'hotline', announce = true): void {
    const m = { iface, name, queue, paused: false, reason: '' };
    this.members.set(iface, m);
    if (announce) this.emit('QueueMemberAdded', this.memberHeaders(m));
  }

  removeMember(iface: string, announce = true): void {
    const m = this.members.get(iface)!;
    this.members.delete(iface);
    if (announce) this.emit('QueueMemberRemoved', this.memberHeaders(m));
  }

  /** PauseQueueMember from the dialplan or a supervisor: Asterisk's own pause. */
  pauseMember(iface: string, paused: boolean, reason = ''): void {
    const m = this.members.get(iface)!;
    Object.assign(m, { paused, reason: paused ? reason : '' });
    this.emit('QueueMemberPause', this.memberHeaders(m));
  }

  blindTransfer(call: Call, transfererIface: string, extension: string): void {
    this.emit('BlindTransfer', [
      ['Result', 'Success'],
      ...this.snapshot('Transferer', this.agentChannel(transfererIface), `${call.linkedid}1`, call.linkedid, {}),
      ...this.snapshot('Transferee', call.channel, call.linkedid, call.linkedid, {}),
      ['BridgeUniqueid', 'b-1'],
      ['BridgeType', 'basic'],
      ['IsExternal', 'No'],
      ['Context', 'agents'],
      ['Extension', extension],
    ]);
  }

  dialEnd(call: Call, iface: string, status: string): string {
    const dest = this.agentChannel(iface);
    this.emit('DialEnd', [...this.snapshot('', call.channel, call.linkedid, call.linkedid, {}), ...this.snapshot('Dest', dest, `${call.linkedid}2`, call.linkedid, {}), ['DialStatus', status]]);
    return dest;
  }

  hangup(call: Call, channel = call.channel): void {
    this.calls.delete(call.linkedid);
    this.emit('Hangup', [...this.snapshot('', channel, call.linkedid, call.linkedid, {}), ['Cause', '16'], ['Cause-txt', 'Normal Clearing']]);
  }

  private session(socket: Socket): void {
    this.sessions.add(socket);
    socket.on('close', () => {
      this.sessions.delete(socket);
      this.loggedIn.delete(socket);
    });
    socket.on('error', () => {});
    socket.write('Asterisk Call Manager/13.0.0\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const headers = buffer
          .slice(0, end)
          .split('\r\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)] as [string, string]);
        buffer = buffer.slice(end + 4);
        this.action(socket, new Map(headers));
      }
    });
  }

  private action(socket: Socket, a: Map<string, string>): void {
    const id: Headers = [['ActionID', a.get('ActionID') ?? '']];
    const reply = (headers: Headers) => socket.write(format(headers));
    const name = a.get('Action');
    if (name === 'Login') {
      if (a.get('Username') !== this.user || a.get('Secret') !== this.secret) {
        reply([['Response', 'Error'], ...id, ['Message', 'Authentication failed']]);
        socket.end();
        return;
      }
      this.logins++;
      this.loggedIn.add(socket);
      reply([['Response', 'Success'], ...id, ['Message', 'Authentication accepted']]);
    } else if (!this.loggedIn.has(socket)) {
      reply([['Response', 'Error'], ...id, ['Message', 'Permission denied']]);
    } else if (name === 'Ping') {
      reply([['Response', 'Success'], ...id, ['Ping', 'Pong'], ['Timestamp', '1764230400.000000']]);
    } else if (name === 'QueueStatus') {
      reply([['Response', 'Success'], ...id, ['EventList', 'start'], ['Message', 'Queue status will follow']]);
      reply([['Event', 'QueueParams'], ['Queue', 'hotline'], ['Max', '0'], ['Strategy', 'ringall'], ['Calls', '0'], ...id]);
      const members = [...this.members.values()];
      for (const m of members) {
        const h = this.memberHeaders(m).filter(([k]) => !['MemberName', 'Interface', 'Ringinuse'].includes(k));
        reply([['Event', 'QueueMember'], ['Queue', m.queue], ['Name', m.name], ['Location', m.iface], ...h.filter(([k]) => k !== 'Queue'), ...id]);
      }
      reply([['Event', 'QueueStatusComplete'], ...id, ['EventList', 'Complete'], ['ListItems', String(members.length + 1)]]);
    } else if (name === 'CoreShowChannels') {
      reply([['Response', 'Success'], ...id, ['EventList', 'start'], ['Message', 'Channels will follow']]);
      for (const c of this.calls.values()) reply([['Event', 'CoreShowChannel'], ...id, ...this.snapshot('', c.channel, c.linkedid, c.linkedid, {}), ['Application', 'Queue'], ['ApplicationData', c.queue], ['Duration', '00:01:00'], ['BridgeId', '']]);
      reply([['Event', 'CoreShowChannelsComplete'], ...id, ['EventList', 'Complete'], ['ListItems', String(this.calls.size)]]);
    } else if (name === 'QueuePause') {
      const action = { Interface: a.get('Interface') ?? '', Paused: a.get('Paused') ?? '', Reason: a.get('Reason') ?? '' };
      this.pauses.push(action);
      const m = this.members.get(action.Interface);
      if (!m || this.failPauses > 0) {
        this.failPauses = Math.max(0, this.failPauses - 1);
        reply([['Response', 'Error'], ...id, ['Message', 'Interface not found']]);
      } else {
        const paused = action.Paused === 'true';
        reply([['Response', 'Success'], ...id, ['Message', paused ? 'Interface paused successfully' : 'Interface unpaused successfully']]);
        this.pauseMember(m.iface, paused, action.Reason);
      }
    } else {
      reply([['Response', 'Error'], ...id, ['Message', 'Invalid/unknown command']]);
    }
    this.changed();
  }
}

/** Resolves with the station's state once `fits` holds, waiting on the service's snapshots (no polling). */
export function desk(service: StationService, station: string, fits: (s: StationState) => boolean, what: string): Promise<StationState> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const s = service.state(station);
      if (!s || !fits(s)) return false;
      clearTimeout(timer);
      service.off('snapshot', check);
      resolve(s);
      return true;
    };
    const timer = setTimeout(() => {
      service.off('snapshot', check);
      const s = service.state(station);
      reject(new Error(`${station}: not ${what}; it is ${s ? PHASE_NAMES[s.phase] : 'unknown'} (reason ${s?.reason}, call ${s?.call?.callId})`));
    }, 5000);
    if (!check()) service.on('snapshot', check);
  });
}

export interface AmiRig {
  readonly ami: ScriptedAmi;
  readonly source: AmiSource;
  /** Every line the connector logged, "level message {fields}". */
  readonly log: string[];
}

/**
 * A scripted Asterisk and the AMI connector feeding `rig`'s station service,
 * with short retry delays; the map CSV is written from `mapLines`. Call it
 * inside a describe after useServiceRig; `before` runs once Asterisk listens
 * (e.g. to add the members queues.conf would have).
 */
export function useAmiRig(rig: ServiceRig, mapLines: string[], before: (ami: ScriptedAmi) => void = () => {}): AmiRig {
  const log: string[] = [];
  const line = (level: string) => (obj: object, msg: string) => log.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  const logger: Logger = { info: line('info'), warn: line('warn'), error: line('error') };
  const out: { -readonly [K in keyof AmiRig]?: AmiRig[K] } = { ami: new ScriptedAmi('deskphone', 's3cret-Ami!'), log };
  beforeAll(async () => {
    const port = await out.ami!.start();
    before(out.ami!);
    const mapFile = join(rig.tmp.dir, 'members.csv');
    writeFileSync(mapFile, ['member,station,extension', ...mapLines].join('\n') + '\n');
    out.source = new AmiSource({
      host: '127.0.0.1',
      port,
      username: 'deskphone',
      secret: 's3cret-Ami!',
      members: loadMemberMap(mapFile),
      logger,
      retryMinMs: 20,
      retryMaxMs: 100,
      actionRetryMinMs: 20,
      actionRetryMaxMs: 100,
    });
    await out.source.start((raw) => rig.service.ingest(raw), serviceDeskView(rig.service));
    await out.source.settled();
  });
  afterAll(async () => {
    await out.source?.stop();
    await out.ami!.stop();
  });
  return out as AmiRig;
}
