// The board's SPI and I2C buses as the interpreter offers them
// (src/jswrap_spi_i2c.c), recording every transfer and handing it on to the
// display controller wired to them (display.ts).
import type { BoardProfile } from '../board.ts';
import { contiguousChunks, flattenBytes } from './bytes.ts';
import { SimPin, type SimPins } from './pins.ts';

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

export interface BusContext {
  board: BoardProfile;
  pins: SimPins;
  now(): number;
  /** The firmware context's globals: its errors and typed arrays. */
  global: Record<string, any>;
  /** Every transfer as it happens (the display controller on the bus). */
  transferred?: (name: string, state: BusState, transfer: BusTransfer) => void;
}

/** The buses a board's interpreter has as globals. */
export function busNames(board: BoardProfile): string[] {
  return board.espruinoBoard === 'PIXLJS' ? ['SPI1', 'I2C1'] : ['SPI1', 'SPI2', 'I2C1', 'I2C2'];
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
export function createBus(name: string, ctx: BusContext): { api: object; state: BusState } {
  const { pins, global: G } = ctx;
  const log: BusTransfer[] = [];
  const state: BusState = { setup: null, log };
  const record = (data: Uint8Array, extra: Partial<BusTransfer>) => {
    const transfer = { t: ctx.now(), data, pins: pins.driven(), ...extra };
    log.push(transfer);
    // Trimmed in one go now and then: shifting one entry per transfer would copy the whole log each time.
    if (log.length > 2 * BUS_LOG_MAX) log.splice(0, BUS_LOG_MAX);
    ctx.transferred?.(name, state, transfer);
  };
  const esp32 = ctx.board.espruinoBoard === 'ESP32';
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
  const api = {
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
  return { api, state };
}
