import { DEFAULTS } from '../../../protocol/catalogue.ts';
import { Phase } from '../../../protocol/host-codec.ts';
import { seededRandom } from '../../seeded-random.ts';
import { luhnValid } from '../accounts.ts';
import { DESKS, menuArea } from '../calls.ts';
import { systemClock, type Clock } from '../clock.ts';
import { rejectionOf, type EventSink, type EventSource } from './source.ts';

export interface SimulatorOptions {
  /** The desks; a call goes only to one serving its area (no areas: both). */
  stations: { id: string; areas: number[] }[];
  /** Call arrivals per minute of simulated time (a Poisson process). */
  callsPerMinute: number;
  /** Simulated seconds per real second; 10 makes a 4-minute call last 24 s. */
  speed?: number;
  /** Share of callers who key their account number into the IVR. */
  ivrShare?: number;
  /**
   * The service's wrap-up length in real seconds (the service's clock does not
   * run at simulator speed), so the simulator knows when a desk is free again.
   */
  wrapUpSeconds?: number;
  /** Account digits for IVR numbers. */
  accountDigits?: number;
  seed?: number;
  clock?: Clock;
  /**
   * A desk's phase as the host has it, where the simulator runs inside the
   * host (the demo). It then resumes what it finds after a restart (desks
   * signed in, some in wrap-up) and offers calls only to available desks,
   * instead of sending events the service has to refuse.
   */
  phaseOf?: (station: string) => number | undefined;
}

export interface SimulatorStats {
  calls: number;
  events: number;
  rejected: number;
  /** Calls that found no free desk and were given up (the queue is not modelled). */
  lost: number;
  /** Events the sink could not take at all (e.g. the host's webhook unreachable). */
  failed: number;
  lastFailure: string;
}

/**
 * Menu weights from a water utility's hotline as the IVR sees it: billing and
 * meter readings dominate, faults come in bursts, the lab is rare.
 */
const MENU_WEIGHTS: [number, number][] = [
  [1, 10],
  [2, 35],
  [3, 30],
  [4, 8],
  [5, 7],
  [6, 10],
];

/**
 * Realistic traffic for demos and load: calls arrive at random, go to a free
 * desk, ring a few seconds, are mostly answered, last a few minutes
 * (log-normal, median 4 min), and end with the agent sometimes pressing ready
 * before the wrap-up clock runs out. Some ring out, some callers give up,
 * some are transferred. Events go through the same sink as any other source.
 */
export class CallSimulator implements EventSource {
  readonly name = 'simulator';
  readonly stats: SimulatorStats = { calls: 0, events: 0, rejected: 0, lost: 0, failed: 0, lastFailure: '' };
  private readonly random: () => number;
  private readonly clock: Clock;
  private readonly speed: number;
  private readonly free: Set<string>;
  private readonly areasOf: Map<string, number[]>;
  /** Calls in progress by station, to end them on stop. */
  private readonly calls = new Map<string, { callId: string; answered: boolean }>();
  private readonly timers = new Set<unknown>();
  private sink: EventSink | null = null;
  private nextCall = 1;

  constructor(private readonly options: SimulatorOptions) {
    this.random = seededRandom(options.seed ?? Date.now());
    this.clock = options.clock ?? systemClock;
    this.speed = options.speed ?? 1;
    this.free = new Set();
    this.areasOf = new Map(options.stations.map((s) => [s.id, s.areas]));
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    for (const { id: station } of this.options.stations) {
      // Without phaseOf a desk already signed in (e.g. at a remote host that restarted) rejects sign_in; it is still usable.
      if (this.phase(station, Phase.SIGNED_OUT) === Phase.SIGNED_OUT) this.send({ type: 'sign_in', station, agent: `agent-${station}` });
      this.free.add(station);
    }
    this.scheduleArrival();
  }

  /**
   * Ends the calls it started, so no desk is left ringing or talking on a
   * call that nobody will ever hang up; their wrap-ups then run out as usual.
   */
  async stop(): Promise<void> {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    if (this.sink) {
      for (const [station, call] of this.calls) {
        this.send(call.answered ? { type: 'hangup', station, callId: call.callId, by: 'caller' } : { type: 'abandoned', station, callId: call.callId });
      }
    }
    this.calls.clear();
    this.sink = null;
  }

  /** The host's phase of the desk, or `unknown` where the host does not say. */
  private phase(station: string, unknown: number): number {
    return this.options.phaseOf?.(station) ?? unknown;
  }

