// Every station's phase as the service holds it: in memory, in SQLite
// (StationStore) and on a timer for its next deadline. Every change goes
// through apply(), one transaction for all stations it touches.
import { DEFAULTS } from '../../protocol/catalogue.ts';
import type { Logger } from '../logging.ts';
import type { Clock } from './clock.ts';
import { expiryOf, PHASE_NAMES, signedOut, step, type StationState, type Timing } from './machine.ts';
import type { StationStore } from './store.ts';

export interface StationInfo {
  id: string;
  /** Areas the desk serves; empty means both. */
  areas: number[];
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

export interface StationsOptions {
  store: StationStore;
  clock: Clock;
  logger: Logger;
  /** The stations that exist (from the registry); asked again when an unknown id turns up. */
  registered: () => StationInfo[];
  wrapUpSeconds?: number;
  /** Per-area wrap-up length in seconds, keyed by Area value; falls back to wrapUpSeconds. */
  wrapUpSecondsByArea?: Record<number, number>;
  ringTimeoutSeconds?: number;
  /** A station's new state, stored: its snapshot goes out. */
  changed: (s: StationState) => void;
  /** A station gone from the registry: its retained snapshot goes. */
  forgotten: (id: string) => void;
}

export class Stations {
  private readonly states = new Map<string, StationState>();
  private readonly timers = new Map<string, unknown>();
  private readonly areasOf = new Map<string, number[]>();

  constructor(private readonly options: StationsOptions) {}

  /** Reads the stored stations back; returns the ids no longer registered, to be forgotten by restore(). */
  load(): string[] {
    this.refresh();
    const unregistered: string[] = [];
    for (const s of this.options.store.loadAll()) {
      if (this.areasOf.has(s.id)) this.states.set(s.id, s);
      else unregistered.push(s.id);
    }
    return unregistered;
  }

  get(id: string): StationState | undefined {
    return this.states.get(id);
  }

  list(): StationInfo[] {
    return [...this.areasOf].map(([id, areas]) => ({ id, areas }));
  }

  /** The registry changed: new stations get their first snapshot, removed ones are forgotten. */
  registryChanged(): void {
    this.refresh();
    const added = [...this.areasOf.keys()].filter((id) => !this.states.has(id));
    if (added.length > 0) this.apply(() => added.map((id) => this.current(id)));
    for (const id of [...this.states.keys()]) if (!this.areasOf.has(id)) this.forget(id);
  }

  /** A registered station's state, signed out if it has none yet; UnknownStationError otherwise. */
  current(id: string): StationState {
    const known = this.states.get(id);
    if (known) return known;
    if (!this.areasOf.has(id)) this.refresh();
    const areas = this.areasOf.get(id);
    if (!areas) throw new UnknownStationError(id);
    return signedOut(id, areas, this.options.clock.now());
  }

  isStation(id: string): boolean {
    if (!this.states.has(id) && !this.areasOf.has(id)) this.refresh();
    return this.states.has(id) || this.areasOf.has(id);
  }

  timing(now: number): Timing {
    const base = this.options.wrapUpSeconds ?? DEFAULTS.wrapUpS;
    const byArea = this.options.wrapUpSecondsByArea ?? {};
    return { now, wrapUpSeconds: (area) => byArea[area] ?? base, ringTimeoutMs: (this.options.ringTimeoutSeconds ?? 0) * 1000 };
  }

  /**
   * Runs `work` and stores every station it changed in one transaction, then
   * (only after commit) updates memory, timers and the retained snapshots. If
   * `work` throws, nothing is stored, scheduled or published.
   */
  apply(work: () => StationState[]): StationState[] {
    const changes = this.options.store.transaction(() => {
      const now = this.options.clock.now();
      const next = work().map((s) => ({ ...s, seq: s.seq + 1 }));
      for (const s of next) this.options.store.save(s, now);
      return next;
    });
    for (const s of changes) {
      this.states.set(s.id, s);
      this.schedule(s);
      this.options.changed(s);
    }
    return changes;
  }

  /**
   * After a (re)start: deadlines that passed while the host was down are
   * applied as what they are (timer expired, dated at the deadline), the rest
   * get their timers back, and every station's snapshot is published afresh in
   * case the broker lost its retained messages too. Stations removed from the
   * registry keep their rows (a re-added desk continues its sequence) but
   * lose their retained snapshot.
   */
  restore(unregistered: string[]): void {
    const now = this.options.clock.now();
    for (const [id, areas] of this.areasOf) if (!this.states.has(id)) this.states.set(id, signedOut(id, areas, now));
    this.apply(() =>
      [...this.states.values()].map((s) => {
        const event = expiryOf(s);
        if (event && s.deadlineMs <= now) {
          this.options.logger.info({ station: s.id, type: event.type, deadline: s.deadlineMs }, 'deadline passed while the host was down');
          return step(s, event, this.timing(s.deadlineMs));
        }
        return s;
      }),
    );
    for (const id of unregistered) this.forget(id);
  }

  /** Stops every timer (the service stops). */
  stop(): void {
    for (const t of this.timers.values()) this.options.clock.clearTimeout(t);
    this.timers.clear();
  }

  private refresh(): void {
    this.areasOf.clear();
    for (const st of this.options.registered()) this.areasOf.set(st.id, st.areas);
  }

  private schedule(s: StationState): void {
    const old = this.timers.get(s.id);
    if (old) this.options.clock.clearTimeout(old);
    this.timers.delete(s.id);
    if (!expiryOf(s)) return;
    const deadline = s.deadlineMs;
    this.timers.set(
      s.id,
      this.options.clock.setTimeout(() => {
        this.timers.delete(s.id);
        this.expire(s.id, deadline);
      }, deadline - this.options.clock.now()),
    );
  }

  /** A deadline passed: the host moves the station on, dated at the deadline itself. */
  private expire(id: string, deadline: number): void {
    const s = this.states.get(id);
    const event = s && expiryOf(s);
    if (!s || !event || s.deadlineMs !== deadline) return;
    const [next] = this.apply(() => [step(s, event, this.timing(deadline))]);
    this.options.logger.info({ station: id, type: event.type, phase: PHASE_NAMES[next.phase] }, 'deadline passed');
  }

  /** A station gone from the registry: its rows stay (a re-added desk continues its sequence), its timer and retained snapshot go. */
  private forget(id: string): void {
    const timer = this.timers.get(id);
    if (timer) this.options.clock.clearTimeout(timer);
    this.timers.delete(id);
    this.states.delete(id);
    this.options.forgotten(id);
    this.options.logger.info({ station: id }, 'station no longer registered: retained snapshot cleared');
  }
}
