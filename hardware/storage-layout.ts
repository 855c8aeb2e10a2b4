// How `deskphone flash` lays out a board's Storage for network updates
// (docs/updates.md). Two-slot boards: the boot selector first, then two
// firmware slots whose data covers whole flash pages, then room for the boot
// stub, the config and what the firmware writes. One-slot boards (the
// Pixl.js): the first page holds the stub, the config and the boot selector
// with the recovery's first stage (heatshrink-compressed: uncompressed it
// does not fit there), written once and never moved; the slot's data covers
// the pages after it, the last page takes what the firmware writes. The
// firmware build reads the slot names from here (__SLOTS__); the flasher, the
// simulator's tests and the real-interpreter runner write the files this
// plans, byte for byte the same.
import type { BoardProfile } from './board.ts';
import { espruinoBuild } from './espruino.ts';
import { compress } from './heatshrink.ts';
import { FlashMemory, JsfStorage } from './sim/jsflash.ts';
import { Tr } from './slot-trailer.ts';

export const SLOT_FILES = ['dp.a', 'dp.b'] as const;
export const BOOT_FILE = '.bootcde';
export const SELECTOR_FILE = 'dp.boot';
export const CONFIG_FILE = 'deskphone.json';
/** Padding files: the first puts slot A's data on a page, the second slot B's. */
export const PAD_FILES = ['dp.pad', 'dp.pad2'] as const;
/**
 * .bootcde: runs the boot selector (dp.boot), which leaves the image to boot
 * in global DPB (or runs the recovery), then boots that image here, at global
 * scope, so nothing of the selector stays in RAM beside it. An image that
 * throws while loading is failed at once: the reason (unless a cut left one
 * there already: flash words take one write), then the failed word, then a
 * reboot into the other slot. jsfLoadBootCodeFromFlash (src/jsflash.c)
 * evaluates .bootcde at global scope; the exception is catchable (measured,
 * docs/updates.md).
 */
export const BOOT_STUB =
  'eval(require("Storage").read("dp.boot"));' +
  'if(global.DPB)try{eval(require("Storage").read(DPB.n,4,DPB.L))}catch(e){var S=require("Storage");' +
  `if(S.read(DPB.n,DPB.T+${Tr.WHY},1)=="\\xff")S.write(DPB.n,("boot: "+(e&&e.message||e)).substr(0,${Tr.WHY_BYTES}),DPB.T+${Tr.WHY});` +
  `S.write(DPB.n,"\\0\\0\\0\\0",DPB.T+${Tr.BAD});E.reboot()}`;
const SELECTOR_EVAL = 'eval(require("Storage").read("dp.boot"));';
/** .bootcde on one-slot boards, where dp.boot is stored heatshrink-compressed (require("heatshrink") is built into every build we run). */
export const BOOT_STUB_COMPRESSED = BOOT_STUB.replace(SELECTOR_EVAL, 'eval(E.toString(require("heatshrink").decompress(require("Storage").read("dp.boot"))));');
/** Health time written with a flashed image (it is marked healthy at once, so it only matters for updates). */
export const DEFAULT_HEALTH_S = 120;

/** Room a board keeps after its slots for the config and the files the firmware writes (session, outbox). */
const TAIL_BYTES = 8192;
const HEADER = 32;
const align4 = (n: number) => Math.ceil(n / 4) * 4;

export interface StoragePlan {
  base: number;
  bytes: number;
  page: number;
  /** Slot files: two on boards whose Storage holds two beside the boot files and the tail, else one. */
  slots: string[];
  slotPages: number;
  /** Size of each slot file. */
  slotBytes: number;
  /** Largest image a slot holds. */
  imageMax: number;
}

/** Slots sized for the board's code budget; two where Storage holds them with a page for the boot files and the tail. */
export function storagePlan(board: BoardProfile): StoragePlan {
  const { base, bytes, page } = espruinoBuild(board.firmware.build).storage;
  const slotPages = Math.ceil((board.budget.codeBytes + Tr.IMG + Tr.BYTES) / page);
  const pages = (n: number) => Math.ceil(n / page);
  // Boot files, slot A, a page of padding before slot B, slot B, the tail.
  const two = pages(4096) + 2 * slotPages + 1 + pages(TAIL_BYTES) <= bytes / page;
  const slotBytes = slotPages * page;
  return { base, bytes, page, slots: two ? [...SLOT_FILES] : [SLOT_FILES[0]], slotPages, slotBytes, imageMax: slotBytes - Tr.IMG - Tr.BYTES };
}

/** One Storage.write: name, data, offset and total size as the call takes them. */
export interface LayoutWrite {
  name: string;
  data: Uint8Array;
  offset?: number;
  size?: number;
}

