// Espruino's Storage module in the simulator, over the interpreter's own
// algorithms on a byte image of the board's Storage area (jsflash.ts): files
// lie, leave trash and compact where they would on the board, Flash page
// erases act on the same bytes, and a power cut leaves the image a board would
// be left with. Binary safe: strings are byte strings (char codes 0-255); text
// with higher code points is stored as UTF-8, as the Linux build does.
// Backed by memory, or by a JSON file of the image's written pages that
// survives restarts.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FlashMemory, JsfStorage, NAME_BYTES, PowerCut, StorageError, type FlashGeometry } from './jsflash.ts';

export { HEADER_BYTES as FILE_HEADER_BYTES } from './jsflash.ts';
export const MAX_NAME_LENGTH = NAME_BYTES;

/** What a Storage file may be seeded with: bytes, a byte string, or an object stored as JSON. */
export type StorageSeed = Record<string, string | Uint8Array | object>;

/** A value's bytes as the interpreter iterates them: byte strings, arrays of numbers, typed arrays, ArrayBuffers. */
export function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; i++) if (data.charCodeAt(i) > 255) return Buffer.from(data, 'utf8');
    return Buffer.from(data, 'latin1');
  }
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array((data as ArrayBuffer).slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (Array.isArray(data)) return Uint8Array.from(data.map((n) => Number(n) & 255));
  return Buffer.from(String(data), 'latin1');
}

/** A saved image: the pages that are not erased, base64 by page number (a legacy file maps names to contents). */
interface SavedImage {
  flash: Record<string, string>;
}

export class SimStorage {
  readonly jsf: JsfStorage;

