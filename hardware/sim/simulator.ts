// The simulator: runs the exact bundle that gets flashed (firmware/dist/<board>.js,
// booted from Storage file .bootcde as on the device) inside a Node vm context
// that offers the Espruino API surface the firmware uses and lacks what the
// interpreter lacks (lacks.ts), so code that would fail on the device fails here.
//
// What is approximate, on purpose: process.memory() is an estimate (see
// estimateUsage); only the real interpreter gives real variable counts
// (test/helpers/interpreter.ts, bench/firmware-size.ts). Built-in font glyphs are
// placeholders (graphics.ts). Storage.writeJSON writes standard JSON where the
// interpreter writes its shorter dialect ({x:1}).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import vm from 'node:vm';
import { PNG } from 'pngjs';
import { regexProblems } from '../espruino-gate.ts';
import { loadBoard, type BoardProfile } from '../board.ts';
import { ESPRUINO_VERSION, espruinoBuild, type EspruinoBuild } from '../espruino.ts';
import { SimClock, type ClockMode } from './clock.ts';
import { SimConsoles } from './consoles.ts';
import { Graphics, type ArrayBufferOptions } from './graphics.ts';
import { MISSING_GLOBALS, MISSING_METHODS, MISSING_STATICS } from '../espruino-lacks.ts';
import type { SimLan } from './lan.ts';
import { Emitter, SimNetwork } from './net.ts';
import { SimPin, SimPins } from './pins.ts';
import { ADAFRUIT_326_ADDRESS, Ssd1306 } from './ssd1306.ts';
import { St7789 } from './st7789.ts';
import { PowerCut, SimStorage, type StorageSeed } from './storage.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const BOOT_FILE = '.bootcde';
export const CONFIG_FILE = 'deskphone.json';
/** Interpreter version the simulator stands in for (what the lacks list was measured on). */
export const SIM_VERSION = ESPRUINO_VERSION;
/** How long press() holds a key, and a long press. */
export const PRESS_MS = 120;
export const LONG_PRESS_MS = 1500;

export interface SimulatorOptions {
  board: string | BoardProfile;
  /**
   * The Espruino build the board runs (hardware/espruino.ts; default the one
   * its profile needs): a Pixl.js still on the standard `pixljs` build has no
   * WIZnet module, as a unit straight from the shop.
   */
  firmware?: string;
  /** The Ethernet segment a WIZnet board is plugged into, shared by several simulators (default: one of its own). */
  lan?: SimLan;
  /** Pixl.js: the factory Bluetooth address NRF.getAddress() returns (default: random, as each chip's is). */
  bleAddress?: string;
  /** Bundle to flash as .bootcde (default firmware/dist/<board>.js, unless Storage already holds one). */
  bundle?: string;
  /** Storage: a JSON file path (kept across runs) or files to start with. */
  storage?: string | StorageSeed;
  /** The board's Storage area as bytes, e.g. what a power cut left (SimStorage.flash.image of another simulator). */
  flash?: Uint8Array;
  /** Written as deskphone.json before boot, as `deskphone flash` would. */
  config?: object;
  clock?: ClockMode;
  /** Simulated wall-clock start, ms since the epoch (manual clock; default 2026-01-05T08:00:00Z). */
  startTime?: number;
}

export interface SimError {
  message: string;
  stack?: string;
}

/** Bits of the frame: 1 = pixel set. */
export interface Framebuffer {
  width: number;
  height: number;
  bits: Uint8Array;
}

