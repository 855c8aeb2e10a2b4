// The dashboard's server-sent event streams, one page of cards each. A site
// of 5,000 desks is too much for one page and for the host to draw: every
// stream shows one page (station id order), gets the changed cards of that
// page only, the counts of the whole site with every change, and keeps the
// displays of its page drawn (hardware mirrors run only while shown).
import type { ServerResponse } from 'node:http';
import type { CardSource, StationCard } from './card.ts';

export const DEFAULT_PAGE_SIZE = 48;
export const MAX_PAGE_SIZE = 200;

interface Stream {
  res: ServerResponse;
  page: number;
  size: number;
  ids: Set<string>;
  release: () => void;
}

/** Reads ?page (0-based) and ?size from a dashboard URL, within bounds. */
export function pageOf(url: URL): { page: number; size: number } {
  const int = (name: string, fallback: number) => {
    const n = Number.parseInt(url.searchParams.get(name) ?? '', 10);
    return Number.isFinite(n) ? n : fallback;
  };
  return { page: Math.max(0, int('page', 0)), size: Math.min(MAX_PAGE_SIZE, Math.max(1, int('size', DEFAULT_PAGE_SIZE))) };
}

export class PageStreams {
  private readonly streams = new Set<Stream>();
  private readonly pending = new Map<string, StationCard>();
  private readonly unsubscribe: () => void;
  private layout: number;

  constructor(private readonly source: CardSource) {
    this.unsubscribe = source.subscribe((card) => this.pending.set(card.id, card));
    this.layout = source.layout();
  }

  /** Starts a stream on `res` (headers already sent) with its first page. */
  open(res: ServerResponse, page: number, size: number): void {
    const stream: Stream = { res, page, size, ids: new Set(), release: () => {} };
    this.streams.add(stream);
    res.once('close', () => {
      this.streams.delete(stream);
      stream.release();
    });
    this.sendPage(stream);
  }

  /** Sends what changed since the last flush (the server calls it on a timer, so pushes coalesce). */
  flush(): void {
    const layout = this.source.layout();
    if (layout !== this.layout) {
      // stations came or went: every page may hold other stations now
      this.layout = layout;
      this.pending.clear();
      for (const stream of this.streams) this.sendPage(stream);
      return;
    }
    if (this.pending.size === 0) return;
    const changed = [...this.pending.values()];
    this.pending.clear();
    const counts = `event: counts\ndata: ${JSON.stringify(this.source.counts())}\n\n`;
    for (const stream of this.streams) {
      const mine = changed.filter((card) => stream.ids.has(card.id));
      stream.res.write((mine.length ? `event: cards\ndata: ${JSON.stringify(mine)}\n\n` : '') + counts);
    }
  }

  close(): void {
    this.unsubscribe();
    for (const stream of this.streams) {
      stream.release();
      stream.res.end();
    }
    this.streams.clear();
  }

  private sendPage(stream: Stream): void {
    const view = this.source.page(stream.page, stream.size);
    const before = stream.release;
    stream.ids = new Set(view.cards.map((c) => c.id));
    // watch the new page before letting go of the old one, so a mirror on both survives
    stream.release = this.source.watch([...stream.ids]);
    before();
    stream.res.write(`event: page\ndata: ${JSON.stringify(view)}\n\n`);
  }
}
