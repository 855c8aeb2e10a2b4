// require("heatshrink") in the simulator (libs/compression/jswrap_heatshrink.c
// at RELEASE_2V29): the bytes of anything iterable in, an ArrayBuffer out,
// with the interpreter's own parameters (hardware/heatshrink.ts).
import { compress, decompress } from '../heatshrink.ts';
import { toBytes } from './storage.ts';

/** The module object, built from the simulator context's own constructors. */
export function heatshrinkModule(G: Record<string, any>): object {
  const run = (fn: (b: Uint8Array) => Uint8Array, data: unknown) => {
    if (data === null || (typeof data !== 'string' && typeof data !== 'object')) throw new G.TypeError(`Expecting something iterable, got ${typeof data}`);
    const out = fn(toBytes(data));
    const ab = new G.ArrayBuffer(out.length);
    new G.Uint8Array(ab).set(out);
    return ab;
  };
  return { compress: (data: unknown) => run(compress, data), decompress: (data: unknown) => run(decompress, data) };
}