export interface LayoutFiles {
  /** firmware/dist/<board>.boot.js, Storage file dp.boot. */
  selector: Uint8Array;
  /** The station config: one-slot boards keep it in the first page, written with the layout. */
  config?: Uint8Array;
  image: Uint8Array;
  version: string;
}

export class LayoutError extends Error {}

/** CRC-32 (IEEE), as E.CRC32 computes it. */
export function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** The trailer's first field, as the firmware seals an image (update/receive.ts seal). */
export function imageMeta(image: Uint8Array, gen: number, healthS: number, version: string): string {
  return `${image.length},${crc32(image)},${gen},${healthS},${version.slice(0, 32)};`;
}

/** Where the layout ends (offset into Storage): the config and the firmware's files go after it. */
export function layoutEnd(plan: StoragePlan, selectorBytes: number): number {
  return slotStart(plan, selectorBytes) + 2 * plan.slotBytes + plan.page;
}

/** Offset of slot A's data: the first page boundary after the selector and the padding file's header. */
function slotStart(plan: StoragePlan, selectorBytes: number): number {
  const before = HEADER + align4(selectorBytes) + HEADER;
  // The padding file needs data of its own (Storage holds no empty file), and slot A's header ends where the page begins.
  return Math.ceil((before + 4 + HEADER) / plan.page) * plan.page;
}

/**
 * The writes that lay a two-slot board's Storage out from empty (after
 * Storage.eraseAll), in order: the selector, a padding file so that slot A's
 * data starts on a page, slot A holding the image (created with its first
 * word left erased: offset 0 is never written again, since an offset-0 write
 * makes Storage replace the file), sealed and marked healthy, a padding file,
 * and an empty slot B. The stub (BOOT_STUB as .bootcde) comes after all of
 * them, once they read back right: until then the desk boots nothing
 * half-written. Files go where Storage appends them (src/jsflash.c
 * jsfCreateFile: after the last file's header and data), so each one's
 * address follows from the sizes. The image is written in pieces of
 * pieceBytes.
 */
export function layoutWrites(plan: StoragePlan, files: LayoutFiles, pieceBytes = 4096): LayoutWrite[] {
  if (plan.slots.length < 2) return oneSlotWrites(plan, files, pieceBytes);
  const start = slotStart(plan, files.selector.length);
  if (layoutEnd(plan, files.selector.length) + TAIL_BYTES > plan.bytes) {
    throw new LayoutError(`the selector takes ${start} B before the slots: with two slots of ${plan.slotBytes} B, under ${TAIL_BYTES} B are left for the config and the firmware's files`);
  }
  const padBytes = start - HEADER - (HEADER + align4(files.selector.length) + HEADER);
  const [a, b] = plan.slots as [string, string];
  const writes: LayoutWrite[] = [
    { name: SELECTOR_FILE, data: files.selector },
    { name: PAD_FILES[0], data: Buffer.alloc(padBytes, 0x20) },
    ...slotWrites(plan, a, files, pieceBytes),
  ];
  writes.push({ name: PAD_FILES[1], data: Buffer.alloc(plan.page - 2 * HEADER, 0x20) });
  writes.push({ name: b, data: new Uint8Array(4).fill(0xff), offset: 0, size: plan.slotBytes });
  return writes;
}

/**
 * Slot `name` holding the image: created with its first word left erased
 * (offset 0 is never written again, since an offset-0 write makes Storage
 * replace the file), the image after it in pieces, sealed and marked healthy.
 */
function slotWrites(plan: StoragePlan, name: string, files: Omit<LayoutFiles, 'config'>, pieceBytes: number): LayoutWrite[] {
  if (files.image.length > plan.imageMax) throw new LayoutError(`the image is ${files.image.length} B, a slot holds ${plan.imageMax} B`);
  // 0xFF leaves the word erased.
  const writes: LayoutWrite[] = [{ name, data: new Uint8Array(4).fill(0xff), offset: 0, size: plan.slotBytes }];
  for (let o = 0; o < files.image.length; o += pieceBytes) writes.push({ name, data: files.image.subarray(o, o + pieceBytes), offset: Tr.IMG + o });
  const trailer = plan.slotBytes - Tr.BYTES;
  writes.push({ name, data: Buffer.from(imageMeta(files.image, 1, DEFAULT_HEALTH_S, files.version), 'latin1'), offset: trailer + Tr.META });
  writes.push({ name, data: new Uint8Array(4), offset: trailer + Tr.OK });
  return writes;
}

/**
 * One-slot boards: the stub, the config padded with spaces (JSON allows them)
 * so that the slot's data starts where the second page does, the selector
 * compressed, then the slot. Nothing before the slot is ever rewritten through
 * Storage, so no trash lies there and a compaction (which starts at the first
 * page holding trash) never moves these files or the slot; the config is
 * changed only by laying the whole first page out again (pageZeroWith).
 */
