// Pins as the interpreter hands them to the firmware and as the board wires
// them. Each board knows only the pins of its Espruino board file; a pin
// argument is a Pin object, or a string parsed exactly as jshGetPinFromString
// does, so "LED1" or "BTN1" as text fail here as they fail on the board.
// Levels come from what is wired: buttons (high while held, as the Pixl.js
// reads them) and a keypad matrix, where held keys join row and column pins
// into one net: a net reads what drives it (push-pull, or open-drain pulling
// low), else its pull resistor. Several held keys therefore ghost as they do
// on a matrix without diodes. setWatch fires on level changes with edges and
// debounce; analogWrite on the buzzer pin is recorded.
import type { BoardProfile } from '../board.ts';
import { BOARD_PINS, boardPinNames, pinFromString } from '../espruino-pins.ts';

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
  /** An Error built in the firmware's context. */
  error: (message: string) => Error;
  /** A line on the console (what jsError prints). */
  print: (line: string) => void;
  /** Every output the firmware drives, as it happens (a display's reset and backlight lines). */
  changed?: (pin: string, v: number) => void;
}

export interface BuzzerState {
  /** Duty cycle last written (0 = silent). */
  level: number;
  freq: number;
  /** How many times the buzzer was switched on. */
  beeps: number;
}

/** One pin change the firmware made, for timing checks (ms on the simulator clock). */
export interface PinEvent {
  t: number;
  pin: string;
  v: number;
}

type Espruino = BoardProfile['espruinoBoard'];

/** A Pin object as the interpreter has them (D5, LED1): prints and serialises as its name. */
export class SimPin {
  constructor(
    readonly pinName: string,
    readonly index: number,
    private readonly pins: () => SimPins,
  ) {}
  toString(): string {
    return this.pinName;
  }
  toJSON(): string {
    return this.pinName;
  }
  valueOf(): number {
    return this.index;
  }
  read(): boolean {
    return !!this.pins().digitalRead(this);
  }
  write(v: unknown): void {
    this.pins().digitalWrite(this, v ? 1 : 0);
  }
  set(): void {
    this.pins().digitalWrite(this, 1);
  }
  reset(): void {
    this.pins().digitalWrite(this, 0);
  }
  toggle(): boolean {
    const v = this.pins().digitalRead(this) ? 0 : 1;
    this.pins().digitalWrite(this, v);
    return !!v;
  }
  mode(m: string): void {
    this.pins().pinMode(this, m);
  }
  getMode(): string {
    return this.pins().getPinMode(this);
  }
}

/** Modes pinMode accepts (src/jswrap_io.c jswrap_io_pinMode). */
const MODES = ['analog', 'input', 'input_pullup', 'input_pulldown', 'output', 'opendrain', 'opendrain_pullup', 'af_output', 'af_opendrain'];

/**
 * targets/esp32/jshardware.c jshPinDefaultPullup: pins the ESP32 build sets
 * to input_pullup at start.
 */
const ESP32_DEFAULT_PULLUP = [0, 12, 13, 14, 15, 18, 19, 21, 22, 25, 26, 27, 34, 35, 36, 37, 38, 39];

export class SimPins {
  private readonly outputs = new Map<string, number>();
  /** Pin state as pinMode/auto set it ('auto' = never set). */
  private readonly modes = new Map<string, string>();
  /** Set by pinMode with a mode: digitalRead/Write then leave the state alone (jshGetPinStateIsManual). */
  private readonly manual = new Set<string>();
  /** The pull resistor actually switched on, which setWatch changes on ESP32 behind the mode's back. */
  private readonly pulls = new Map<string, 'up' | 'down'>();
  private readonly held = new Set<string>();
  private readonly watches = new Map<number, Watch>();
  private nextWatch = 1;
  /** Keypad key -> the two pins it connects while held. */
  private readonly matrix = new Map<string, [string, string]>();
  /** Button key (profile pin name) -> canonical pin. */
  private readonly buttons = new Map<string, string>();
  readonly buzzer: BuzzerState = { level: 0, freq: 0, beeps: 0 };
  /** Every digitalWrite, in order (bounded: the last 2000). */
  readonly history: PinEvent[] = [];
  /** Pins driven against each other through held keys (push-pull high meets low): a short on real hardware. */
  shorts = 0;
  private readonly espruino: Espruino;
  readonly objects = new Map<string, SimPin>();

  constructor(
    private readonly board: BoardProfile,
    private readonly hooks: PinHooks,
  ) {
    this.espruino = board.espruinoBoard;
    for (const [i, name] of boardPinNames(this.espruino).entries()) this.objects.set(name, new SimPin(name, i, () => this));
    if (this.espruino === 'ESP32') {
      for (const n of ESP32_DEFAULT_PULLUP) {
        this.modes.set('D' + n, 'input_pullup');
        this.pulls.set('D' + n, 'up');
      }
    }
    if (board.input.kind === 'keypad') {
      const { rows, cols, keys } = board.input;
      keys.forEach((row, r) => row.forEach((key, c) => this.matrix.set(key, [this.named(rows[r]), this.named(cols[c])])));
    }
    if (board.input.kind === 'buttons') for (const b of board.input.buttons) this.buttons.set(b.pin, this.named(b.pin));
  }

