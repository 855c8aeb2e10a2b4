// Firmware slots in Storage (docs/updates.md): a slot is a Storage file whose
// data covers whole flash pages, laid out by `deskphone flash`, holding an
// image from offset 4 and a trailer in its last 192 bytes. It is emptied with
// require("Flash").erasePage and refilled with in-place Storage writes, so an
// update leaves no trash and never makes Storage compact (a compaction cut by
// a power loss makes the interpreter erase all of Storage at the next boot).
// Shared by the boot selector, the recovery and the firmware; the Pixl.js has
// to fit the first two beside its config in one flash page, so every byte
// counts here. Written in the interpreter's subset (hardware/docs/board-facts.md).

import { Tr } from '../../../hardware/slot-trailer.ts';

declare function require(name: string): any;
declare const E: { toString(b: any): string };
/** Address of the Storage area in flash (hardware/espruino.ts), defined by the firmware build. */
declare const __STORAGE_BASE__: number;

/** A slot: name, address of its data in flash, file size, trailer offset. */
export interface Slot {
  n: string;
  a: number;
  z: number;
  T: number;
}

export const Sto = require('Storage');
export const F = require('Flash');

/** n bytes of 0xFF: what erased flash reads as. */
export const ff = (n: number) => E.toString({ data: 255, count: n });

/**
 * The slot's text field at trailer offset o: up to its end mark (';', or the
 * erased bytes after a reason), '' when the field has none. Never the 64
 * erased bytes of an unwritten field: `+` on a string of 63 characters or
 * more throws "String too big to convert to number" in the interpreter
 * (src/jsvar.c jsvGetFloat, RELEASE_2V29), where Node gives NaN.
 */
export function field(s: Slot, o: number, end: string): string {
  const t = Sto.read(s.n, s.T + o, 64);
  const i = t.indexOf(end);
  return i < 0 ? '' : t.substr(0, i);
}

/**
 * Finds a slot by walking Storage's headers from the start of the area, as
 * jsfFindFile does. Its data must begin on a page and cover whole pages, or
 * erasing its pages would hit other files: else null, as for no slot.
 */
export function slot(n: string): Slot | null {
  let a = __STORAGE_BASE__;
  // The slots come right after the few files flashed before them.
  for (let i = 0; i < 9; i++) {
    const h = F.read(32, a);
    const z = h[0] + h[1] * 256 + h[2] * 65536;
    // Flags are 0 in every file the flash writes; 0xFF is the erased end of the chain.
    if (h[3]) break;
    if (E.toString(h.subarray(4, 5 + n.length)) === n + '\0') {
      const p = F.getPage(a + 32);
      return p.addr === a + 32 && z % p.length === 0 ? { n: n, a: a + 32, z: z, T: z - Tr.BYTES } : null;
    }
    a += 32 + ((z + 3) & ~3);
  }
  return null;
}

/** The word at trailer offset o is written. */
export function has(s: Slot, o: number): boolean {
  return Sto.read(s.n, s.T + o, 4) !== ff(4);
}

/** Writes the word at trailer offset o (once: flash words take one write). */
export function mark(s: Slot, o: number): void {
  if (!has(s, o)) Sto.write(s.n, '\0\0\0\0', s.T + o);
}

/** Erases a slot's pages from its end down to the one holding data offset o (the trailer first: a cut never leaves an old trailer over new bytes); returns that page's offset. */
export function wipe(s: Slot, o: number): number {
  const p = F.getPage(s.a + o);
  for (let a = s.a + s.z - p.length; a >= p.addr; a -= p.length) F.erasePage(a);
  return p.addr - s.a;
}

/** The image the boot selector (boot.ts) boots, left in global DPB: slot name, length, CRC, generation, trailer offset, healthy, what this boot rolled back from (net/update.ts reads it). */
export interface Boot {
  n: string;
  L: number;
  c: number;
  g: number;
  T: number;
  ok: boolean;
  rb: string;
  /** A birth of this boot reached the broker (main.ts born). */
  a?: number;
  /** The failed slot's name and trailer offset, while its rollback is not yet told. */
  fn?: string;
  fT?: number;
}
