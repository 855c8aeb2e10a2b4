// Update progress for the dashboard's cards: `deskphone update` runs in a
// process of its own and writes each desk's state to the shared SQLite file
// (update/store.ts), so the dashboard reads it from there, polling only the
// rows changed since it last looked.
import { isFinal, type HistoryEntry, type UpdateStore } from '../update/store.ts';
import type { CardUpdate } from './card.ts';

const POLL_MS = 1000;

export interface UpdateProgress {
  get(station: string): CardUpdate | undefined;
  close(): void;
}

function cardUpdate(h: HistoryEntry): CardUpdate {
  const percent = isFinal(h.state) ? 100 : Math.floor((100 * Math.min(h.offset, h.bytes)) / Math.max(1, h.bytes));
  return { version: h.version, state: h.state, percent, detail: h.detail };
}

/** Follows each station's latest update; `changed` is called with the station of each new row. */
export function followUpdates(store: UpdateStore, changed: (station: string) => void): UpdateProgress {
  const latest = new Map<string, HistoryEntry>(store.latest());
  let seen = Math.max(0, ...[...latest.values()].map((h) => h.updatedMs));
  const poller = setInterval(() => {
    for (const h of store.changedSince(seen)) {
      seen = Math.max(seen, h.updatedMs);
      latest.set(h.station, h);
      changed(h.station);
    }
  }, POLL_MS);
  poller.unref();
  return {
    get: (station) => {
      const h = latest.get(station);
      return h && cardUpdate(h);
    },
    close: () => clearInterval(poller),
  };
}