  /** The global Pin objects of this board: every port pin and the named devices (LED1, BTN1, ...). */
  globals(): Record<string, SimPin> {
    const out: Record<string, SimPin> = {};
    for (const [name, pin] of this.objects) out[name] = pin;
    for (const [name, canonical] of Object.entries(BOARD_PINS[this.espruino].devices)) out[name] = this.objects.get(canonical)!;
    return out;
  }

  /** Canonical pin of a name the board defines globally (profile and host side: "LED1", "D16"). */
  named(name: string): string {
    const canonical = BOARD_PINS[this.espruino].devices[name] ?? pinFromString(name, this.espruino);
    if (!canonical) throw new Error(`${this.board.name}: the ${this.espruino} interpreter has no pin ${name}`);
    return canonical;
  }

  /** What the interpreter makes of a pin argument (jshGetPinFromVar): a Pin, a parsable string, else nothing. */
  private fromFirmware(p: unknown): string | null {
    if (p instanceof SimPin) return p.pinName;
    if (typeof p === 'string') return pinFromString(p, this.espruino);
    if (typeof p === 'number' && Number.isInteger(p)) {
      // A bare number is a pin index on the board; the firmware has no business using them.
      throw this.hooks.error(`pin given as the number ${p}: the simulator does not map pin numbers, use the board's Pin object`);
    }
    return null;
  }

  private pinOrThrow(p: unknown): string {
    const name = this.fromFirmware(p);
    if (!name) throw this.hooks.error('Invalid pin');
    return name;
  }

  /** Whether a pin drives its net, and with what. */
  private drive(pin: string): number | null {
    const mode = this.modes.get(pin) ?? 'auto';
    if (!this.outputs.has(pin)) return null;
    const v = this.outputs.get(pin)!;
    if (mode === 'output' || mode === 'auto' || mode === 'af_output') return v;
    if (mode.startsWith('opendrain') || mode === 'af_opendrain') return v ? null : 0;
    return null;
  }

  /** The pins joined to `pin` through held keys. */
  private net(pin: string): string[] {
    const seen = new Set([pin]);
    const todo = [pin];
    while (todo.length) {
      const p = todo.pop()!;
      for (const key of this.held) {
        const pair = this.matrix.get(key);
        if (!pair || !pair.includes(p)) continue;
        const other = pair[0] === p ? pair[1] : pair[0];
        if (!seen.has(other)) {
          seen.add(other);
          todo.push(other);
        }
      }
    }
    return [...seen];
  }

