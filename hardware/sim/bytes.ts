// Bytes as the interpreter reads them out of its arguments
// (jsvIterateBufferCallback, src/jsvariterator.c): strings, numbers, Pins,
// arrays, typed arrays and {data,count}, for the buses, E.toString and E.CRC32.
import { SimPin } from './pins.ts';

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
export function contiguousChunks(args: unknown[], out: number[] = []): number[] {
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
export function flattenBytes(args: unknown[]): Uint8Array {
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