function oneSlotWrites(plan: StoragePlan, files: LayoutFiles, pieceBytes: number): LayoutWrite[] {
  if (!files.config) throw new LayoutError('a one-slot board keeps its config in the first page: the layout needs it');
  const frame = oneSlotFrame(plan, files, pieceBytes);
  return [...frame.writes, configFill(frame.configRoom, files.config), frame.stub];
}

/** The first page's files: the stub and the compressed selector, and the room left for the config between them. */
export interface OneSlotFrame {
  /**
   * Writes from an empty Storage: the stub and the config created with all
   * their bytes erased, in their places (filled later in place: jsfWriteFile
   * writes an offset-0 write of a file's whole size in place when all of it is
   * still erased), the selector, the slot holding the image, sealed and marked
   * healthy. Until the stub is filled the board boots nothing: the lexer
   * stops at an erased .bootcde's first byte (src/jslex.c jslGetNextToken;
   * "Uncaught SyntaxError: Got [ERASED] expected EOF", measured on 2v29).
   */
  writes: LayoutWrite[];
  configRoom: number;
  /** The stub's fill, the write that makes the board boot the layout: the last one. */
  stub: LayoutWrite;
}

export function oneSlotFrame(plan: StoragePlan, files: Omit<LayoutFiles, 'config'>, pieceBytes = 4096): OneSlotFrame {
  const stub = Buffer.from(BOOT_STUB_COMPRESSED, 'latin1');
  const selector = compress(files.selector);
  const configRoom = plan.page - (HEADER + align4(stub.length) + HEADER + HEADER + align4(selector.length) + HEADER);
  if (configRoom < 4) throw new LayoutError(`the first page holds the stub (${stub.length} B) and the compressed boot selector (${selector.length} B): no room is left for the config`);
  const erased = (name: string, size: number): LayoutWrite => ({ name, data: new Uint8Array(4).fill(0xff), offset: 0, size });
  return {
    writes: [erased(BOOT_FILE, stub.length), erased(CONFIG_FILE, configRoom), { name: SELECTOR_FILE, data: selector }, ...slotWrites(plan, plan.slots[0]!, files, pieceBytes)],
    configRoom,
    stub: { name: BOOT_FILE, data: stub },
  };
}

/** The config's bytes in the first page: padded with spaces to the room it has there. */
export function configFill(room: number, config: Uint8Array): LayoutWrite {
  if (config.length > room) throw new LayoutError(`the first page holds the stub, the compressed boot selector and ${room} B for the config: the config has ${config.length} B`);
  const data = Buffer.alloc(room, 0x20);
  data.set(config);
  return { name: CONFIG_FILE, data };
}

/**
 * A one-slot board's first page as read from flash, with `config` in place of
 * the config it holds (same room, so no file moves and the chain of headers
 * stays as it was), or a reason why it is not the layout the flash writes
 * (stub, config, selector, slot header ending on the page).
 */
export function pageZeroWith(plan: StoragePlan, page: Uint8Array, config: Uint8Array): { page: Uint8Array; room: number } | { not: string } {
  // The interpreter's own walk over the headers (hardware/sim/jsflash.ts), on a Storage holding only this page.
  const jsf = new JsfStorage(new FlashMemory({ base: plan.base, bytes: plan.bytes, page: plan.page }, page.subarray(0, plan.page)));
  const want = [BOOT_FILE, CONFIG_FILE, SELECTOR_FILE, plan.slots[0]!];
  const names = jsf.list();
  if (names.join() !== want.join()) return { not: `its first page holds ${names.join(', ') || 'no files'}, not ${want.join(', ')}` };
  const slot = jsf.find(want[3]!)!;
  if (slot.addr !== plan.base + plan.page || slot.size !== plan.slotBytes) return { not: 'its slot is not where the layout puts it' };
  if (Buffer.from(jsf.read(BOOT_FILE)!).toString('latin1') !== BOOT_STUB_COMPRESSED) return { not: 'its boot stub is not the one this flash writes (a flash cut off half-way?)' };
  const cfg = jsf.find(CONFIG_FILE)!;
  const out = Uint8Array.from(page.subarray(0, plan.page));
  out.set(configFill(cfg.size, config).data, cfg.addr - plan.base);
  return { page: out, room: cfg.size };
}

/** The layout's writes with the stub after them: what a test seeds a blank Storage with. */
export function layoutWithStub(plan: StoragePlan, files: LayoutFiles): LayoutWrite[] {
  return [...layoutWrites(plan, files), { name: BOOT_FILE, data: Buffer.from(BOOT_STUB, 'latin1') }];
}
