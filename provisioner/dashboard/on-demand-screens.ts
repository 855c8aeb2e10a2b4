// Which stations' displays are drawn: a virtual desk draws anyway (it is the
// module), a hardware desk's mirror (a whole firmware context with its own
// 1 s tick) runs only while some dashboard shows its card. With one mirror
// per registered station, 1,000 stations kept `up` at a whole core and
// 627 MB without anyone looking (issue 18).
import type { Screen } from './screen.ts';

export class OnDemandScreens {
  /** Stations shown by at least one dashboard, and by how many. */
  private readonly watchers = new Map<string, number>();
  private readonly made = new Map<string, Screen>();

  constructor(
    /** Displays that exist anyway (virtual desks), by station id. */
    private readonly fixed: ReadonlyMap<string, Screen>,
    /** Makes a station's display when a dashboard shows it; undefined for a station that has none. */
    private readonly make: (id: string) => Screen | undefined,
  ) {}

  get(id: string): Screen | undefined {
    return this.fixed.get(id) ?? this.made.get(id);
  }

  /** The displays there are, to look at for changes: every virtual desk's, and the mirrors of shown stations. */
  *drawn(): IterableIterator<[string, Screen]> {
    yield* this.fixed;
    yield* this.made;
  }

  /**
   * Marks stations as shown; calls `fresh` for each display made now (to give
   * it what it should show). Returns the release, which closes displays
   * nobody shows any more.
   */
  watch(ids: readonly string[], fresh: (id: string, screen: Screen) => void = () => {}): () => void {
    for (const id of ids) {
      this.watchers.set(id, (this.watchers.get(id) ?? 0) + 1);
      if (this.get(id)) continue;
      const screen = this.make(id);
      if (!screen) continue;
      this.made.set(id, screen);
      fresh(id, screen);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of ids) {
        const left = (this.watchers.get(id) ?? 1) - 1;
        if (left > 0) {
          this.watchers.set(id, left);
          continue;
        }
        this.watchers.delete(id);
        this.drop(id);
      }
    };
  }

  /** A removed station's display goes at once, shown or not. */
  forget(id: string): void {
    this.drop(id);
  }

  close(): void {
    for (const id of [...this.made.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    this.made.get(id)?.close?.();
    this.made.delete(id);
  }
}
