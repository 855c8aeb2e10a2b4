// The simulator's clock and timer queue. In 'manual' mode time moves only when
// a test calls advance(), so a 5-minute wrap-up takes microseconds and no
// assertion depends on how fast the machine is; in 'real' mode it follows the
// wall clock (the CLI). Timers follow Espruino: ids are small integers,
// clearTimeout() with no argument clears every timer, and a throwing callback
// is reported without stopping the others.

export type ClockMode = 'manual' | 'real';

interface Timer {
  id: number;
  due: number;
  interval: number | null;
  fn: (...args: unknown[]) => void;
  args: unknown[];
}

export class SimClock {
  private offset: number;
  private readonly realStart = Date.now();
  private manualNow: number;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;
  private realTicker: ReturnType<typeof setInterval> | null = null;
  /** Powered off: the code still on the stack when power went may set timers, and none of them may run. */
  private halted = false;

  constructor(
    readonly mode: ClockMode,
    startTime: number,
    /** Called with the error when a timer callback throws (Espruino prints "Uncaught ..."). */
    private readonly onError: (err: unknown) => void,
  ) {
    this.manualNow = startTime;
    this.offset = startTime - this.realStart;
    if (mode === 'real') {
      this.realTicker = setInterval(() => this.runDue(this.now()), 5);
      this.realTicker.unref?.();
    }
  }

  /** Milliseconds since the epoch, as Date.now() inside the simulator. */
  now(): number {
    return this.mode === 'manual' ? this.manualNow : Date.now() + this.offset;
  }

  /** Milliseconds the interpreter spent held by blocking native calls (block()). */
  blockedMs = 0;

  /**
   * A native call that holds the interpreter (the WIZnet driver's DHCP, a
   * TCP connect on the W5100): time passes and no JavaScript runs, so timers
   * that fall due meanwhile fire late. In 'real' mode the process cannot
   * stop, so the simulated clock jumps ahead instead.
   */
  block(ms: number): void {
    this.blockedMs += ms;
    if (this.mode === 'manual') this.manualNow += ms;
    else this.offset += ms;
  }

  /** Espruino's setTime(seconds). */
  setTime(seconds: number): void {
    if (this.mode === 'manual') this.manualNow = seconds * 1000;
    else this.offset = seconds * 1000 - Date.now();
  }

  add(fn: (...args: unknown[]) => void, ms: number, interval: boolean, args: unknown[]): number {
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    const delay = Math.max(0, Number(ms) || 0);
    const id = this.nextId++;
    if (this.halted) return id;
    this.timers.set(id, { id, due: this.now() + delay, interval: interval ? Math.max(1, delay) : null, fn, args });
    return id;
  }

  clear(id?: number): void {
    if (id === undefined) this.timers.clear();
    else if (this.timers.has(id)) this.timers.delete(id);
    else throw new Error(`Unknown Timeout ${id}`);
  }

  /** Espruino's changeInterval(id, ms). */
  change(id: number, ms: number): void {
    const t = this.timers.get(id);
    if (!t) throw new Error(`Unknown Interval ${id}`);
    t.interval = Math.max(1, ms);
    t.due = this.now() + t.interval;
  }

  count(): number {
    return this.timers.size;
  }

  /** The pending timers, soonest first (for tests looking for leaks). */
  list(): { id: number; inMs: number; interval: number | null }[] {
    const now = this.now();
    return [...this.timers.values()].sort((a, b) => a.due - b.due).map((t) => ({ id: t.id, inMs: t.due - now, interval: t.interval }));
  }

  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (t.due <= limit && (!best || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t;
    return best;
  }

  private fire(t: Timer): void {
    if (t.interval === null) this.timers.delete(t.id);
    else t.due += t.interval;
    try {
      t.fn(...t.args);
    } catch (err) {
      this.onError(err);
    }
  }

  private runDue(limit: number): void {
    for (let t = this.nextDue(limit); t; t = this.nextDue(limit)) this.fire(t);
  }

  /**
   * Manual mode: moves time forward by `ms`, firing each timer at its own due
   * time, and lets promise callbacks and socket events run between timers.
   */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    if (this.mode !== 'manual') throw new Error("advance() needs clock: 'manual'");
    const end = this.manualNow + ms;
    await settle();
    for (let t = this.nextDue(end); t; t = this.nextDue(end)) {
      this.manualNow = Math.max(this.manualNow, t.due);
      this.fire(t);
      await settle();
    }
    this.manualNow = end;
    await settle();
  }

  /** Drops every timer (a restart of the interpreter); the clock keeps running. */
  clearAll(): void {
    this.timers.clear();
    this.halted = false;
  }

  /** Power gone: every timer dropped, and those set from now on too, until the next start (clearAll). */
  halt(): void {
    this.timers.clear();
    this.halted = true;
  }

  stop(): void {
    if (this.realTicker) clearInterval(this.realTicker);
    this.realTicker = null;
    this.timers.clear();
  }
}
