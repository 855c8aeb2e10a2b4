// Espruino's Storage as it lies in flash: the interpreter's algorithms of
// src/jsflash.c at RELEASE_2V29 run over a byte image of the board's Storage
// area, so the simulator stores files where the board would, leaves trash where
// the board would, compacts the way the board does, and a power cut injected
// between any two bytes leaves the image the board would be left with. The
// function names in the comments are those of jsflash.c; the layout is
//   header: u32 size (low 24 bits) | flags << 24, then 28 name bytes, 0-padded
//   data:   size bytes, padded to JSF_ALIGNMENT (4)
// and test/sim-flash-vs-interpreter.test.ts compares the bytes with the Linux
// build's espruino.flash after the same operations.

/** A power cut: thrown by the write or erase it interrupts, and by every flash operation after it. */
export class PowerCut extends Error {
  constructor() {
    super('power cut');
    this.name = 'PowerCut';
  }
}

export const HEADER_BYTES = 32;
export const NAME_BYTES = 28;
/** JSF_ALIGNMENT (src/jsutils.h) on every board we build for. */
export const ALIGNMENT = 4;
const WORD_UNSET = 0xffffffff;
/** JsfFileFlags (src/jsflash.h). */
const JSFF_STORAGEFILE = 64;
const JSFF_COMPRESSED = 128;

export interface FlashGeometry {
  /** Address of the Storage area (FLASH_SAVED_CODE_START). */
  base: number;
  /** Bytes of the area (FLASH_SAVED_CODE_LENGTH). */
  bytes: number;
  /** Erase page (jshFlashGetPage). */
  page: number;
}

/**
 * The flash chip under Storage: bits only clear when written (the Linux
 * build ANDs, targets/linux/jshardware.c jshFlashWrite), a page erase sets a
 * page to 0xFF. Cuts: `cutAfterBytes(n)` lets n more bytes be written, then
 * the write in progress stops there (bytes before the cut are on flash, those
 * after are not) and the chip is dead until `powerOn()`; `cutBeforeErase(n)`
 * lets n more page erases happen (an erase is all or nothing here; a real one
 * cut half-way leaves bits undefined, which only hardware can tell).
 */
export class FlashMemory {
  readonly image: Uint8Array;
  /** Bytes written and pages erased since creation: positions for cuts. */
  bytesWritten = 0;
  erases = 0;
  private byteBudget = Infinity;
  private eraseBudget = Infinity;
  private dead = false;
  /** Called once when a cut happens (the simulator stops the board). */
  onCut: () => void = () => {};

  constructor(
    readonly geometry: FlashGeometry,
    image?: Uint8Array,
  ) {
    this.image = new Uint8Array(geometry.bytes).fill(0xff);
    if (image) this.image.set(image.subarray(0, geometry.bytes));
  }

  get cut(): boolean {
    return this.dead;
  }

  cutAfterBytes(n: number): void {
    this.byteBudget = n;
  }

  cutBeforeErase(n: number): void {
    this.eraseBudget = n;
  }

  /** Power back on: the image stays as the cut left it. */
  powerOn(): void {
    this.dead = false;
    this.byteBudget = Infinity;
    this.eraseBudget = Infinity;
  }

  private offset(addr: number, len: number): number {
    const o = addr - this.geometry.base;
    if (o < 0 || o + len > this.geometry.bytes) throw new Error(`flash address 0x${addr.toString(16)}+${len} is outside Storage`);
    return o;
  }

  private die(): never {
    this.dead = true;
    this.onCut();
    throw new PowerCut();
  }

  private alive(): void {
    if (this.dead) throw new PowerCut();
  }

  read(addr: number, len: number): Uint8Array {
    this.alive();
    const o = this.offset(addr, len);
    return this.image.slice(o, o + len);
  }

