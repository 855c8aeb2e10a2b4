// The simulator: runs the exact bundle that gets flashed (firmware/dist/<board>.js,
// booted from Storage file .bootcde as on the device) inside a Node vm context
// that offers the Espruino API surface the firmware uses and lacks what the
// interpreter lacks (../espruino-lacks.ts), so code that would fail on the device fails here.
//
// The models it puts together: the board's pins (pins.ts), buses (bus.ts),
// display and its controller (display.ts), Storage (storage.ts), network
// (net.ts), clock (clock.ts) and consoles (consoles.ts); the interpreter's
// global scope (interpreter.ts) and its E object (espruino-e.ts).
//
// What is approximate, on purpose: process.memory() is an estimate (see
// memory.ts); only the real interpreter gives real variable counts
// (test/helpers/interpreter.ts, bench/firmware-size.ts). Built-in font glyphs are
// placeholders (graphics.ts). Storage.writeJSON writes standard JSON where the
// interpreter writes its shorter dialect ({x:1}).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { loadBoard, type BoardProfile } from '../board.ts';
import { ESPRUINO_VERSION, espruinoBuild, type EspruinoBuild } from '../espruino.ts';
import { busNames, createBus, type BusState } from './bus.ts';
import { SimClock } from './clock.ts';
import { SimConsoles } from './consoles.ts';
import { SimDisplay } from './display.ts';
import { espruinoE } from './espruino-e.ts';
import type { Graphics } from './graphics.ts';
import { installObjectEvents, installSimDate, pinGlobals, removeWhatTheInterpreterLacks, textGlobals, timerGlobals } from './interpreter.ts';
import { estimateUsage, memoryReport } from './memory.ts';
import { Emitter, SimNetwork } from './net.ts';
import type { SimError, SimulatorOptions } from './options.ts';
import type { Framebuffer } from './picture.ts';
import { SimPins } from './pins.ts';
import { BundleStacks } from './source-stack.ts';
import type { Ssd1306 } from './ssd1306.ts';
import type { St7789 } from './st7789.ts';
import { heatshrinkModule } from './heatshrink.ts';
import { PowerCut, SimStorage } from './storage.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const BOOT_FILE = '.bootcde';
export const CONFIG_FILE = 'deskphone.json';
/** Interpreter version the simulator stands in for (what the lacks list was measured on). */
export const SIM_VERSION = ESPRUINO_VERSION;
/** How long press() holds a key, and a long press. */
export const PRESS_MS = 120;
export const LONG_PRESS_MS = 1500;

