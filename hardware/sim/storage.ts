// Espruino's Storage module over a byte store, with the board's capacity and
// the interpreter's accounting (32-byte header per file, sizes rounded up to 4
// bytes), so "does the bundle plus config fit" has the same answer here as on
// the device. Binary safe: strings are byte strings (char codes 0-255); text
// with higher code points is stored as UTF-8, as the Linux build does.
// Backed by memory, or by a JSON file (name -> base64) that survives restarts.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export const FILE_HEADER_BYTES = 32;
export const MAX_NAME_LENGTH = 28;

/** What a Storage file may be seeded with: bytes, a byte string, or an object stored as JSON. */
export type StorageSeed = Record<string, string | Uint8Array | object>;

function toBytes(data: unknown): Buffer {
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; i++) if (data.charCodeAt(i) > 255) return Buffer.from(data, 'utf8');
    return Buffer.from(data, 'latin1');
  }
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return Buffer.from(new Uint8Array(data as ArrayBuffer));
  if (ArrayBuffer.isView(data)) return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (Array.isArray(data)) return Buffer.from(data.map((n) => Number(n) & 255));
  return Buffer.from(String(data), 'latin1');
}

export class SimStorage {
  private readonly files = new Map<string, Buffer>();
  /** Bytes of replaced and erased files, still taking flash until a compaction. */
  private trash = 0;
  private trashCount = 0;
  /** Compactions so far (each erases flash pages: the wear that matters). */
  compactions = 0;
  /** Writes that created a new copy of a file, by name (an identical rewrite costs nothing). */
  readonly writes = new Map<string, number>();
  /** Where the interpreter's "Compacting..." goes (the console). */
  print: (line: string) => void = () => {};

  constructor(
    readonly capacity: number,
    private readonly path?: string,
    seed?: StorageSeed,
  ) {
    if (path && existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      for (const [name, b64] of Object.entries(saved)) this.files.set(name, Buffer.from(b64, 'base64'));
    }
    for (const [name, value] of Object.entries(seed ?? {})) {
      const bytes = typeof value === 'string' || value instanceof Uint8Array ? toBytes(value) : Buffer.from(JSON.stringify(value), 'latin1');
      this.files.set(name, bytes);
    }
    this.persist();
  }

  private static footprint(size: number): number {
    return FILE_HEADER_BYTES + Math.ceil(size / 4) * 4;
  }

  usedBytes(): number {
    let used = 0;
    for (const b of this.files.values()) used += SimStorage.footprint(b.length);
    return used;
  }