  word(addr: number): number {
    const b = this.read(addr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  write(addr: number, data: Uint8Array): void {
    this.alive();
    const o = this.offset(addr, data.length);
    for (let i = 0; i < data.length; i++) {
      if (this.byteBudget <= 0) this.die();
      this.byteBudget--;
      this.bytesWritten++;
      this.image[o + i]! &= data[i]!;
    }
  }

  /** The page holding addr (jshFlashGetPage), or null outside the area. */
  pageOf(addr: number): { addr: number; length: number } | null {
    const o = addr - this.geometry.base;
    if (o < 0 || o >= this.geometry.bytes) return null;
    return { addr: this.geometry.base + Math.floor(o / this.geometry.page) * this.geometry.page, length: this.geometry.page };
  }

  erasePage(addr: number): void {
    this.alive();
    const page = this.pageOf(addr);
    if (!page) return;
    if (this.eraseBudget <= 0) this.die();
    this.eraseBudget--;
    this.erases++;
    const o = page.addr - this.geometry.base;
    this.image.fill(0xff, o, o + page.length);
  }
}

interface Header {
  size: number;
  name: Uint8Array;
}

const fileSize = (h: Header) => h.size & 0xffffff;
const fileFlags = (h: Header) => h.size >>> 24;
const firstChars = (h: Header) => h.name[0]! | h.name[1]! | h.name[2]! | h.name[3]!;
const align = (n: number) => (n + ALIGNMENT - 1) & ~(ALIGNMENT - 1);

export interface StorageStats {
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
  total: number;
  free: number;
  /** Where a compaction starts (jsfGetStorageStats firstPageWithErasedFiles). */
  firstPageWithErasedFiles: number;
}

/** A 28-byte file name as jsfNameFromString makes it: truncated, 0-padded, latin1. */
export function fileName(name: string): Uint8Array {
  const out = new Uint8Array(NAME_BYTES);
  for (let i = 0; i < Math.min(name.length, NAME_BYTES); i++) out[i] = name.charCodeAt(i) & 255;
  return out;
}

function nameText(name: Uint8Array): string {
  let s = '';
  for (const c of name) {
    if (!c) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < NAME_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** jsfWriteFile's exceptions, with the interpreter's messages. */
export class StorageError extends Error {}

/** The interpreter's Storage over one FlashMemory (a single bank, as on our boards). */
export class JsfStorage {
  /** Where the interpreter would print (compaction progress). */
  print: (text: string) => void = () => {};
  compactions = 0;
  /** Writes that created a new copy of a file, by name (an identical rewrite or an in-place write costs no new copy). */
  readonly copies = new Map<string, number>();

  constructor(readonly flash: FlashMemory) {}

  private get start(): number {
    return this.flash.geometry.base;
  }

  private get end(): number {
    return this.flash.geometry.base + this.flash.geometry.bytes;
  }

  /** jsfGetFileHeader: the header at addr and whether it is one (set, non-zero, inside the bank). */
  private header(addr: number): { h: Header; valid: boolean } {
    const raw = this.flash.read(addr, Math.min(HEADER_BYTES, this.end - addr));
    const h: Header = { size: (raw[0]! | (raw[1]! << 8) | (raw[2]! << 16) | (raw[3]! << 24)) >>> 0, name: new Uint8Array(NAME_BYTES).fill(0xff) };
    h.name.set(raw.subarray(4, 4 + NAME_BYTES));
    const valid = h.size !== WORD_UNSET && h.size !== 0 && addr + HEADER_BYTES + fileSize(h) <= this.end;
    return { h, valid };
  }

  /** jsfGetAddressOfNextPage: the next page's start, 0 past the end. */
  private nextPage(addr: number): number {
    const page = this.flash.pageOf(addr);
    if (!page) return 0;
    const next = page.addr + page.length;
    return next >= this.end ? 0 : next;
  }

  /**
   * jsfGetNextFileHeader: steps past the file at `at` to the next header. With
   * `all`, an empty slot there sends it to the next page's start (files used to
   * be pushed to page boundaries). Returns the new address (0 = past the end)
   * and whether a valid header is there.
   */
  private next(at: number, h: Header, all: boolean): { addr: number; h: Header; valid: boolean } {
    let addr = align(at + fileSize(h) + HEADER_BYTES);
    if (addr < at || addr + HEADER_BYTES > this.end) return { addr: 0, h, valid: false };
    let r = this.header(addr);
    if (all && !r.valid) {
      addr = this.nextPage(addr);
      if (!addr) return { addr: 0, h: r.h, valid: false };
      r = this.header(addr);
    }
    return { addr, h: r.h, valid: r.valid };
  }

  /** Every valid header in chain order, trash included (the GNFH_GET_ALL walk). */
  private *chain(): Generator<{ addr: number; h: Header }> {
    let addr = this.start;
    let r = this.header(addr);
    if (!r.valid) return;
    for (;;) {
      yield { addr, h: r.h };
      const n = this.next(addr, r.h, true);
      if (!n.valid) return;
      addr = n.addr;
      r = { h: n.h, valid: true };
    }
  }

  /** jsfIsRealFile: not erased, and a kind of file the interpreter lists and keeps. */
  private static real(h: Header): boolean {
    const f = fileFlags(h);
    return firstChars(h) !== 0 && (f === 0 || f === JSFF_STORAGEFILE || f === JSFF_COMPRESSED);
  }

  /** jsfFindFile: the data address of the live file with this name, or 0. */
  find(name: string): { addr: number; size: number; flags: number } | null {
    const n = fileName(name);
    for (const { addr, h } of this.chain()) {
      if (firstChars(h) !== 0 && sameName(h.name, n)) return { addr: addr + HEADER_BYTES, size: fileSize(h), flags: fileFlags(h) };
    }
    return null;
  }

  /** jsfReadFile: the file's bytes from offset (clipped), or null if there is no such file. */
  read(name: string, offset = 0, length = 0): Uint8Array | null {
    const f = this.find(name);
    if (!f) return null;
    let o = Math.max(0, offset);
    if (o > f.size) o = f.size;
    let l = length <= 0 ? f.size : length;
    if (o + l > f.size) l = f.size - o;
    if (l <= 0) return new Uint8Array(0);
    return this.flash.read(f.addr + o, l);
  }

  /** jsfIsErased */
  private erased(addr: number, len: number): boolean {
    const b = this.flash.read(addr, len);
    for (const x of b) if (x !== 0xff) return false;
    return true;
  }

  private equal(addr: number, data: Uint8Array): boolean {
    const b = this.flash.read(addr, data.length);
    for (let i = 0; i < data.length; i++) if (b[i] !== data[i]) return false;
    return true;
  }

  /** jsfEraseFileInternal: zeroes the name's first word; the bytes stay as trash. */
  private eraseAt(dataAddr: number): void {
    this.flash.write(dataAddr - HEADER_BYTES + 4, new Uint8Array(4));
  }

  /** jsfEraseFile */
  erase(name: string): boolean {
    const f = this.find(name);
    if (!f) return false;
    this.eraseAt(f.addr);
    return true;
  }

  /** jshFlashWriteAligned: a partial word is read, merged and written whole. */
  private writeAligned(addr: number, data: Uint8Array): void {
    const lead = addr & (ALIGNMENT - 1);
    if (!lead && !(data.length & (ALIGNMENT - 1))) return this.flash.write(addr, data);
    const from = addr - lead;
    const to = align(addr + data.length);
    const buf = this.flash.read(from, to - from);
    buf.set(data, lead);
    // Whole words; the bytes outside `data` are written with what they already hold.
    this.flash.write(from, buf);
  }

  /** jsfWriteFile with flags JSFF_NONE (Storage.write). */
  write(name: string, data: Uint8Array, offset = 0, sizeArg = 0): void {
    if (offset < 0 || sizeArg < 0) throw new StorageError('bad offset or size');
    const size = sizeArg || data.length;
    if (!size) throw new StorageError("Can't create zero length file");
    let f = this.find(name);
    if ((!f && offset === 0) || (f && offset === 0 && (f.flags !== 0 || size !== f.size || !this.erased(f.addr, size)))) {
      if (f && offset === 0 && size === f.size && f.flags === 0 && data.length === size && this.equal(f.addr, data)) return;
      if (f) this.eraseAt(f.addr);
      const addr = this.create(name, size);
      f = addr ? { addr, size, flags: 0 } : null;
      if (f) this.copies.set(name, (this.copies.get(name) ?? 0) + 1);
    }
    if (!f) throw new StorageError('Unable to find or create file');
    if (offset + data.length > f.size) throw new StorageError('Too much data for file size');
    if (!this.erased(f.addr + offset, data.length)) throw new StorageError('File already written with different data');
    this.writeAligned(f.addr + offset, data);
  }

  /** jsfGetSpaceLeftInPage */
  private spaceLeftInPage(addr: number): number {
    const page = this.flash.pageOf(addr);
    if (!page) return 0;
    let nextStart = page.addr + page.length;
    if (nextStart < this.end && !this.header(nextStart).valid) nextStart = this.end;
    return nextStart - addr;
  }

  /** _jsfCreateFile: finds room after the last header (compacting once if trash would make it), writes the header. */
  private create(name: string, size: number): number {
    const required = align(size) + HEADER_BYTES;
    let compacted = false;
    let freeAddr = 0;
    while (!freeAddr) {
      let addr = this.start;
      let freeSpace = 0;
      let trashSpace = 0;
      do {
        let r = this.header(addr);
        if (r.valid) {
          for (;;) {
            if (firstChars(r.h) === 0) trashSpace += fileSize(r.h);
            const n = this.next(addr, r.h, false);
            addr = n.addr;
            if (!n.valid) break;
            r = { h: n.h, valid: true };
          }
        }
        const space = addr ? this.spaceLeftInPage(addr) : 0;
        freeSpace += space;
        if (space < required) addr = addr ? this.nextPage(addr) : 0;
        else freeAddr = addr;
      } while (addr && !freeAddr);
      if (!freeAddr) {
        if (!compacted && required < freeSpace + trashSpace) {
          compacted = true;
          if (!this.compact()) return 0;
        } else return 0;
      }
    }
    const header = new Uint8Array(HEADER_BYTES);
    new DataView(header.buffer).setUint32(0, size, true);
    header.set(fileName(name), 4);
    this.flash.write(freeAddr, header);
    return freeAddr + HEADER_BYTES;
  }

  /** jsfListFiles (no StorageFile handling: the firmware creates none). */
  list(): string[] {
    const out: string[] = [];
    for (const { h } of this.chain()) if (JsfStorage.real(h)) out.push(nameText(h.name));
    return out;
  }

  /** jsfGetStorageStats(start, allPages = true) */
  stats(): StorageStats {
    const s: StorageStats = { fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0, total: this.end - this.start, free: 0, firstPageWithErasedFiles: 0 };
    let lastAddr = this.start;
    let lastUnbrokenPageStart = this.start;
    for (const { addr, h } of this.chain()) {
      const page = this.flash.pageOf(addr);
      if (page && page.addr === addr) lastUnbrokenPageStart = addr;
      const bytes = align(fileSize(h)) + HEADER_BYTES;
      lastAddr = addr + bytes;
      if (firstChars(h) !== 0) {
        s.fileBytes += bytes;
        s.fileCount++;
      } else {
        s.trashBytes += bytes;
        s.trashCount++;
        if (!s.firstPageWithErasedFiles) s.firstPageWithErasedFiles = lastUnbrokenPageStart;
      }
    }
    s.free = this.end - lastAddr;
    return s;
  }

  /**
   * jsfBankCompact + jsfCompactInternal: live files from the first page with
   * trash on are copied down through a circular buffer of at most a page and
   * a header, each page erased just before it is rewritten, then the pages
   * after the last copy are erased. A cut anywhere here can leave the chain
   * broken (see isValid). Returns whether there was trash to remove.
   */
  compact(): boolean {
    const stats = this.stats();
    if (!stats.trashBytes) return false;
    this.compactions++;
    // src/jsflash.c jsfCompactInternal: jsiConsolePrintf("Compacting... ").
    this.print('Compacting... ');
    const page = this.flash.geometry.page;
    const bufSize = Math.min(stats.fileBytes, page + HEADER_BYTES);
    const buf = new Uint8Array(bufSize);
    let head = 0;
    let tail = 0;
    let used = 0;
    let writeAddress = stats.firstPageWithErasedFiles;
    const start = writeAddress;

    const flush = (readAddress: number): void => {
      let nextFlashPage = this.nextPage(writeAddress) || this.end;
      while (used) {
        let s = used;
        if (s + tail > bufSize) s = bufSize - tail;
        if (s + writeAddress > nextFlashPage) s = nextFlashPage - writeAddress;
        if (readAddress < nextFlashPage) return;
        const p = this.flash.pageOf(writeAddress);
        if (p && p.addr === writeAddress) this.flash.erasePage(writeAddress);
        this.flash.write(writeAddress, buf.slice(tail, tail + s));
        writeAddress += s;
        nextFlashPage = this.nextPage(writeAddress) || this.end;
        tail = (tail + s) % bufSize;
        used -= s;
      }
    };
    const push = (bytes: Uint8Array): void => {
      for (const b of bytes) {
        buf[head] = b;
        head = (head + 1) % bufSize;
      }
      used += bytes.length;
    };

    let addr = start;
    let r = this.header(addr);
    if (r.valid) {
      for (;;) {
        if (JsfStorage.real(r.h)) {
          const header = new Uint8Array(HEADER_BYTES);
          new DataView(header.buffer).setUint32(0, r.h.size, true);
          header.set(r.h.name, 4);
          push(header);
          let left = align(fileSize(r.h));
          let ptr = addr + HEADER_BYTES;
          flush(ptr);
          while (left) {
            let s = bufSize - used;
            if (s > bufSize - head) s = bufSize - head;
            if (tail > head && s > tail - head) s = tail - head;
            if (s === 0) return false;
            if (s > left) s = left;
            push(this.flash.read(ptr, s));
            left -= s;
            ptr += s;
            flush(ptr);
          }
        }
        const n = this.next(addr, r.h, true);
        addr = n.addr;
        if (!n.valid) break;
        r = { h: n.h, valid: true };
      }
    }
    flush(this.end);
    if (writeAddress !== start) writeAddress = this.nextPage(writeAddress - 1);
    if (writeAddress) {
      // addr: where the old chain ended (0 when it reached the end of the area).
      const until = addr || this.end;
      for (let a = writeAddress; a < until; a += page) this.flash.erasePage(a);
    }
    return true;
  }

  /** jsfEraseAll */
  eraseAll(): void {
    for (let a = this.start; a < this.end; a += this.flash.geometry.page) this.flash.erasePage(a);
  }

  /**
   * jsfIsStorageValid(JSFSTT_NORMAL): follow the chain; where it stops, the
   * header there (or at the next page's start) must be all 0xFF. The
   * interpreter checks this at power-on and erases all of Storage when it
   * fails (src/jsinteractive.c jsiSemiInit, jsfResetStorage).
   */
  isValid(): boolean {
    let addr = this.start;
    const first = this.header(addr);
    let h = first.h;
    if (first.valid) {
      let oldAddr = addr;
      for (;;) {
        const n = this.next(addr, h, true);
        addr = n.addr;
        h = n.h;
        if (!n.valid) break;
        oldAddr = addr;
      }
      if (!addr) {
        // Only when the chain runs to the very end: the header is still the last file's.
        const newAddr = align(oldAddr + fileSize(h) + HEADER_BYTES);
        if (newAddr < oldAddr) return false;
        if (newAddr <= this.end && newAddr + HEADER_BYTES > this.end) return true;
      }
    }
    const raw = [h.size & 255, (h.size >>> 8) & 255, (h.size >>> 16) & 255, h.size >>> 24, ...h.name];
    const allFF = raw.every((b) => b === 0xff);
    if (allFF && addr === this.start) return this.erased(addr, this.end - addr);
    return allFF;
  }

  /** jsfResetStorage (no initial contents on our boards). */
  reset(): void {
    this.print('Storage is corrupt.');
    this.eraseAll();
  }
}