/** A Bluetooth static random address as jswrap_ble_getAddress prints it: top two bits set, lower-case hex. */
function randomBleAddress(): string {
  const bytes = randomBytes(6);
  bytes[0] |= 0xc0;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export { ESP32_SPI_MAX, type BusState, type BusTransfer } from './bus.ts';
export type { SimError, SimulatorOptions } from './options.ts';
export type { Framebuffer } from './picture.ts';

export class Simulator {
  readonly board: BoardProfile;
  readonly firmware: EspruinoBuild;
  readonly storage: SimStorage;
  readonly network: SimNetwork;
  readonly console: string[] = [];
  readonly errors: SimError[] = [];
  readonly clock: SimClock;
  pins!: SimPins;
  private context: vm.Context | null = null;
  private ctxGlobal: Record<string, any> = {};
  private readonly screenModel: SimDisplay;
  private buses = new Map<string, BusState>();
  private consoles!: SimConsoles;
  private events!: Emitter;
  private tzHours = 0;
  private readonly stacks: BundleStacks;
  private booted = false;
  private readonly bleAddress: string;

  constructor(options: SimulatorOptions) {
    this.board = typeof options.board === 'string' ? loadBoard(options.board) : options.board;
    const firmware = options.firmware ?? this.board.firmware.build;
    this.firmware = espruinoBuild(firmware);
    if (this.firmware.board !== this.board.espruinoBoard) throw new Error(`Espruino build ${firmware} runs on ${this.firmware.board} boards, not on the ${this.board.espruinoBoard} of board ${this.board.name}`);
    const bundlePath = options.bundle ?? join(REPO_ROOT, 'firmware', 'dist', this.board.name + '.js');
    this.stacks = new BundleStacks(bundlePath, this.board.name + '.js', () => this.storage.bytes(BOOT_FILE));
    const report = (err: unknown) => this.uncaught(err);
    this.clock = new SimClock(options.clock ?? 'manual', options.startTime ?? Date.UTC(2026, 0, 5, 8, 0, 0), report);
    const path = typeof options.storage === 'string' ? options.storage : undefined;
    const seed = typeof options.storage === 'object' ? options.storage : undefined;
    this.storage = new SimStorage(this.firmware.storage, path, seed, options.flash);
    this.storage.print = (line) => this.print(line);
    this.storage.flash.onCut = () => this.powerCut();
    if (options.config) this.storage.put(CONFIG_FILE, JSON.stringify(options.config));
    if (options.bundle || !this.storage.bytes(BOOT_FILE)) {
      if (!existsSync(bundlePath)) throw new Error(`no bundle at ${bundlePath}: run \`npm run build\` (or pass bundle:)`);
      // Through the capacity check: a bundle too big for the board's Storage fails here as the flash would.
      this.storage.put(BOOT_FILE, readFileSync(bundlePath));
    }
    this.network = new SimNetwork(this.board, this.firmware.modules, {
      report,
      object: (v) => this.toContext(v),
      later: (fn, ms) => this.clock.add(fn, ms, false, []),
      now: () => this.clock.now(),
      block: (ms) => this.clock.block(ms),
      print: (line) => this.print(line),
      error: (message) => new this.ctxGlobal.Error(message),
      isSpi: (value) => ['SPI1', 'SPI2'].some((bus) => this.ctxGlobal[bus] === value),
      lan: options.lan,
    });
    this.bleAddress = options.bleAddress ?? randomBleAddress();
    this.screenModel = new SimDisplay(this.board);
  }

  // --- lifecycle ------------------------------------------------------------

  /** Power-on (again after a cut; a cut armed before a reboot still comes): Storage checked first (jsiSemiInit: jsfIsStorageValid, else jsfResetStorage erases it), then the boot code. */
  boot(): this {
    if (this.storage.flash.cut) this.storage.flash.powerOn();
    if (!this.storage.jsf.isValid()) this.storage.jsf.reset();
    this.start(BOOT_FILE);
    return this;
  }

  /** E.reboot(): a hardware reset, so the same as power-on. */
  reboot(): void {
    this.boot();
  }

  /** The power went (flash.cutAfterBytes / cutBeforeErase): the board stops with no timer, socket or chip state left until boot(). */
  private powerCut(): void {
    this.clock.halt();
    this.network.powerOff();
  }

  /** Restarts the interpreter and runs Storage file `file` (null: none, as reset() does). */
  private start(file: string | null): void {
    if (this.booted) this.events.emit('kill');
    this.clock.clearAll();
    this.network.restart();
    this.createContext();
    this.booted = true;
    if (file === null) return;
    const code = this.storage.bytes(file);
    if (!code) {
      this.print(file === BOOT_FILE ? 'No boot code in Storage (' + BOOT_FILE + ')' : `Uncaught Error: File ${JSON.stringify(file)} not found`);
      return;
    }
    this.run(code.toString('latin1'), file === BOOT_FILE ? this.board.name + '.js' : file);
    const onInit = this.ctxGlobal.onInit;
    if (typeof onInit === 'function') this.guard(() => onInit());
    this.events.emit('init');
  }

  close(): void {
    this.clock.stop();
    this.network.close();
    this.context = null;
  }

  // --- inputs -----------------------------------------------------------------

  /**
   * Presses a key the way the board's hardware does (button or keypad, held
   * for a short or a long press, time advancing meanwhile), or through
   * DP.press where the board has no wiring for it (the Linux REPL board).
   */
  async press(key: string): Promise<void> {
    const wiring = this.pins.wiring(key);
    if (!wiring) {
      this.call('DP.press', key);
      await this.advanceOrWait(0);
      return;
    }
    this.pins.hold(wiring.switchKey);
    await this.advanceOrWait(wiring.long ? LONG_PRESS_MS : PRESS_MS);
    this.pins.release(wiring.switchKey);
    await this.advanceOrWait(PRESS_MS);
  }

  /** Manual clock: moves simulated time forward, running due timers in order. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms, settle);
  }

  private async advanceOrWait(ms: number): Promise<void> {
    if (this.clock.mode === 'manual') await this.advance(ms);
    else await new Promise((r) => setTimeout(r, ms));
  }

  // --- outputs ------------------------------------------------------------------

  /** DP.screen(): the current screen as text lines. */
  screen(): string[] {
    return (this.call('DP.screen') as unknown[]).map(String);
  }

  /** DP.state(), copied out of the simulator. */
  state(): unknown {
    return JSON.parse(JSON.stringify(this.call('DP.state')));
  }

  /** process.memory() as the firmware would see it (an estimate; see memory.ts). */
  memory(): { free: number; usage: number; total: number; blocksize: number; estimate: true } {
    return JSON.parse(JSON.stringify(this.ctxGlobal.process.memory()));
  }

  timers(): number {
    return this.clock.count();
  }

  /** The Graphics the firmware shows: the built-in LCD's `g`, else the last buffer it made at the display's size. */
  display(): Graphics {
    return this.screenModel.shown();
  }

  framebuffer(): Framebuffer {
    return this.screenModel.framebuffer();
  }

  ascii(): string {
    return this.display().ascii().join('\n');
  }

  /** The display controller on the board's bus (display.ts); null where the display is built in (Pixl.js) or absent (Linux). */
  get panel(): Ssd1306 | St7789 | null {
    return this.screenModel.panel;
  }

  /** What the glass shows (display.ts); a correct driver shows framebuffer() here. */
  glass(): Framebuffer {
    return this.screenModel.glass();
  }

  /** A picture of the glass in the panel's colours. */
  png(scale = 4): Buffer {
    return this.screenModel.png(scale);
  }

  /** Runs an expression in the firmware's context, as typed at the REPL. */
  eval(expression: string): unknown {
    if (!this.context) throw new Error('the simulator is not running: call boot()');
    return vm.runInContext(expression, this.context, { filename: 'REPL' });
  }

  // --- the context ----------------------------------------------------------------

  private call(path: string, ...args: unknown[]): unknown {
    const [objName, fnName] = path.split('.');
    const obj = this.ctxGlobal[objName];
    if (!obj || typeof obj[fnName] !== 'function') throw new Error(`the firmware does not expose ${path}() (is it booted? ${this.errors.length} error(s) so far)`);
    return obj[fnName](...args);
  }

  private print(line: string): void {
    this.console.push(line);
  }

  private uncaught(err: unknown): void {
    if (err instanceof PowerCut) return; // thrown into the code running when the power went: a dead board prints nothing
    const e = err as { message?: string; stack?: string; name?: string };
    const message = e && typeof e === 'object' && 'message' in e ? `${e.name ?? 'Error'}: ${e.message}` : String(err);
    this.errors.push({ message, stack: typeof e?.stack === 'string' ? this.stacks.of(e.stack) : undefined });
    this.print('Uncaught ' + message);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.uncaught(err);
    }
  }

  private run(code: string, filename: string): void {
    this.guard(() => new vm.Script(code, { filename }).runInContext(this.context!));
  }

  /** Copies a plain host value into the context, so it has the context's prototypes; functions stay as they are. */
  private toContext<T extends object>(value: T): T {
    const fns: Record<string, unknown> = {};
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) (typeof v === 'function' ? fns : data)[k] = v;
    const obj = this.ctxGlobal.JSON.parse(JSON.stringify(data));
    return Object.assign(obj, fns);
  }

  private createContext(): void {
    const context = vm.createContext({}, { name: `espruino-sim ${this.board.name}` });
    this.context = context;
    const G = vm.runInContext('globalThis', context) as Record<string, any>;
    this.ctxGlobal = G;
    removeWhatTheInterpreterLacks(context);
    this.events = new Emitter((err) => this.uncaught(err));
    this.pins = new SimPins(this.board, {
      now: () => this.clock.now(),
      later: (fn, ms) => this.clock.add(fn, ms, false, []),
      report: (err) => this.uncaught(err),
      object: (v) => this.toContext(v),
      error: (message) => new G.Error(message),
      print: (line) => this.print(line),
      changed: (pin, v) => this.screenModel.pinChanged(pin, v, this.pins, this.clock.now()),
    });
    this.buses = new Map();
    const clock = this.clock;
    const pins = this.pins;

    installObjectEvents(context);
    installSimDate(
      context,
      () => clock.now(),
      () => this.tzHours,
    );

    this.screenModel.install(G);

    G.global = G;
    Object.assign(G, textGlobals((line) => this.print(line)));
    this.consoles = new SimConsoles(this.board.espruinoBoard);
    const nrf = this.consoles.nrf();
    // jswrap_ble_getAddress: the Pixl.js chip's factory address (FICR DEVICEADDR), unique per unit.
    if (nrf) G.NRF = this.board.espruinoBoard === 'PIXLJS' ? { ...nrf, getAddress: () => this.bleAddress } : nrf;
    G.Serial1 = { toString: () => 'Serial1' };
    G.require = (name: string) => {
      if (name === 'Storage') return this.storage.module({ JSON: G.JSON, ArrayBuffer: G.ArrayBuffer, array: (items) => G.Array.prototype.slice.call(items) });
      if (name === 'TelnetServer' && this.firmware.modules.includes(name)) return this.consoles.telnetModule();
      if (name === 'Flash') return this.storage.flashModule({ Uint8Array: G.Uint8Array, JSON: G.JSON });
      if (name === 'heatshrink') return heatshrinkModule(G);
      const net = this.network.module(name);
      if (net) return net;
      throw new G.Error(`Module ${JSON.stringify(String(name))} not found`);
    };
    Object.assign(G, timerGlobals(clock, G));
    G.load = (file?: string) => setImmediate(() => this.start(file === undefined ? BOOT_FILE : String(file)));
    G.reset = () => setImmediate(() => this.start(null));
    G.save = () => {
      throw new G.Error('save() is not simulated: the firmware runs from Storage (.bootcde)');
    };

    Object.assign(G, pinGlobals(pins));
    for (const name of busNames(this.board)) {
      const bus = createBus(name, { board: this.board, pins, now: () => clock.now(), global: G, transferred: (n, state, t) => this.screenModel.busTransfer(n, state, t, pins) });
      this.buses.set(name, bus.state);
      G[name] = bus.api;
    }

    G.E = espruinoE({
      global: G,
      events: this.events.api(),
      setConsole: (device, options) => this.consoles.setConsole(device, options),
      setTimeZone: (hours) => {
        this.tzHours = hours;
      },
      reboot: () => this.reboot(),
      setBootCode: (code) => this.storage.put(BOOT_FILE, code),
    });
    G.process = {
      env: { VERSION: SIM_VERSION, BOARD: this.firmware.board, MODULES: this.firmware.modules.join(','), SIMULATOR: true },
      version: SIM_VERSION,
      memory: () => this.toContext(memoryReport(this.usage(), this.board.budget.variables, this.board.espruinoBoard === 'ESP32')),
      on: () => undefined,
    };
  }

  /** The consoles someone could reach without a cable ('bluetooth', 'telnet'); the wired serial console is the technician's. */
  openConsoles(): string[] {
    return this.consoles.open();
  }

  /** What the firmware sent on a bus (SPI1, I2C1, ...) and the pins its setup took. */
  busLog(name: string): BusState {
    const bus = this.buses.get(name);
    if (!bus) throw new Error(`${this.board.name} has no bus ${name}`);
    return bus;
  }

  /** The parts the memory estimate counts (memory.ts). */
  private usage(): number {
    let stateChars = 0;
    try {
      const dp = this.ctxGlobal.DP;
      if (dp && typeof dp.state === 'function') stateChars = (JSON.stringify(dp.state()) ?? '').length;
    } catch {
      stateChars = 0;
    }
    return estimateUsage({
      bundleBytes: this.storage.bytes(BOOT_FILE)?.length ?? 0,
      stateChars,
      graphicsBytes: this.screenModel.bufferBytes(),
      timers: this.clock.count(),
      watches: this.pins.watchCount(),
      sockets: this.network.state().sockets,
    });
  }
}

/** Lets promise callbacks, socket events and immediates run. */
async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}