  private persist(): void {
    if (!this.path) return;
    const out: Record<string, string> = {};
    for (const [name, b] of this.files) out[name] = b.toString('base64');
    const tmp = this.path + '.tmp';
    // Storage holds deskphone.json with the station's secret: private to its user, like every device config on the host.
    writeFileSync(tmp, JSON.stringify(out, null, 1), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  /**
   * src/jsflash.c jsfWriteFile at 2v29: the same bytes again are left alone;
   * otherwise the old copy becomes trash first, and the new one goes after the
   * last file. When it does not fit, trash that would make room is compacted
   * away (jsfCompact, printing "Compacting..."), else the write fails with the
   * old copy already gone. Pages are not modelled: room is counted in bytes.
   */
  private store(name: string, bytes: Buffer): void {
    const old = this.files.get(name);
    if (old && old.equals(bytes)) return;
    if (old) this.discard(name);
    const need = SimStorage.footprint(bytes.length);
    if (this.capacity - this.usedBytes() - this.trash < need) {
      if (this.trash && need < this.capacity - this.usedBytes()) {
        this.trash = 0;
        this.trashCount = 0;
        this.compactions++;
        this.print('Compacting... ');
      } else {
        this.persist();
        throw new Error('Unable to find or create file');
      }
    }
    this.files.set(name, bytes);
    this.writes.set(name, (this.writes.get(name) ?? 0) + 1);
    this.persist();
  }

  private discard(name: string): void {
    const old = this.files.get(name);
    if (!old) return;
    this.files.delete(name);
    this.trash += SimStorage.footprint(old.length);
    this.trashCount++;
  }

  /** Host-side access: the raw bytes of a file, or undefined. */
  bytes(name: string): Buffer | undefined {
    return this.files.get(name);
  }

  /** Host-side access: writes a file as the flasher would (checked against capacity). */
  put(name: string, data: string | Uint8Array): void {
    this.store(name.slice(0, MAX_NAME_LENGTH), toBytes(data));
  }

  names(): string[] {
    return [...this.files.keys()];
  }

  /**
   * The module object `require("Storage")` returns inside the simulator.
   * `ctx` builds results from the simulator context's own constructors, so
   * the firmware sees arrays and objects without the host's extra methods.
   */
  module(ctx: { JSON: JSON; ArrayBuffer: ArrayBufferConstructor; array: (items: unknown[]) => unknown[] }) {
    const name = (n: unknown) => String(n).slice(0, MAX_NAME_LENGTH);
    const read = (n: unknown, offset?: number, length?: number): string | undefined => {
      const b = this.files.get(name(n));
      if (!b) return undefined;
      const start = offset ?? 0;
      return b.subarray(start, length === undefined ? b.length : start + length).toString('latin1');
    };
    const write = (n: unknown, data: unknown, offset?: number, size?: number): boolean => {
      const key = name(n);
      const bytes = toBytes(data);
      // Offset 0 without a size replaces the file, as on the interpreter (measured on 2v29).
      if (offset === undefined || (offset === 0 && size === undefined)) {
        if (!bytes.length) throw new Error("Can't create zero length file");
        this.store(key, bytes);
        return true;
      }
      // The first part with the total size creates the file erased (0xff); the parts fill it in place.
      if (size !== undefined && (offset === 0 || !this.files.has(key))) this.store(key, Buffer.alloc(size, 0xff));
      const file = this.files.get(key);
      if (!file) throw new Error(`Storage.write: ${key} does not exist; give the total size on the first write`);
      if (offset + bytes.length > file.length) throw new Error('Too much data for file size');
      // Flash bits only clear: the interpreter refuses to overwrite written bytes with anything else.
      const region = file.subarray(offset, offset + bytes.length);
      if (!region.every((b) => b === 0xff) && !region.equals(bytes)) throw new Error('File already written with different data');
      const filled = Buffer.from(file);
      bytes.copy(filled, offset);
      this.files.set(key, filled);
      this.persist();
      return true;
    };
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
        const b = this.files.get(name(n));
        if (!b) return undefined;
        const ab = new ctx.ArrayBuffer(b.length);
        new Uint8Array(ab).set(b);
        return ab;
      },
      erase: (n: unknown) => {
        this.discard(name(n));
        this.persist();
      },
      eraseAll: () => {
        this.files.clear();
        this.trash = 0;
        this.trashCount = 0;
        this.persist();
      },
      list: (pattern?: RegExp | string) => {
        const all = [...this.files.keys()];
        const re = pattern === undefined ? null : pattern instanceof RegExp || Object.prototype.toString.call(pattern) === '[object RegExp]' ? (pattern as RegExp) : new RegExp(String(pattern));
        return ctx.array(re ? all.filter((f) => re.test(f)) : all);
      },
      getStats: () => {
        const fileBytes = this.usedBytes();
        return ctx.JSON.parse(
          JSON.stringify({ totalBytes: this.capacity, freeBytes: this.capacity - fileBytes - this.trash, fileBytes, fileCount: this.files.size, trashBytes: this.trash, trashCount: this.trashCount }),
        );
      },
      getFree: () => this.capacity - this.usedBytes() - this.trash,
      compact: () => {
        if (!this.trash) return;
        this.trash = 0;
        this.trashCount = 0;
        this.compactions++;
        this.print('Compacting... ');
      },
    };
  }
}
