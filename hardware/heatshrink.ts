// Heatshrink (LZSS) on the host, in the format Espruino's built-in
// `require("heatshrink").decompress` reads: a Storage file the desk expands at
// boot (dp.boot on the Pixl.js, docs/updates.md) is compressed here.
//
// The format is fixed by the interpreter's build, not stored in the data:
// Espruino 2v29 compiles heatshrink statically with an 8-bit window (256-byte
// back-references) and 6-bit lookahead (matches up to 64 bytes)
// (libs/compression/heatshrink/heatshrink_config.h at RELEASE_2V29,
// HEATSHRINK_STATIC_WINDOW_BITS / HEATSHRINK_STATIC_LOOKAHEAD_BITS), and
// jswrap_heatshrink_decompress (libs/compression/jswrap_heatshrink.c) runs
// heatshrink_decode_cb (libs/compression/compress_heatshrink.c) over the bytes
// as they are, with no header. A stream written with other parameters decodes
// to garbage without an error, so the encoder must be built with the same
// ones. EspruinoTools (npm `espruino`, already our flashing dependency) ships
// the heatshrink C library compiled to JavaScript with Espruino's config
// (libs/heatshrink.js); npm heatshrink-ts only decodes. test/heatshrink.test.ts
// checks our output against the real interpreters.
import { createRequire } from 'node:module';

interface HeatshrinkJs {
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

const heatshrink = createRequire(import.meta.url)('espruino/libs/heatshrink.js') as HeatshrinkJs;

/** `data` compressed as `require("heatshrink").decompress` on the desk expands it. */
export function compress(data: Uint8Array): Uint8Array {
  return new Uint8Array(heatshrink.compress(data));
}

/** What the desk's `require("heatshrink").decompress` makes of `data` (the simulator's module). */
export function decompress(data: Uint8Array): Uint8Array {
  return new Uint8Array(heatshrink.decompress(data));
}
