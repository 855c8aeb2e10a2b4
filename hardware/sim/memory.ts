// process.memory() of the simulator: an estimate, since only the real
// interpreter gives real variable counts (test/helpers/interpreter.ts,
// bench/firmware-size.ts).

export interface MemoryParts {
  /** The bundle's size in Storage. */
  bundleBytes: number;
  /** The firmware's state (DP.state()) as JSON. */
  stateChars: number;
  /** Every Graphics buffer the firmware made. */
  graphicsBytes: number[];
  timers: number;
  watches: number;
  sockets: number;
}

/**
 * process.memory().usage, estimated: a fresh interpreter's base, the
 * bundle's functions and constants (calibrated on the 2950-variable Linux
 * build: linux bundles of 23.6-23.8 KB run from Storage used 1530-1840
 * variables after boot, ~0.06-0.07 per byte), the
 * firmware's state by its JSON size (a 13-byte block holds ~10 characters
 * of data), and every timer, watch and socket.
 */
export function estimateUsage(parts: MemoryParts): number {
  const BASE = 52;
  const graphics = parts.graphicsBytes.reduce((n, bytes) => n + Math.ceil(bytes / 12), 0);
  return Math.round(BASE + parts.bundleBytes * 0.06 + parts.stateChars / 10 + graphics + parts.timers * 3 + parts.watches * 3 + parts.sockets * 20);
}

/** What process.memory() returns for `usage` variables used of a budget of `total`; ESP32 blocks are 14 bytes, the others 13. */
export function memoryReport(usage: number, total: number, esp32: boolean): object {
  return { free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: esp32 ? 14 : 13, estimate: true };
}
