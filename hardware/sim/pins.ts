// Pins as the firmware drives them: digitalRead/digitalWrite/pinMode, setWatch
// with edges and debounce, and what is wired to them — buttons (high while
// held, as on the Pixl.js) and a keypad matrix, where a held key connects a
// row pin to a column pin so a scan (drive one line, read the others) sees it
// whichever side the firmware drives. analogWrite on the buzzer pin is recorded.
import type { BoardProfile } from '../board.ts';

export interface WatchOptions {
  repeat?: boolean;
  edge?: 'rising' | 'falling' | 'both' | number;
  debounce?: number;
}

interface Watch {
  id: number;
  pin: string;
  fn: (e: object) => void;
  repeat: boolean;
  edge: number;
  debounce: number;
  last: number;
  lastTime: number;
}

export interface PinHooks {
  now: () => number;
  later: (fn: () => void, ms: number) => void;
  report: (err: unknown) => void;
  object: (value: object) => object;
}

export interface BuzzerState {
  /** Duty cycle last written (0 = silent). */
  level: number;
  freq: number;
  /** How many times the buzzer was switched on. */
  beeps: number;
}

/** Name of a pin given as a Pin object or a string ("D13"). */
export function pinName(p: unknown): string {
  return String(p);
}

export class SimPins {
  private readonly outputs = new Map<string, number>();
  private readonly modes = new Map<string, string>();
  private readonly held = new Set<string>();
  private readonly watches = new Map<number, Watch>();
  private nextWatch = 1;
  /** Pairs [a, b] a held key connects (keypad). */
  private readonly matrix = new Map<string, [string, string]>();
  readonly buzzer: BuzzerState = { level: 0, freq: 0, beeps: 0 };

  constructor(
    private readonly board: BoardProfile,
    private readonly hooks: PinHooks,
  ) {
    if (board.input.kind === 'keypad') {
      const { rows, cols, keys } = board.input;
      keys.forEach((row, r) => row.forEach((key, c) => this.matrix.set(key, [rows[r], cols[c]])));
    }
  }

  /** Level a pin reads: its own output, what a held switch connects it to, else its pull resistor. */
  level(pin: string): number {
    const mode = this.modes.get(pin) ?? 'auto';
    if (this.outputs.has(pin) && (mode === 'output' || mode === 'auto' || mode === 'opendrain')) return this.outputs.get(pin)!;
    if (this.held.has(pin)) return 1;
    for (const key of this.held) {
      const pair = this.matrix.get(key);
      if (!pair || !pair.includes(pin)) continue;
      const other = pair[0] === pin ? pair[1] : pair[0];
      const otherMode = this.modes.get(other) ?? 'auto';
      if (this.outputs.has(other) && (otherMode === 'output' || otherMode === 'auto')) return this.outputs.get(other)!;
    }
    return mode === 'input_pullup' ? 1 : 0;
  }

  private levels(): Map<string, number> {
    const out = new Map<string, number>();
    for (const w of this.watches.values()) out.set(w.pin, this.level(w.pin));
    return out;
  }

  /** Runs `change`, then fires the watches whose pin changed level because of it. */
  private changing(change: () => void): void {
    const before = this.levels();
    change();
    for (const [pin, was] of before) {
      const now = this.level(pin);
      if (now !== was) this.edge(pin, now);
    }
  }

  private edge(pin: string, state: number): void {
    for (const w of [...this.watches.values()]) {
      if (w.pin !== pin) continue;
      const fire = () => {
        if (!this.watches.has(w.id) || this.level(pin) !== state || w.last === state) return;
        w.last = state;
        if (w.edge !== 0 && w.edge !== (state ? 1 : -1)) return;
        const time = this.hooks.now() / 1000;
        const event = this.hooks.object({ state: !!state, time, lastTime: w.lastTime, pin });
        w.lastTime = time;
        if (!w.repeat) this.watches.delete(w.id);
        try {
          w.fn(event);
        } catch (err) {
          this.hooks.report(err);
        }
      };
      if (w.debounce > 0) this.hooks.later(fire, w.debounce);
      else fire();
    }
  }

  // --- what the firmware calls -------------------------------------------

  digitalWrite(pins: unknown, value: number): void {
    this.changing(() => {
      const list = Array.isArray(pins) ? pins.map(pinName) : [pinName(pins)];
      list.forEach((p, i) => this.outputs.set(p, (Number(value) >> (list.length - 1 - i)) & 1));
    });
  }

  digitalRead(pins: unknown): number {
    if (Array.isArray(pins)) return pins.reduce((acc: number, p) => (acc << 1) | this.level(pinName(p)), 0);
    return this.level(pinName(pins));
  }

  pinMode(pin: unknown, mode?: string): void {
    this.changing(() => {
      const name = pinName(pin);
      this.modes.set(name, mode ?? 'auto');
      if (mode && mode.startsWith('input')) this.outputs.delete(name);
    });
  }

  getPinMode(pin: unknown): string {
    return this.modes.get(pinName(pin)) ?? 'auto';
  }

  analogWrite(pin: unknown, value: number, options?: { freq?: number }): void {
    if (this.board.buzzer && pinName(pin) === this.board.buzzer) {
      if (value > 0 && this.buzzer.level === 0) this.buzzer.beeps++;
      this.buzzer.level = Number(value) || 0;
      this.buzzer.freq = options?.freq ?? this.buzzer.freq;
    }
    this.outputs.set(pinName(pin), value > 0 ? 1 : 0);
  }

  setWatch(fn: (e: object) => void, pin: unknown, options?: WatchOptions | boolean): number {
    if (typeof fn !== 'function') throw new Error('setWatch: function required');
    const opts: WatchOptions = typeof options === 'object' ? options : { repeat: !!options };
    const edge = opts.edge === 'rising' || opts.edge === 1 ? 1 : opts.edge === 'falling' || opts.edge === -1 ? -1 : 0;
    const id = this.nextWatch++;
    const name = pinName(pin);
    this.watches.set(id, { id, pin: name, fn, repeat: !!opts.repeat, edge, debounce: Number(opts.debounce) || 0, last: this.level(name), lastTime: this.hooks.now() / 1000 });
    return id;
  }

  clearWatch(id?: number): void {
    if (id === undefined) this.watches.clear();
    else this.watches.delete(id);
  }

  watchCount(): number {
    return this.watches.size;
  }

  // --- what a test or the CLI does ----------------------------------------

  /** The pins a key is wired to, and whether it is a long press. */
  wiring(key: string): { switchKey: string; long: boolean } | null {
    const input = this.board.input;
    if (input.kind === 'buttons') {
      const short = input.buttons.find((b) => b.key === key);
      if (short) return { switchKey: short.pin, long: false };
      const long = input.buttons.find((b) => b.long === key);
      if (long) return { switchKey: long.pin, long: true };
    }
    if (input.kind === 'keypad') {
      if (this.matrix.has(key)) return { switchKey: key, long: false };
      const viaLong = Object.entries(input.long ?? {}).find(([, v]) => v === key);
      if (viaLong && this.matrix.has(viaLong[0])) return { switchKey: viaLong[0], long: true };
    }
    return null;
  }

  /** Holds a button (by pin) or a keypad key (by key name). */
  hold(switchKey: string): void {
    this.changing(() => this.held.add(switchKey));
  }

  release(switchKey: string): void {
    this.changing(() => this.held.delete(switchKey));
  }
}