  /** Level a pin reads: a held button, what drives its net, else the pulls on the net (none reads 0). */
  level(pin: string): number {
    for (const [key, canonical] of this.buttons) if (canonical === pin && this.held.has(key)) return 1;
    const net = this.net(pin);
    const driven = net.map((p) => this.drive(p)).filter((v): v is number => v !== null);
    if (driven.length) return driven.includes(0) ? 0 : 1;
    return net.some((p) => this.pulls.get(p) === 'up') ? 1 : 0;
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
    for (const key of this.held) {
      const pair = this.matrix.get(key);
      if (!pair) continue;
      const driven = this.net(pair[0]).map((p) => this.drive(p));
      if (driven.includes(0) && driven.includes(1)) this.shorts++;
    }
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
        const event = this.hooks.object({ state: !!state, time, lastTime: w.lastTime });
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

  /** digitalRead/digitalWrite switch a pin's state unless pinMode made it manual (src/jspin.c jshPinInput/jshPinOutput). */
  private auto(pin: string, mode: string): void {
    if (this.manual.has(pin)) return;
    this.modes.set(pin, mode);
    this.pulls.delete(pin);
  }

  private output(pin: string, v: number): void {
    this.outputs.set(pin, v);
    this.auto(pin, 'output');
    this.history.push({ t: this.hooks.now(), pin, v });
    if (this.history.length > 2000) this.history.shift();
    this.hooks.changed?.(pin, v);
  }

  // --- what the firmware calls (src/jswrap_io.c) ------------------------------

  /** jswrap_io_digitalWrite: a pin, an array of pins (last element = bit 0), or an object with write(). */
  digitalWrite(pins: unknown, value: unknown): void {
    const v = typeof value === 'boolean' ? (value ? -1 : 0) : Number(value) | 0;
    if (Array.isArray(pins)) {
      const names = pins.map((p) => this.pinOrThrow(p));
      this.changing(() => names.forEach((p, i) => this.output(p, (v >> (names.length - 1 - i)) & 1)));
      return;
    }
    if (pins !== null && typeof pins === 'object' && !(pins instanceof SimPin)) {
      const write = (pins as { write?: unknown }).write;
      if (typeof write !== 'function') throw this.hooks.error('Invalid pin');
      write.call(pins, v);
      return;
    }
    const name = this.pinOrThrow(pins);
    this.changing(() => this.output(name, v !== 0 ? 1 : 0));
  }

  /** jswrap_io_digitalRead: a pin, an array of pins (first = most significant bit), or an object with read(). */
  digitalRead(pins: unknown): number {
    if (Array.isArray(pins)) {
      const names = pins.map((p) => this.pinOrThrow(p));
      return names.reduce((acc: number, p) => {
        this.auto(p, 'input');
        return (acc << 1) | this.level(p);
      }, 0);
    }
    if (pins !== null && typeof pins === 'object' && !(pins instanceof SimPin)) {
      const read = (pins as { read?: unknown }).read;
      if (typeof read !== 'function') throw this.hooks.error('Invalid pin');
      return Number(read.call(pins)) | 0;
    }
    const name = this.pinOrThrow(pins);
    this.auto(name, 'input');
    return this.level(name);
  }

  pinMode(pin: unknown, mode?: unknown): void {
    const name = this.pinOrThrow(pin);
    if (mode === undefined || mode === 'auto') {
      this.manual.delete(name);
      return;
    }
    if (typeof mode !== 'string' || !MODES.includes(mode)) throw this.hooks.error('Unknown pin mode');
    this.changing(() => {
      this.manual.add(name);
      this.modes.set(name, mode);
      if (mode === 'input_pullup' || mode === 'opendrain_pullup') this.pulls.set(name, 'up');
      else if (mode === 'input_pulldown') this.pulls.set(name, 'down');
      else this.pulls.delete(name);
    });
  }

  getPinMode(pin: unknown): string {
    return this.modes.get(this.pinOrThrow(pin)) ?? 'auto';
  }

  /** An invalid pin changes nothing: the buzzer stays silent (jshPinAnalogOutput is per board). */
  analogWrite(pin: unknown, value: number, options?: { freq?: number }): void {
    const name = this.fromFirmware(pin);
    if (!name) return;
    if (this.board.buzzer && name === this.named(this.board.buzzer)) {
      if (value > 0 && this.buzzer.level === 0) this.buzzer.beeps++;
      this.buzzer.level = Number(value) || 0;
      this.buzzer.freq = options?.freq ?? this.buzzer.freq;
    }
    this.changing(() => this.output(name, value > 0 ? 1 : 0));
  }

  /** jswrap_io_digitalPulse: the pin at `value` for `ms`, then back. */
  digitalPulse(pin: unknown, value: unknown, ms: unknown): void {
    const name = this.pinOrThrow(pin);
    const v = value ? 1 : 0;
    this.changing(() => this.output(name, v));
    this.hooks.later(() => this.changing(() => this.output(name, 1 - v)), Math.max(0, Number(ms) || 0));
  }

  /**
   * jswrap_interface_setWatch: an invalid pin prints "Invalid pin" and
   * returns undefined. On ESP32 jshPinWatch (targets/esp32/jshardware.c)
   * makes the pin an input with its pull-up on, whatever pinMode set.
   */
  setWatch(fn: (e: object) => void, pin: unknown, options?: WatchOptions | boolean): number | undefined {
    const name = this.fromFirmware(pin);
    if (!name) {
      this.hooks.print('ERROR: Invalid pin');
      return undefined;
    }
    if (typeof fn !== 'function') throw this.hooks.error('Function or String not supplied!');
    const opts: WatchOptions = typeof options === 'object' ? options : { repeat: !!options };
    const edge = opts.edge === 'rising' || opts.edge === 1 ? 1 : opts.edge === 'falling' || opts.edge === -1 ? -1 : 0;
    if (this.espruino === 'ESP32') {
      this.changing(() => {
        this.outputs.delete(name);
        this.pulls.set(name, 'up');
      });
    }
    const id = this.nextWatch++;
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

  /** Levels of every pin the firmware drives as an output now, by canonical name. */
  driven(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const pin of this.outputs.keys()) {
      const v = this.drive(pin);
      if (v !== null) out[pin] = v;
    }
    return out;
  }

  /** A pin for a bus's chip select or data: the canonical name, or null where the interpreter would not take it. */
  resolve(p: unknown): string | null {
    return this.fromFirmware(p);
  }

  /** Drives a pin from a bus (SPI.write's chip select). */
  busOutput(name: string, v: number): void {
    this.changing(() => this.output(name, v));
  }

  // --- what a test or the CLI does (board names: "LED1", "D16") ---------------

  /** The level of a pin by the name the board gives it. */
  read(name: string): number {
    return this.level(this.named(name));
  }

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

  /** Holds a button (by its profile pin name) or a keypad key (by key name). */
  hold(switchKey: string): void {
    this.changing(() => this.held.add(switchKey));
  }

  release(switchKey: string): void {
    this.changing(() => this.held.delete(switchKey));
  }
}
