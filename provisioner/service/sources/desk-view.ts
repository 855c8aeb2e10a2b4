import type { StationWatch } from '../monitor.ts';
import type { Snapshot, StationService } from '../service.ts';

/** What a connector needs to know about a desk: its phase and the call on it. */
export interface DeskState {
  station: string;
  phase: number;
  /** '' without a call. */
  callId: string;
}

/**
 * The desks as the station service publishes them, for sources that keep
 * the telephony in step with the desks (e.g. pausing an Asterisk queue member
 * during wrap-up). Read from the service in this process, or from the
 * retained snapshots on the broker when the service runs elsewhere.
 */
export interface DeskView {
  get(station: string): DeskState | undefined;
  /** Calls `fn` with each snapshot the service publishes; returns the unsubscribe. */
  subscribe(fn: (desk: DeskState) => void): () => void;
}

function deskOf(s: Pick<Snapshot, 'station' | 'phase' | 'call'>): DeskState {
  return { station: s.station, phase: s.phase, callId: s.call?.callId ?? '' };
}

export function serviceDeskView(service: StationService): DeskView {
  return {
    get: (station) => {
      const s = service.state(station);
      return s && { station: s.id, phase: s.phase, callId: s.call?.callId ?? '' };
    },
    subscribe: (fn) => {
      const listener = (snap: Snapshot) => fn(deskOf(snap));
      service.on('snapshot', listener);
      return () => service.off('snapshot', listener);
    },
  };
}

export function watchDeskView(watch: StationWatch): DeskView {
  return {
    get: (station) => {
      const snap = watch.list().find((v) => v.station === station)?.snapshot;
      return snap ? deskOf(snap) : undefined;
    },
    subscribe: (fn) => {
      const listener = (view: { snapshot: Snapshot | null } | null) => view?.snapshot && fn(deskOf(view.snapshot));
      watch.on('change', listener);
      return () => watch.off('change', listener);
    },
  };
}

/**
 * Calls `fn` when a desk's phase changes, the least a connector needs to
 * follow the desks: no hook in the state machine, only the snapshots the
 * service publishes anyway. The phases known at the start are the baseline.
 */
export function onPhaseChange(view: DeskView, stations: string[], fn: (station: string, from: number, to: number) => void): () => void {
  const last = new Map<string, number>();
  for (const id of stations) {
    const desk = view.get(id);
    if (desk) last.set(id, desk.phase);
  }
  return view.subscribe((desk) => {
    const from = last.get(desk.station);
    last.set(desk.station, desk.phase);
    if (from !== undefined && from !== desk.phase) fn(desk.station, from, desk.phase);
  });
}
