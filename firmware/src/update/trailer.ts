// A slot's trailer (update/slot.ts), in a module of its own: a const enum only, so the firmware's main part can
// read it without bringing in slot.ts's Storage and Flash modules as globals.

/** Trailer offsets, from the trailer's start (slot size - BYTES). Every flag is a word of its own, written once. */
export const enum Tr {
  BYTES = 192,
  /** `L,crc,gen,healthS,version;` once the image verified. */
  META = 0,
  /** `L,crc;` of the image being received. */
  PEND = 64,
  TRIES = 96,
  MAX_TRIES = 3,
  OK = 112,
  BAD = 116,
  /** The rollback from this failed image was reported (net/update.ts healthy). */
  TOLD = 120,
  WHY = 128,
  /** A reason leaves the field's last byte erased, its end mark. */
  WHY_BYTES = 63,
  /** Where the image starts: an offset-0 write would make Storage replace the whole file (jsfWriteFile). */
  IMG = 4,
}