  /**
   * `area`: the board's Storage area (hardware/espruino.ts), or just its size
   * in bytes (4096-byte pages, or one page when smaller; the interpreter never has Storage at address 0). `image`: the area's bytes to
   * start from (a power cut's leftovers); else the file at `path`, then `seed`.
   */
  constructor(
    area: FlashGeometry | number,
    private readonly path?: string,
    seed?: StorageSeed,
    image?: Uint8Array,
  ) {
    const geometry = typeof area === 'number' ? { base: 0x10000000, bytes: area, page: Math.min(4096, area) } : area;
    this.jsf = new JsfStorage(new FlashMemory(geometry, image));
    if (!image && path && existsSync(path)) this.load(JSON.parse(readFileSync(path, 'utf8')) as SavedImage | Record<string, string>);
    for (const [name, value] of Object.entries(seed ?? {})) {
      this.put(name, typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value));
    }
    this.persist();
  }

  get flash(): FlashMemory {
    return this.jsf.flash;
  }

  /** Compactions so far (each erases flash pages: the wear that matters). */
  get compactions(): number {
    return this.jsf.compactions;
  }

  /** Writes that created a new copy of a file, by name. */
  get writes(): ReadonlyMap<string, number> {
    return this.jsf.copies;
  }

  /** Where the interpreter's console output goes ("Compacting...", "Storage is corrupt."). */
  set print(fn: (text: string) => void) {
    this.jsf.print = fn;
  }

  private load(saved: SavedImage | Record<string, string>): void {
    if ('flash' in saved && typeof saved.flash === 'object') {
      const { page } = this.flash.geometry;
      for (const [n, b64] of Object.entries(saved.flash)) this.flash.image.set(Buffer.from(b64, 'base64'), Number(n) * page);
      return;
    }
    // A file from before the flash model: name -> contents.
    for (const [name, b64] of Object.entries(saved as Record<string, string>)) this.jsf.write(name, Buffer.from(b64, 'base64'));
  }

  /** Writes the image's non-erased pages to the backing file, if any. Nothing after a power cut: the board wrote nothing more either. */
  persist(): void {
    if (!this.path || this.flash.cut) return;
    const { page, bytes } = this.flash.geometry;
    const out: SavedImage = { flash: {} };
    for (let o = 0; o < bytes; o += page) {
      const p = this.flash.image.subarray(o, Math.min(o + page, bytes));
      if (p.some((b) => b !== 0xff)) out.flash[String(o / page)] = Buffer.from(p).toString('base64');
    }
    const tmp = this.path + '.tmp';
    // Storage holds deskphone.json with the station's secret: private to its user, like every device config on the host.
    writeFileSync(tmp, JSON.stringify(out, null, 1), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  /** Host-side access: the bytes of a file, or undefined. */
  bytes(name: string): Buffer | undefined {
    const b = this.jsf.read(name);
    return b ? Buffer.from(b) : undefined;
  }

  /** Host-side access: writes a file as the flasher would (replacing it; throws when it does not fit). */
  put(name: string, data: string | Uint8Array, offset?: number, size?: number): void {
    this.jsf.write(name.slice(0, MAX_NAME_LENGTH), toBytes(data), offset ?? 0, size ?? 0);
    this.persist();
  }

  /** Host-side fault: flips a bit of one stored byte of a file, as a failing flash cell reads back. */
  damage(name: string, offset: number): void {
    const f = this.jsf.find(name);
    if (!f) throw new Error(`no file ${name} to damage`);
    this.flash.image[f.addr - this.flash.geometry.base + offset]! ^= 0x20;
    this.persist();
  }

  names(): string[] {
    return this.jsf.list();
  }

  usedBytes(): number {
    return this.jsf.stats().fileBytes;
  }

  /**
   * The module object `require("Storage")` returns inside the simulator.
   * `ctx` builds results from the simulator context's own constructors, so
   * the firmware sees arrays, objects and errors without the host's extras.
   */
  module(ctx: { JSON: JSON; ArrayBuffer: ArrayBufferConstructor; Error?: ErrorConstructor; array: (items: unknown[]) => unknown[] }) {
    const name = (n: unknown) => String(n).slice(0, MAX_NAME_LENGTH);
    const run = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof StorageError) throw new (ctx.Error ?? Error)(err.message);
        throw err;
      } finally {
        this.persist();
      }
    };
    const read = (n: unknown, offset?: number, length?: number): string | undefined => {
      const b = this.jsf.read(name(n), offset ?? 0, length ?? 0);
      return b ? Buffer.from(b).toString('latin1') : undefined;
    };
    // jswrap_storage_write: an object is written as its JSON, from offset 0.
    const write = (n: unknown, data: unknown, offset?: number, size?: number): boolean =>
      run(() => {
        if (data !== null && typeof data === 'object' && !ArrayBuffer.isView(data) && !Array.isArray(data) && Object.prototype.toString.call(data) !== '[object ArrayBuffer]') {
          this.jsf.write(name(n), toBytes(JSON.stringify(data)));
        } else this.jsf.write(name(n), toBytes(data), Number(offset) || 0, Number(size) || 0);
        return true;
      });
    return {
      read,
      write,
      readJSON: (n: unknown, noExceptions?: boolean) => {
        const text = read(n);
        if (text === undefined) return undefined;
        try {
          // Parsed as the byte string it is, as a non-Unicode board (Pixl.js) does.
          return ctx.JSON.parse(text);
        } catch (err) {
          if (noExceptions) return undefined;
          throw err;
        }
      },
      writeJSON: (n: unknown, data: unknown) => write(n, JSON.stringify(data)),
      readArrayBuffer: (n: unknown) => {
        const b = this.jsf.read(name(n));
        if (!b) return undefined;
        const ab = new ctx.ArrayBuffer(b.length);
        new Uint8Array(ab).set(b);
        return ab;
      },
      erase: (n: unknown) => run(() => void this.jsf.erase(name(n))),
      eraseAll: () => run(() => this.jsf.eraseAll()),
      list: (pattern?: RegExp | string) => {
        const all = this.jsf.list();
        const re = pattern === undefined ? null : pattern instanceof RegExp || Object.prototype.toString.call(pattern) === '[object RegExp]' ? (pattern as RegExp) : new RegExp(String(pattern));
        return ctx.array(re ? all.filter((f) => re.test(f)) : all);
      },
      getStats: () => {
        const s = this.jsf.stats();
        return ctx.JSON.parse(JSON.stringify({ totalBytes: s.total, freeBytes: s.free, fileBytes: s.fileBytes, fileCount: s.fileCount, trashBytes: s.trashBytes, trashCount: s.trashCount }));
      },
      getFree: () => this.jsf.stats().free,
      compact: () => run(() => void this.jsf.compact()),
    };
  }

  /** `require("Flash")` (src/jswrap_flash.c) on the same bytes: pages of the Storage area only. */
  flashModule(ctx: { Uint8Array: Uint8ArrayConstructor; JSON: JSON }) {
    const flash = this.flash;
    const run = <T>(fn: () => T): T => {
      try {
        return fn();
      } finally {
        this.persist();
      }
    };
    return {
      getPage: (addr: number) => {
        const p = flash.pageOf(Number(addr));
        return p ? ctx.JSON.parse(JSON.stringify(p)) : undefined;
      },
      getFree: () => ctx.JSON.parse('[]'),
      erasePage: (addr: number) => run(() => flash.erasePage(Number(addr))),
      read: (length: number, addr: number) => {
        const out = new ctx.Uint8Array(Number(length));
        out.set(flash.read(Number(addr), Number(length)));
        return out;
      },
      write: (data: unknown, addr: number) => run(() => flash.write(Number(addr), toBytes(data))),
    };
  }
}

export { PowerCut };