const PNG_COLOURS: Record<BoardProfile['display']['driver'], { on: number[]; off: number[] }> = {
  st7567: { on: [0x20, 0x28, 0x20], off: [0xc6, 0xd4, 0xbc] },
  ssd1306: { on: [0x9c, 0xe0, 0xff], off: [0x08, 0x0c, 0x14] },
  st7789: { on: [0xf4, 0xf4, 0xf4], off: [0x10, 0x10, 0x18] },
  buffer: { on: [0, 0, 0], off: [0xff, 0xff, 0xff] },
};

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A Bluetooth static random address as jswrap_ble_getAddress prints it: top two bits set, lower-case hex. */
function randomBleAddress(): string {
  const bytes = randomBytes(6);
  bytes[0] |= 0xc0;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** One bus transfer: when, the bytes, the levels of the pins the firmware drove meanwhile, the I2C address. */
export interface BusTransfer {
  t: number;
  data: Uint8Array;
  pins: Record<string, number>;
  addr?: number;
}

export interface BusState {
  /** The pins setup() took (null: a value the interpreter does not read as a pin), null before setup. */
  setup: Record<string, string | null> | null;
  log: BusTransfer[];
}

/** The bus log keeps at least this many recent transfers. */
const BUS_LOG_MAX = 5000;

/**
 * ESP-IDF's SPI master without max_transfer_sz (targets/esp32/jshardwareSpi.c
 * jshSPISetup leaves it 0) allows one DMA descriptor, 4,092 bytes;
 * spi_device_queue_trans refuses a longer transaction with ESP_ERR_INVALID_ARG
 * (258), which jshSPISendMany reports as "SPI Send Error".
 */
export const ESP32_SPI_MAX = 4092;

/** A view the interpreter reads as raw bytes: one unsigned byte per element (Uint8Array, Uint8ClampedArray, DataView). */
function isByteArray(a: unknown): a is ArrayBufferView {
  if (!ArrayBuffer.isView(a)) return false;
  const kind = Object.prototype.toString.call(a);
  return kind === '[object Uint8Array]' || kind === '[object Uint8ClampedArray]' || kind === '[object DataView]';
}

/**
 * Sizes of the buffers jsvIterateBufferCallback (src/jsvariterator.c) hands
 * the SPI driver in one piece: a string or byte array whole (the simulator
 * takes every string as flat, the worst case), a number or a wider typed
 * array element by element, arrays and {data,count} item by item.
 */
function contiguousChunks(args: unknown[], out: number[] = []): number[] {
  for (const a of args) {
    if (typeof a === 'string') out.push(a.length);
    else if (a instanceof SimPin || typeof a === 'number') out.push(1);
    else if (a instanceof ArrayBuffer || Object.prototype.toString.call(a) === '[object ArrayBuffer]') out.push((a as ArrayBuffer).byteLength);
    else if (ArrayBuffer.isView(a)) out.push(isByteArray(a) ? a.byteLength : 1);
    else if (Array.isArray(a)) contiguousChunks(a, out);
    else if (a && typeof a === 'object' && 'data' in a) contiguousChunks([(a as { data: unknown }).data], out);
  }
  return out;
}

/** Bytes of anything E.toString / E.toUint8Array accept: strings, numbers, Pins (their number), arrays, typed arrays, {data,count}. */
function flattenBytes(args: unknown[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let loose: number[] = [];
  const flush = () => {
    if (loose.length) parts.push(Uint8Array.from(loose));
    loose = [];
  };
  const walk = (items: unknown[]) => {
    for (const a of items) {
      if (typeof a === 'string') for (let i = 0; i < a.length; i++) loose.push(a.charCodeAt(i) & 255);
      else if (typeof a === 'number') loose.push(a & 255);
      else if (a instanceof SimPin) loose.push(a.index & 255);
      else if (a instanceof ArrayBuffer || Object.prototype.toString.call(a) === '[object ArrayBuffer]') {
        flush();
        parts.push(new Uint8Array(a as ArrayBuffer).slice());
      } else if (isByteArray(a)) {
        flush();
        parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice());
      }
      // Wider or signed elements go one by one, each as its low byte.
      else if (ArrayBuffer.isView(a)) for (const v of Array.from(a as unknown as ArrayLike<number>)) loose.push(Number(v) & 255);
      else if (Array.isArray(a)) walk(a);
      else if (a && typeof a === 'object' && 'data' in a) {
        const { data, count } = a as { data: unknown; count?: number };
        for (let i = 0; i < (count ?? 1); i++) walk([data]);
      }
    }
  };
  walk(args);
  flush();
  return parts.length === 1 ? parts[0] : Uint8Array.from(Buffer.concat(parts));
}

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
  private graphicsMade: Graphics[] = [];
  private builtinDisplay: Graphics | null = null;
  private buses = new Map<string, BusState>();
  private consoles!: SimConsoles;
  private events!: Emitter;
  private tzHours = 0;
  private bundlePath: string;
  private sourceMap: SourceMap | null | undefined;
  private booted = false;
  private readonly bleAddress: string;
  /**
   * The display controller on the board's bus, as the parts list builds the
   * board (an SSD1306 at the Adafruit 326's address, the T-Display's ST7789):
   * it decodes what the firmware sends into its own memory and keeps it across
   * reboots, as the hardware does. Null where the display is built in (Pixl.js)
   * or absent (Linux).
   */
  readonly panel: Ssd1306 | St7789 | null;

  constructor(private readonly options: SimulatorOptions) {
    this.board = typeof options.board === 'string' ? loadBoard(options.board) : options.board;
    const firmware = options.firmware ?? this.board.firmware.build;
    this.firmware = espruinoBuild(firmware);
    if (this.firmware.board !== this.board.espruinoBoard) throw new Error(`Espruino build ${firmware} runs on ${this.firmware.board} boards, not on the ${this.board.espruinoBoard} of board ${this.board.name}`);
    this.bundlePath = options.bundle ?? join(REPO_ROOT, 'firmware', 'dist', this.board.name + '.js');
    const report = (err: unknown) => this.uncaught(err);
    this.clock = new SimClock(options.clock ?? 'manual', options.startTime ?? Date.UTC(2026, 0, 5, 8, 0, 0), report);
    const path = typeof options.storage === 'string' ? options.storage : undefined;
    const seed = typeof options.storage === 'object' ? options.storage : undefined;
    this.storage = new SimStorage(this.firmware.storage, path, seed, options.flash);
    this.storage.print = (text) => this.print(text);
    this.storage.flash.onCut = () => this.halt();
    if (options.config) this.storage.put(CONFIG_FILE, JSON.stringify(options.config));
    if (options.bundle || (!options.flash && !this.storage.bytes(BOOT_FILE))) {
      if (!existsSync(this.bundlePath)) throw new Error(`no bundle at ${this.bundlePath}: run \`npm run build\` (or pass bundle:)`);
      // Through the capacity check: a bundle too big for the board's Storage fails here as the flash would.
      this.storage.put(BOOT_FILE, readFileSync(this.bundlePath));
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
    this.panel = this.board.display.driver === 'ssd1306' ? new Ssd1306(ADAFRUIT_326_ADDRESS) : this.board.display.driver === 'st7789' ? new St7789() : null;
    // The T-Display's backlight pin starts as an input: dark until the firmware drives it high.
    if (this.panel instanceof St7789) this.panel.light(0);
  }

  // --- lifecycle ------------------------------------------------------------

  /** Starts the interpreter and runs the boot code from Storage, as power-on does. */
  boot(): this {
    this.powerOn();
    return this;
  }

  /** E.reboot(): a hardware reset, so the interpreter starts as at power-on. */
  reboot(): void {
    this.powerOn();
  }

  /**
   * src/jsinteractive.c jsiSemiInit on the first boot after a reset: Storage
   * whose chain does not end cleanly is erased whole (jsfIsStorageValid,
   * jsfResetStorage) before any boot code runs.
   */
  private powerOn(): void {
    if (this.halted) return;
    if (!this.storage.jsf.isValid()) {
      this.storage.jsf.reset();
      this.storage.persist();
    }
    this.start(BOOT_FILE);
  }

  /** True once a power cut stopped this simulator; boot a new one on `storage.flash.image`. */
  halted = false;

  /** A power cut: nothing runs any more, connections drop as the board goes dark. */
  private halt(): void {
    this.halted = true;
    this.clock.clearAll();
    this.network.down();
    this.network.close();
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

  /** process.memory() as the firmware would see it (an estimate; see estimateUsage). */
  memory(): { free: number; usage: number; total: number; blocksize: number; estimate: true } {
    return JSON.parse(JSON.stringify(this.ctxGlobal.process.memory()));
  }

  timers(): number {
    return this.clock.count();
  }

  /** The Graphics the firmware shows: the built-in LCD's `g`, else the last buffer it made at the display's size. */
  display(): Graphics {
    if (this.builtinDisplay) return this.builtinDisplay;
    const { width, height } = this.board.display;
    const made = [...this.graphicsMade].reverse().find((gr) => gr.getWidth() === width && gr.getHeight() === height);
    if (!made) throw new Error(`the firmware has not created a ${width}x${height} Graphics yet`);
    return made;
  }

  framebuffer(): Framebuffer {
    const d = this.display();
    return { width: d.getWidth(), height: d.getHeight(), bits: d.bits() };
  }

  ascii(): string {
    return this.display().ascii().join('\n');
  }

  /**
   * What the glass shows: the display controller's memory as the panel shows
   * it (SSD1306; ST7789, where any colour but black is lit), else the built-in
   * or headless buffer. A correct driver shows framebuffer() here.
   */
  glass(): Framebuffer {
    if (this.panel instanceof Ssd1306) return this.panel.glass();
    if (this.panel instanceof St7789) {
      const { width, height, rgb } = this.panel.glass();
      return { width, height, bits: Uint8Array.from(rgb, (v) => (v ? 1 : 0)) };
    }
    return this.framebuffer();
  }

  /** A picture of the glass (glass()) in the panel's colours; an ST7789's colours other than black and white as they are. */
  png(scale = 4): Buffer {
    const { width, height, bits } = this.glass();
    const { on, off } = PNG_COLOURS[this.board.display.driver];
    const rgb = this.panel instanceof St7789 ? this.panel.glass().rgb : null;
    const colour = (i: number): number[] => {
      const v = rgb ? rgb[i] : 0;
      if (!rgb || v === 0 || v === 0xffff) return bits[i] ? on : off;
      return [((v >> 11) * 255) / 31, (((v >> 5) & 63) * 255) / 63, ((v & 31) * 255) / 31].map(Math.round);
    };
    const png = new PNG({ width: width * scale, height: height * scale });
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < width * scale; x++) {
        const c = colour(Math.floor(y / scale) * width + Math.floor(x / scale));
        const i = (y * width * scale + x) * 4;
        png.data[i] = c[0];
        png.data[i + 1] = c[1];
        png.data[i + 2] = c[2];
        png.data[i + 3] = 255;
      }
    }
    return PNG.sync.write(png);
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
    // The board is dark: what the firmware was doing just stops, it does not fail.
    if (err instanceof PowerCut || this.halted) return;
    const e = err as { message?: string; stack?: string; name?: string };
    const message = e && typeof e === 'object' && 'message' in e ? `${e.name ?? 'Error'}: ${e.message}` : String(err);
    this.errors.push({ message, stack: typeof e?.stack === 'string' ? this.sourceStack(e.stack) : undefined });
    this.print('Uncaught ' + message);
  }

  /**
   * The stack's call sites only (V8 would also quote the one-line bundle),
   * each bundle position followed by its firmware/src position when the
   * build's source map is beside the bundle.
   */
  private sourceStack(stack: string): string {
    const bundleName = this.board.name + '.js';
    if (this.sourceMap === undefined) {
      const mapFile = this.bundlePath + '.map';
      const running = this.storage.bytes(BOOT_FILE);
      const same = existsSync(mapFile) && existsSync(this.bundlePath) && !!running && readFileSync(this.bundlePath).equals(running);
      this.sourceMap = same ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null;
    }
    const map = this.sourceMap;
    return stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .slice(0, 12)
      .map((line) => {
        const at = new RegExp(bundleName.replace(/[.]/g, '\\.') + ':(\\d+):(\\d+)').exec(line);
        if (!at || !map) return line;
        const entry = map.findEntry(Number(at[1]) - 1, Number(at[2]) - 1) as { originalSource?: string; originalLine?: number };
        if (!entry?.originalSource) return line;
        const source = relative(REPO_ROOT, resolve(dirname(this.bundlePath), entry.originalSource));
        return `${line} [${source}:${(entry.originalLine ?? 0) + 1}]`;
      })
      .join('\n');
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
    this.removeWhatTheInterpreterLacks();
    this.events = new Emitter((err) => this.uncaught(err));
    this.pins = new SimPins(this.board, {
      now: () => this.clock.now(),
      later: (fn, ms) => this.clock.add(fn, ms, false, []),
      report: (err) => this.uncaught(err),
      object: (v) => this.toContext(v),
      error: (message) => new G.Error(message),
      print: (line) => this.print(line),
      changed: (pin, v) => this.panelPin(pin, v),
    });
    this.buses = new Map();
    this.graphicsMade = [];
    const sim = this;
    const clock = this.clock;
    const pins = this.pins;
    const format = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? 'undefined' : typeof v === 'function' ? 'function' : JSON.stringify(v));
    const print = (...args: unknown[]) => this.print(args.map(format).join(' '));

    // Espruino puts on/emit/removeListener on every object.
    vm.runInContext(
      `(function(){
        var P = Object.prototype;
        function list(o, e) { var k = '#on' + e; if (!Object.prototype.hasOwnProperty.call(o, k)) Object.defineProperty(o, k, { value: [], writable: true }); return o[k]; }
        function def(name, fn) { Object.defineProperty(P, name, { value: fn, writable: true, configurable: true }); }
        def('on', function (e, fn) { list(this, e).push(fn); });
        def('prependListener', function (e, fn) { list(this, e).unshift(fn); });
        def('removeListener', function (e, fn) { var l = list(this, e), i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); });
        def('removeAllListeners', function (e) {
          if (e !== undefined) { list(this, e).length = 0; return; }
          Object.getOwnPropertyNames(this).forEach(function (k) { if (k.indexOf('#on') === 0) this[k] = []; }, this);
        });
        def('emit', function (e) { var a = [].slice.call(arguments, 1), l = list(this, e).slice(); for (var i = 0; i < l.length; i++) l[i].apply(this, a); });
      })()`,
      context,
    );

    // Date and getTime follow the simulator clock; local time is UTC plus E.setTimeZone, as on the device.
    vm.runInContext(
      `(function (now, tz) {
        var Real = Date;
        class SimDate extends Real {
          constructor() { if (arguments.length) super(...arguments); else super(now()); }
          static now() { return now(); }
        }
        ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'].forEach(function (f) {
          SimDate.prototype['get' + f] = function () { return new Real(this.getTime() + tz() * 3600000)['getUTC' + f](); };
        });
        SimDate.prototype.getTimezoneOffset = function () { return -tz() * 60; };
        globalThis.Date = SimDate;
      })`,
      context,
    )(
      () => clock.now(),
      () => this.tzHours,
    );

    class SimGraphics extends Graphics {
      static override createArrayBuffer(width: number, height: number, bpp: number, options?: ArrayBufferOptions): Graphics {
        const made = new SimGraphics(width, height, bpp, options, (n) => new G.ArrayBuffer(n));
        sim.graphicsMade.push(made);
        return made;
      }
    }
    G.Graphics = SimGraphics;
    this.builtinDisplay = null;
    if (this.board.display.bus.kind === 'builtin') {
      const lcd = new SimGraphics(this.board.display.width, this.board.display.height, 1, {}, (n) => new G.ArrayBuffer(n));
      lcd.flip = () => {
        lcd.flips++;
      };
      this.builtinDisplay = lcd;
      G.g = lcd;
      G.Pixl = { setContrast: () => undefined, setLCDPower: () => undefined };
    }

    G.global = G;
    G.print = print;
    G.console = { log: print, warn: print, error: print, info: print, debug: print };
    this.consoles = new SimConsoles(this.board.espruinoBoard);
    const nrf = this.consoles.nrf();
    // jswrap_ble_getAddress: the Pixl.js chip's factory address (FICR DEVICEADDR), unique per unit.
    if (nrf) G.NRF = this.board.espruinoBoard === 'PIXLJS' ? { ...nrf, getAddress: () => this.bleAddress } : nrf;
    G.Serial1 = { toString: () => 'Serial1' };
    G.require = (name: string) => {
      if (name === 'Storage') return this.storage.module({ JSON: G.JSON, ArrayBuffer: G.ArrayBuffer, Error: G.Error, array: (items) => G.Array.prototype.slice.call(items) });
      if (name === 'Flash' && this.firmware.modules.includes('Flash')) return this.storage.flashModule({ Uint8Array: G.Uint8Array, JSON: G.JSON });
      if (name === 'TelnetServer' && this.firmware.modules.includes(name)) return this.consoles.telnetModule();
      const net = this.network.module(name);
      if (net) return net;
      throw new G.Error(`Module ${JSON.stringify(String(name))} not found`);
    };
    G.setTimeout = (fn: () => void, ms?: number, ...args: unknown[]) => clock.add(fn, ms ?? 0, false, args);
    G.setInterval = (fn: () => void, ms?: number, ...args: unknown[]) => clock.add(fn, ms ?? 0, true, args);
    const clear = function (this: unknown, ...args: unknown[]) {
      if (args.length && args[0] === undefined) throw new G.Error('clearTimeout(undefined) not allowed. Use clearTimeout() instead');
      if (args.length && args[0] !== null && clock.list().some((t) => t.id === args[0])) clock.clear(args[0] as number);
      else if (!args.length) clock.clear();
    };
    G.clearTimeout = clear;
    G.clearInterval = clear;
    G.changeInterval = (id: number, ms: number) => clock.change(id, ms);
    G.getTime = () => clock.now() / 1000;
    G.setTime = (s: number) => clock.setTime(s);
    G.btoa = (s: string) => Buffer.from(String(s), 'latin1').toString('base64');
    G.atob = (s: string) => Buffer.from(String(s), 'base64').toString('latin1');
    G.load = (file?: string) => setImmediate(() => !this.halted && this.start(file === undefined ? BOOT_FILE : String(file)));
    G.reset = () => setImmediate(() => !this.halted && this.start(null));
    G.save = () => {
      throw new G.Error('save() is not simulated: the firmware runs from Storage (.bootcde)');
    };

    // Only the board's own pins exist, as Pin objects (its board file's ports and named devices).
    Object.assign(G, pins.globals());
    G.Pin = SimPin;
    G.digitalRead = (p: unknown) => pins.digitalRead(p);
    G.digitalWrite = (p: unknown, v: unknown) => pins.digitalWrite(p, v);
    G.pinMode = (p: unknown, m?: unknown) => pins.pinMode(p, m);
    G.getPinMode = (p: unknown) => pins.getPinMode(p);
    G.analogWrite = (p: unknown, v: number, o?: { freq?: number }) => pins.analogWrite(p, v, o);
    G.digitalPulse = (p: unknown, v: unknown, ms: unknown) => pins.digitalPulse(p, v, ms);
    G.setWatch = (fn: (e: object) => void, p: unknown, o?: object) => pins.setWatch(fn, p, o);
    G.clearWatch = (id?: number) => pins.clearWatch(id);
    for (const bus of this.board.espruinoBoard === 'PIXLJS' ? ['SPI1', 'I2C1'] : ['SPI1', 'SPI2', 'I2C1', 'I2C2']) G[bus] = this.bus(bus);

    G.E = this.espruinoE();
    G.process = {
      env: { VERSION: SIM_VERSION, BOARD: this.firmware.board, MODULES: this.firmware.modules.join(','), SIMULATOR: true },
      version: SIM_VERSION,
      memory: () => {
        const usage = this.estimateUsage();
        const total = this.board.budget.variables;
        return this.toContext({ free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: this.board.espruinoBoard === 'ESP32' ? 14 : 13, estimate: true });
      },
      on: () => undefined,
    };
  }

  /**
   * SPI/I2C as the interpreter takes their arguments (src/jswrap_spi_i2c.c):
   * setup's pins through jshGetPinFromVar (a name it cannot parse is no pin),
   * SPI.write's last argument as chip select only when it is a Pin object
   * (jswrap_spi_write: jsvIsPin; any other value is data), SPI.send's select
   * pin parsed like every "pin" parameter. On ESP32 one write is one
   * transaction per contiguous buffer, and ESP-IDF refuses one over 4,092
   * bytes (see ESP32_SPI_MAX). Every transfer is recorded with the levels of
   * the pins the firmware drives, for the controller models; reads return zeros.
   */
  private bus(name: string): object {
    const G = this.ctxGlobal;
    const pins = this.pins;
    const log: BusTransfer[] = [];
    const state: BusState = { setup: null, log };
    this.buses.set(name, state);
    const record = (data: Uint8Array, extra: Partial<BusTransfer>) => {
      const transfer = { t: this.clock.now(), data, pins: pins.driven(), ...extra };
      log.push(transfer);
      // Trimmed in one go now and then: shifting one entry per transfer would copy the whole log each time.
      if (log.length > 2 * BUS_LOG_MAX) log.splice(0, BUS_LOG_MAX);
      this.panelBus(name, state, transfer);
    };
    const esp32 = this.board.espruinoBoard === 'ESP32';
    const checkTransaction = (args: unknown[]) => {
      if (!esp32 || !name.startsWith('SPI')) return;
      for (const n of contiguousChunks(args)) {
        if (n > ESP32_SPI_MAX) {
          const err = new G.Error('SPI Send Error 258');
          err.name = 'InternalError';
          throw err;
        }
      }
    };
    const setupPins = (options: unknown) => {
      const o = (options && typeof options === 'object' ? options : {}) as Record<string, unknown>;
      const out: Record<string, string | null> = {};
      for (const k of ['mosi', 'miso', 'sck', 'sda', 'scl']) if (k in o) out[k] = pins.resolve(o[k]);
      state.setup = out;
    };
    return {
      toString: () => name,
      setup: setupPins,
      write: (...args: unknown[]) => {
        let nss: string | null = null;
        if (args.length && args[args.length - 1] instanceof SimPin) nss = pins.resolve(args.pop());
        checkTransaction(args);
        if (nss) pins.busOutput(nss, 0);
        record(flattenBytes(args), {});
        if (nss) pins.busOutput(nss, 1);
      },
      send: (data: unknown, nssPin?: unknown) => {
        const nss = nssPin === undefined ? null : pins.resolve(nssPin);
        checkTransaction([data]);
        const bytes = flattenBytes([data]);
        if (nss) pins.busOutput(nss, 0);
        record(bytes, {});
        if (nss) pins.busOutput(nss, 1);
        return typeof data === 'number' ? 0 : typeof data === 'string' ? '\0'.repeat(bytes.length) : new G.Uint8Array(bytes.length);
      },
      writeTo: (addr: unknown, ...data: unknown[]) => {
        record(flattenBytes(data), { addr: Number(addr) });
      },
      readFrom: (_addr: number, n: number) => new G.Uint8Array(n),
    };
  }

  /** The consoles someone could reach without a cable ('bluetooth', 'telnet'); the wired serial console is the technician's. */
  openConsoles(): string[] {
    return this.consoles.open();
  }

  /**
   * A transfer reaches the display controller only on the bus and pins it is
   * wired to: I2C1 set up on the profile's SDA/SCL, or SPI1 on its MOSI/SCK,
   * with the levels CS and D/C had (a line the firmware never drove counts as
   * high: CS deselected).
   */
  private panelBus(name: string, bus: BusState, t: BusTransfer): void {
    const wiring = this.board.display.bus;
    const on = (pin: string) => this.pins.named(pin);
    if (this.panel instanceof Ssd1306 && wiring.kind === 'i2c' && name === 'I2C1' && t.addr !== undefined) {
      if (bus.setup?.sda === on(wiring.sda) && bus.setup?.scl === on(wiring.scl)) this.panel.i2cWrite(t.addr, t.data);
    } else if (this.panel instanceof St7789 && wiring.kind === 'spi' && name === 'SPI1') {
      if (bus.setup?.mosi !== on(wiring.mosi) || bus.setup?.sck !== on(wiring.sck)) return;
      this.panel.spi(t.data, t.pins[on(wiring.cs)] ?? 1, t.pins[on(wiring.dc)] ?? 1, t.t);
    }
  }

  /** The display's reset and backlight lines. */
  private panelPin(pin: string, v: number): void {
    const wiring = this.board.display.bus;
    if (!(this.panel instanceof St7789) || wiring.kind !== 'spi') return;
    if (pin === this.pins.named(wiring.rst)) this.panel.reset(v, this.clock.now());
    if (wiring.bl && pin === this.pins.named(wiring.bl)) this.panel.light(v);
  }

  /** What the firmware sent on a bus (SPI1, I2C1, ...) and the pins its setup took. */
  busLog(name: string): BusState {
    const bus = this.buses.get(name);
    if (!bus) throw new Error(`${this.board.name} has no bus ${name}`);
    return bus;
  }

  private espruinoE(): object {
    const G = this.ctxGlobal;
    return {
      ...this.events.api(),
      toString: (...args: unknown[]) => Buffer.from(flattenBytes(args)).toString('latin1'),
      toUint8Array: (...args: unknown[]) => {
        const bytes = flattenBytes(args);
        const out = new G.Uint8Array(bytes.length);
        out.set(bytes);
        return out;
      },
      toJS: (v: unknown) => JSON.stringify(v),
      mapInPlace: (from: ArrayLike<number>, to: { length: number; [i: number]: number }, map: ArrayLike<number> | ((v: number, i: number) => number), bits?: number) => {
        const look = (v: number, i: number) => (typeof map === 'function' ? map(v, i) : map[v]);
        if (!bits) {
          for (let i = 0; i < Math.min(from.length, to.length); i++) to[i] = look(from[i], i);
          return;
        }
        // Elements are split into |bits|-wide values, MSB first (LSB first when bits < 0).
        const width = ((from as Uint8Array).BYTES_PER_ELEMENT ?? 1) * 8;
        const n = Math.abs(bits);
        const perElement = Math.floor(width / n);
        const mask = (1 << n) - 1;
        for (let i = 0; i < to.length && Math.floor(i / perElement) < from.length; i++) {
          const k = i % perElement;
          const shift = bits > 0 ? width - n * (k + 1) : n * k;
          to[i] = look((from[Math.floor(i / perElement)] >> shift) & mask, i);
        }
      },
      CRC32: (data: unknown) => crc32(flattenBytes([data])),
      getErrorFlags: () => G.Array.prototype.slice.call([]),
      getSizeOf: (v: unknown) => Math.ceil((JSON.stringify(v) ?? '').length / 10) + 1,
      setConsole: (device: unknown, options?: { force?: boolean }) => this.consoles.setConsole(device, options),
      setTimeZone: (h: number) => {
        this.tzHours = Number(h) || 0;
      },
      reboot: () => setImmediate(() => this.reboot()),
      setBootCode: (code: string) => {
        this.storage.put(BOOT_FILE, String(code));
      },
      defrag: () => undefined,
      kickWatchdog: () => undefined,
      enableWatchdog: () => undefined,
      getTemperature: () => 25,
      hwRand: () => (Math.random() * 0x100000000) | 0,
    };
  }

  /**
   * process.memory().usage, estimated: a fresh interpreter's base, the
   * bundle's functions and constants (calibrated on the 2950-variable Linux
   * build: linux bundles of 23.6-23.8 KB run from Storage used 1530-1840
   * variables after boot, ~0.06-0.07 per byte), the
   * firmware's state by its JSON size (a 13-byte block holds ~10 characters
   * of data), and every timer, watch and socket.
   */
  private estimateUsage(): number {
    const BASE = 52;
    const bundle = this.storage.bytes(BOOT_FILE)?.length ?? 0;
    let stateChars = 0;
    try {
      const dp = this.ctxGlobal.DP;
      if (dp && typeof dp.state === 'function') stateChars = (JSON.stringify(dp.state()) ?? '').length;
    } catch {
      stateChars = 0;
    }
    const graphics = this.graphicsMade.reduce((n, gr) => n + Math.ceil(gr.buffer.byteLength / 12), 0);
    return Math.round(BASE + bundle * 0.06 + stateChars / 10 + graphics + this.clock.count() * 3 + this.pins.watchCount() * 3 + this.network.state().sockets * 20);
  }

  private removeWhatTheInterpreterLacks(): void {
    const removal = {
      globals: [...MISSING_GLOBALS, 'WebAssembly'],
      statics: MISSING_STATICS,
      methods: MISSING_METHODS,
    };
    vm.runInContext(
      `(function (r) {
        function drop(obj, name) {
          // Typed arrays keep their shared methods on a common prototype: remove it where it lives.
          for (var o = obj; o; o = Object.getPrototypeOf(o)) {
            if (Object.prototype.hasOwnProperty.call(o, name)) { delete o[name]; return; }
            if (o === Object.prototype || o === Function.prototype) return;
          }
        }
        Object.keys(r.statics).forEach(function (owner) { r.statics[owner].forEach(function (n) { drop(globalThis[owner], n); }); });
        Object.keys(r.methods).forEach(function (owner) { r.methods[owner].forEach(function (n) { drop(globalThis[owner].prototype, n); }); });
        r.globals.forEach(function (n) { delete globalThis[n]; });
        // Number's constants cannot be deleted (non-configurable): put a Number without them in its place.
        var RealNumber = Number, fixed = r.statics.Number;
        var SimNumber = function Number(v) { return arguments.length ? RealNumber(v) : 0; };
        SimNumber.prototype = RealNumber.prototype;
        Object.getOwnPropertyNames(RealNumber).forEach(function (n) {
          if (fixed.indexOf(n) < 0 && ['length', 'name', 'prototype'].indexOf(n) < 0) SimNumber[n] = RealNumber[n];
        });
        globalThis.Number = SimNumber;
      })`,
      this.context!,
    )(JSON.parse(JSON.stringify(removal)));
    // Regex literals are checked by the gate; patterns built at run time are
    // checked here, loudly, where the device would silently never match.
    vm.runInContext(
      `(function (problems) {
        var Real = RegExp;
        function SimRegExp(pattern, flags) {
          var source = pattern instanceof Real ? pattern.source : String(pattern);
          var f = flags === undefined ? (pattern instanceof Real ? pattern.flags : '') : String(flags);
          var found = problems(source, f);
          if (found.length) throw new SyntaxError('Espruino cannot run this: ' + found[0]);
          return new Real(source, f);
        }
        SimRegExp.prototype = Real.prototype;
        globalThis.RegExp = SimRegExp;
      })`,
      this.context!,
    )((pattern: string, flags: string) => regexProblems(pattern, flags));
  }
}

/** Lets promise callbacks, socket events and immediates run. */
async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}
