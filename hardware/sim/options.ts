// What a Simulator is asked to be (simulator.ts), and what it reports.
import type { BoardProfile } from '../board.ts';
import type { ClockMode } from './clock.ts';
import type { SimLan } from './lan.ts';
import type { StorageSeed } from './storage.ts';

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
  /** Storage as bytes in flash to power on with (a laid-out Storage, what a power cut left), instead of `storage`. */
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
