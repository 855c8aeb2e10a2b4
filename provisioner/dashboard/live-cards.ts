// The dashboard's cards, built from what the host knows: the registry (name,
// areas, board, online, firmware, the latest network update), each station's snapshot as the station
// service in this process makes it (its own events, in order, so no older
// snapshot can overtake a newer one), and the display frames of the virtual
// desks and hardware mirrors running in this process.
import { Area, Phase, Reason } from '../../protocol/host-codec.ts';
import type { Registry, Station } from '../registry/index.ts';
import { snapshotOf, type Snapshot, type StationService } from '../service/service.ts';
import type { CardCounts, CardPage, CardSource, StationCard } from './card.ts';
import type { OnDemandScreens } from './on-demand-screens.ts';
import { followUpdates } from './update-progress.ts';
import { UpdateStore } from '../update/store.ts';

/** How often the displays are looked at; a countdown changes once a second. */
const FRAME_POLL_MS = 200;

export interface LiveCardsOptions {
  registry: Registry;
  /** The station service running in this process, started. */
  service: Pick<StationService, 'on' | 'off' | 'state'>;
  /** Screens by station id, hardware mirrors made while shown; a station without one shows no frame. */
  screens: OnDemandScreens;
}

export interface LiveCards extends CardSource {
  close(): void;
}

function nameOf(values: Record<string, number>, n: number): string {
  return Object.keys(values).find((k) => values[k] === n) ?? String(n);
}

export function startLiveCards(options: LiveCardsOptions): LiveCards {
  const { registry, screens, service } = options;
  const snapshots = new Map<string, Snapshot>();
  const listeners = new Set<(card: StationCard) => void>();
  /** Registered station ids in card order, cut anew when stations come or go. */
  let ids: string[] | null = null;
  let layout = 0;
  const stationIds = () => (ids ??= registry.listStations().map((s) => s.id));
  const CALL_PHASES = new Set<number>([Phase.RINGING, Phase.TALKING, Phase.WRAP_UP]);
  const counts = (): CardCounts => {
    const result: CardCounts = { phases: {}, topics: {} };
    for (const id of stationIds()) {
      const snap = snapshots.get(id);
      const phase = nameOf(Phase, snap?.phase ?? Phase.PHASE_UNSPECIFIED);
      result.phases[phase] = (result.phases[phase] ?? 0) + 1;
      const menu = snap?.call?.menu;
      if (menu && CALL_PHASES.has(snap.phase)) result.topics[menu] = (result.topics[menu] ?? 0) + 1;
    }
    return result;
  };

  const cardOf = (station: Station): StationCard => {
    const snap = snapshots.get(station.id);
    const screen = screens.get(station.id);
    return {
      id: station.id,
      name: station.name,
      areas: station.areas,
      board: station.reportedBoard || station.board,
      phase: nameOf(Phase, snap?.phase ?? Phase.PHASE_UNSPECIFIED),
      menu: snap?.call?.menu ?? 0,
      area: snap?.call?.area ? nameOf(Area, snap.call.area) : '',
      wrapUpDeadlineMs: snap?.wrapUpDeadlineMs ?? 0,
      phaseSinceMs: snap?.phaseSinceMs ?? 0,
      // The page sets its clock by this; a retained snapshot's own time may be hours old.
      hostTimeMs: Date.now(),
      reason: snap ? nameOf(Reason, snap.reason) : '',
      seq: snap?.seq ?? 0,
      online: station.online,
      firmware: station.firmware,
      virtual: Boolean(screen?.press),
      lang: screen?.lang ?? '',
      keypad: screen?.keypad ?? false,
      frame: screen?.frame(),
      update: updates.get(station.id),
    };
  };
  const changed = (id: string) => {
    const station = registry.getStation(id);
    if (!station || listeners.size === 0) return;
    const card = cardOf(station);
    for (const listener of listeners) listener(card);
  };

  const updates = followUpdates(new UpdateStore(registry.db), (id) => changed(id));
  const now = Date.now();
  for (const id of stationIds()) {
    const state = service.state(id);
    if (state) snapshots.set(id, snapshotOf(state, now));
  }
  const onSnapshot = (snap: Snapshot) => {
    snapshots.set(snap.station, snap);
    screens.get(snap.station)?.snapshot?.(snap);
    changed(snap.station);
  };
  service.on('snapshot', onSnapshot);

  const stopWatching = registry.onChange((change) => {
    const station = change.kind === 'presence' ? registry.getStation(change.id) : undefined;
    if (station) screens.get(change.id)?.presence?.(station);
    if (change.kind === 'added' || change.kind === 'removed') {
      ids = null;
      layout++;
    }
    changed(change.id);
  });
  const poller = setInterval(() => {
    for (const [id, screen] of screens.drawn()) if (screen.poll()) changed(id);
  }, FRAME_POLL_MS);

  return {
    cards: () => registry.listStations().map(cardOf),
    page(page, size): CardPage {
      const all = stationIds();
      const pages = Math.max(1, Math.ceil(all.length / size));
      const at = Math.min(Math.max(0, page), pages - 1);
      const cards = all
        .slice(at * size, (at + 1) * size)
        .map((id) => registry.getStation(id))
        .filter((s) => s !== null)
        .map(cardOf);
      return { page: at, pages, total: all.length, counts: counts(), cards };
    },
    counts,
    layout: () => layout,
    watch: (shown) =>
      screens.watch(shown, (id, screen) => {
        // a mirror made now starts from what the host knows of its desk
        const snap = snapshots.get(id);
        if (snap) screen.snapshot?.(snap);
      }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    press(id, key) {
      const screen = screens.get(id);
      if (!screen?.press) return false;
      screen.press(key);
      return true;
    },
    close() {
      clearInterval(poller);
      updates.close();
      stopWatching();
      service.off('snapshot', onSnapshot);
      listeners.clear();
    },
  };
}
