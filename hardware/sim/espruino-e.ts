// The E object of the interpreter (src/jswrap_espruino.c) as far as the
// firmware and the flasher use it; the rest of E is missing, as the gate
// and the lacks list expect.
import { crc32 } from 'node:zlib';
import { flattenBytes } from './bytes.ts';

export interface EContext {
  /** The firmware context's globals: its typed arrays and arrays. */
  global: Record<string, any>;
  /** E.on / E.emit: the 'init' and 'kill' events (net.ts Emitter). */
  events: object;
  setConsole(device: unknown, options?: { force?: boolean }): unknown;
  setTimeZone(hours: number): void;
  reboot(): void;
  setBootCode(code: string): void;
}

export function espruinoE(ctx: EContext): object {
  const G = ctx.global;
  return {
    ...ctx.events,
    toString: (...args: unknown[]) => Buffer.from(flattenBytes(args)).toString('latin1'),
    toUint8Array: (...args: unknown[]) => {
      const bytes = flattenBytes(args);
      const out = new G.Uint8Array(bytes.length);
      out.set(bytes);
      return out;
    },
    // jswrap_espruino_toArrayBuffer (src/jswrap_espruino.c) references the string's bytes; a copy here is the same to a
    // reader, since a string cannot change (the firmware never writes through such a view).
    toArrayBuffer: (s: unknown) => (typeof s === 'string' ? new G.Uint8Array(Buffer.from(s, 'latin1')).buffer : undefined),
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
    // jswrap_espruino_CRC32 (src/jswrap_espruino.c) is the standard reflected CRC-32, zlib's.
    CRC32: (data: unknown) => crc32(flattenBytes([data])),
    getErrorFlags: () => G.Array.prototype.slice.call([]),
    getSizeOf: (v: unknown) => Math.ceil((JSON.stringify(v) ?? '').length / 10) + 1,
    setConsole: (device: unknown, options?: { force?: boolean }) => ctx.setConsole(device, options),
    setTimeZone: (h: number) => ctx.setTimeZone(Number(h) || 0),
    reboot: () => setImmediate(() => ctx.reboot()),
    setBootCode: (code: string) => ctx.setBootCode(String(code)),
    defrag: () => undefined,
    kickWatchdog: () => undefined,
    enableWatchdog: () => undefined,
    getTemperature: () => 25,
    hwRand: () => (Math.random() * 0x100000000) | 0,
  };
}