  private after(simSeconds: number, fn: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (this.sink) fn();
    }, (simSeconds * 1000) / this.speed);
    this.timers.add(timer);
  }

  /**
   * Hands one event to the sink. A refusal calls `onRefused`: at once for
   * the service in this process, when the answer comes for a remote host.
   */
  private send(event: Record<string, unknown>, onRefused?: () => void): void {
    this.stats.events++;
    const refused = (err: unknown) => {
      try {
        rejectionOf(err);
        this.stats.rejected++;
      } catch (fault) {
        this.stats.failed++;
        this.stats.lastFailure = (fault as Error).message;
      }
      onRefused?.();
    };
    try {
      const result = this.sink!(event);
      if (result instanceof Promise) result.catch(refused);
    } catch (err) {
      refused(err);
    }
  }

  /** Whether `callId` is still the call on `station` (a refused offer cancels its follow-ups). */
  private current(station: string, callId: string): boolean {
    return this.calls.get(station)?.callId === callId;
  }

  private scheduleArrival(): void {
    const meanGap = 60 / this.options.callsPerMinute;
    this.after(-Math.log(1 - this.random()) * meanGap, () => {
      this.offer();
      this.scheduleArrival();
    });
  }

  private pick<T>(weighted: [T, number][]): T {
    let r = this.random() * weighted.reduce((sum, [, w]) => sum + w, 0);
    for (const [value, w] of weighted) if ((r -= w) < 0) return value;
    return weighted[weighted.length - 1][0];
  }

  /** Log-normal with the given median; sigma 0.5 keeps most calls between half and double. */
  private logNormal(median: number, sigma = 0.5): number {
    const u = 1 - this.random();
    const v = this.random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  }

  private ivrAccount(): string | undefined {
    if (this.random() >= (this.options.ivrShare ?? 0.4)) return undefined;
    const digits = this.options.accountDigits ?? DEFAULTS.accountDigits;
    let body = '';
    for (let i = 0; i < digits - 1; i++) body += Math.floor(this.random() * 10);
    // Callers mistype now and then; the rest get a correct mod-10 check digit.
    if (this.random() < 0.05) return body + Math.floor(this.random() * 10);
    for (let check = 0; check < 10; check++) if (luhnValid(body + check)) return body + check;
    return body + '0';
  }

  private offer(): void {
    const menu = this.pick(MENU_WEIGHTS);
    const area = menuArea(menu) as number;
    const free = [...this.free].filter((id) => {
      const areas = this.areasOf.get(id)!;
      return (areas.length === 0 || areas.includes(area)) && this.phase(id, Phase.AVAILABLE) === Phase.AVAILABLE;
    });
    if (free.length === 0) {
      this.stats.lost++;
      return;
    }
    const station = free[Math.floor(this.random() * free.length)];
    const callId = `sim-${this.clock.now().toString(36)}-${this.nextCall++}`;
    const ivrAccount = this.ivrAccount();
    this.stats.calls++;
    this.free.delete(station);
    this.calls.set(station, { callId, answered: false });
    this.send({ type: 'offered', station, callId, menu, ...(ivrAccount ? { ivrAccount } : {}) }, () => {
      if (!this.current(station, callId)) return;
      this.calls.delete(station);
      // The desk is busy with something the simulator did not start; try it again later.
      this.after(60, () => this.free.add(station));
    });
    if (!this.current(station, callId)) return;
    const ring = 2 + this.random() * 10;
    const fate = this.random();
    const then = (simSeconds: number, fn: () => void) => this.after(simSeconds, () => this.current(station, callId) && fn());
    if (fate < 0.04) return then(ring + 15, () => this.release(station, { type: 'no_answer', station, callId }));
    if (fate < 0.1) return then(ring, () => this.release(station, { type: 'abandoned', station, callId }));
    then(ring, () => {
      this.send({ type: 'answered', station, callId });
      this.calls.set(station, { callId, answered: true });
      then(this.logNormal(240), () => this.endCall(station, callId, area));
    });
  }

  private endCall(station: string, callId: string, area: number): void {
    this.calls.delete(station);
    const r = this.random();
    if (r < 0.05) {
      const toDesk = DESKS[area === menuArea(1) ? 0 : 1];
      this.send({ type: 'transferred', station, callId, toDesk });
    } else {
      this.send({ type: 'hangup', station, callId, by: r < 0.7 ? 'caller' : 'agent' });
    }
    const wrapUp = (this.options.wrapUpSeconds ?? DEFAULTS.wrapUpS) * this.speed;
    // Half the agents finish early and press ready; the others let the clock run out.
    if (this.random() < 0.5) {
      this.after(Math.min(wrapUp * 0.9, this.logNormal(90)), () => this.release(station, { type: 'ready', station }));
    } else {
      this.after(wrapUp + 1, () => this.free.add(station));
    }
  }

  private release(station: string, event: Record<string, unknown>): void {
    if (event.type !== 'ready') this.calls.delete(station);
    // An agent at the desk (the demo's virtual one) often presses ready before the simulated phone does; the phone's ready is then moot.
    if (event.type !== 'ready' || this.phase(station, Phase.WRAP_UP) === Phase.WRAP_UP) this.send(event);
    this.free.add(station);
  }
}
