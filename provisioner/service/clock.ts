/**
 * Time as the station service sees it. Injected so tests advance time by hand
 * instead of sleeping, and so a restart test can pretend the host was down.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface ManualTimer {
  at: number;
  fn: () => void;
}

/** A clock that only moves when `advance` is called; due timers fire in deadline order. */
export class ManualClock implements Clock {
  private timers = new Set<ManualTimer>();

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    // Whole milliseconds, as the system clock gives them (the wire carries integers).
    const timer = { at: this.current + Math.max(0, Math.ceil(ms)), fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as ManualTimer);
  }

  /** Moves time forward by `ms`, running each timer that falls due on the way at its own time. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.at <= target && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  pending(): number {
    return this.timers.size;
  }
}
