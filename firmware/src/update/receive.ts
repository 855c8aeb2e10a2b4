// Receiving an image into a slot, chunk by chunk, for the firmware (into the
// other slot, while it runs) and the recovery (into the only slot): what a
// desk answers to each chunk, and how it resumes after a reboot or a power
// cut with nothing kept in RAM. Written in the interpreter's subset.
import { ff, field, Sto, wipe, type Slot } from './slot.ts';
import { Tr } from '../../../hardware/slot-trailer.ts';
import { UpdateState as St } from '../../../protocol/device/enums.generated.ts';

declare const E: { CRC32(data: string | Uint8Array): number };

/** A transfer: slot, image length and CRC-32, the next byte wanted. */
export interface Rx {
  s: Slot;
  L: number;
  c: number;
  at: number;
}

/** Records which image the slot now belongs to (written once, after its pages were erased). */
function claim(rx: Rx): void {
  Sto.write(rx.s.n, rx.L + ',' + rx.c + ';', rx.s.T + Tr.PEND);
}

/**
 * Where a slot being filled with this image goes on, or -1 when it is not:
 * chunks are written in order, so they are a prefix, and the first erased
 * word ends it (a word a power cut tore there fails the whole image's CRC,
 * which empties the slot).
 */
export function resumeAt(s: Slot, L: number, c: number): number {
  if (field(s, Tr.PEND, ';') !== L + ',' + c) return -1;
  let lo = 0;
  let hi = L >> 2;
  while (lo < hi) {
    const w = (lo + hi) >> 1;
    if (Sto.read(s.n, Tr.IMG + w * 4, 4) === ff(4)) hi = w;
    else lo = w + 1;
  }
  // All there (a cut before the seal): the last byte again, so that a chunk comes to check and seal it.
  return Math.min(lo * 4, L - 1);
}

/** Prepares a slot for an image: resumes one it is already being filled with, else erases and claims it. */
export function begin(s: Slot, L: number, c: number): Rx {
  const rx: Rx = { s: s, L: L, c: c, at: resumeAt(s, L, c) };
  if (rx.at < 0) {
    wipe(s, 0);
    claim(rx);
    rx.at = 0;
  }
  return rx;
}

/**
 * One chunk: checked against its CRC-32, written in place (a chunk already
 * there is taken as it is), read back; after the last one the whole image's
 * CRC-32. Returns [state, offset wanted next, detail]. Bytes that are neither
 * the chunk nor erased were torn by a cut: their pages are erased again and
 * the host is sent back to where those pages begin.
 */
export function chunk(rx: Rx, off: number, data: string | Uint8Array, crc: number): [number, number, string] {
  const n = data.length;
  const o = Tr.IMG + off;
  if (off !== rx.at || !n || off + n > rx.L) return [St.RECEIVING, rx.at, 'offset'];
  if (E.CRC32(data) !== crc) return [St.RECEIVING, rx.at, 'chunk crc'];
  // Storage.read of a slot takes one variable, not a copy: memory-mapped flash on the boards, a flash string on the
  // Linux build (src/jsflash.c jsvAddressToVar; boards/LINUX.py defines SPIFLASH_BASE). The chunk already there is
  // known by its CRC (the whole image's CRC still decides); and a write goes only into erased bytes, which Storage
  // checks itself (jsfWriteFile: "File already written with different data"), without a 1 KB string of 0xFF to
  // compare: bytes a cut tore are left as they are and fail the read-back.
  if (E.CRC32(Sto.read(rx.s.n, o, n)) !== crc) {
    try {
      Sto.write(rx.s.n, data, o);
    } catch (e) {}
    if (E.CRC32(Sto.read(rx.s.n, o, n)) !== crc) return rewind(rx, o);
  }
  rx.at = off + n;
  if (rx.at < rx.L) return [St.RECEIVING, rx.at, ''];
  if (E.CRC32(Sto.read(rx.s.n, Tr.IMG, rx.L)) !== rx.c) {
    wipe(rx.s, 0);
    return [St.FAILED, 0, 'image crc'];
  }
  // A seal a power cut tore (its first words written, no ';'): flash words take one write, so its page is erased again with the image's bytes on it.
  if (Sto.read(rx.s.n, rx.s.T + Tr.META, 4) !== ff(4) && !field(rx.s, Tr.META, ';')) return rewind(rx, rx.s.T);
  return [St.VERIFIED, rx.at, ''];
}

/** Erases the slot's pages from the one holding data offset o on, claims the slot again and sends the host back to where that page begins. */
function rewind(rx: Rx, o: number): [number, number, string] {
  rx.at = Math.max(0, wipe(rx.s, o) - Tr.IMG);
  claim(rx);
  return [St.RECEIVING, rx.at, 'rewind'];
}

/** Makes a verified image bootable: its trailer's first field, written once. */
export function seal(rx: Rx, gen: number, healthS: number, version: string): void {
  // The version is cut so the field stays within its 64 bytes (the longest numbers take 30).
  if (!field(rx.s, Tr.META, ';')) Sto.write(rx.s.n, rx.L + ',' + rx.c + ',' + gen + ',' + healthS + ',' + version.substr(0, 32) + ';', rx.s.T + Tr.META);
}
