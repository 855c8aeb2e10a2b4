// A slot's trailer, the flash format the firmware's update side (firmware/src/update/) and the host's layout
// (storage-layout.ts) both write: one definition for both. A const enum only, so a firmware module that reads it
// brings in nothing else (firmware/src/update/slot.ts's Storage and Flash globals stay out of the main part).

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
