// The simulator's Storage (hardware/sim/jsflash.ts) against the interpreter's:
// the same Storage and Flash calls on the Linux build leave espruino.flash
// byte for byte as the model leaves its image (files, trash, in-place writes
// into erased pages, compaction), and images the model calls corrupt are the
// ones the interpreter erases at power-on ("Storage is corrupt.").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlashMemory, JsfStorage } from '../hardware/sim/jsflash.ts';
import { ESPRUINO_64 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

/** The Linux build's Storage (measured: Flash.getFree() and Flash.getPage()). */
const LINUX = { base: 0x10000000, bytes: 262144, page: 1024 };

type Op =
  | { write: string; text: string; offset?: number; size?: number; fails?: boolean }
  | { erase: string }
  | { erasePage: number }
  | { compact: true };

const text = (c: string, n: number) => c.repeat(n);

/** Files of odd sizes, rewrites and erases (trash), a slot refilled in place after its pages were erased, and a compaction. */
const OPS: Op[] = [
  { write: 'a', text: text('a', 1000) },
  { write: 'b.json', text: '{"x":1}' },
  // a (32 + 1000) and b.json (32 + 8) end at 1072: the pad's data ends where the slot's header must start, 32 bytes before page 2.
  { write: 'pad', text: text('p', 2048 - 32 - 1072 - 32) },
  { write: 'slot', text: 'HEAD', size: 4096 },
  { write: 'slot', text: 'TAIL', offset: 4092 },
  { write: 'b.json', text: '{"x":22}' },
  { erase: 'a' },
  { write: 'c', text: text('c', 3001) },
  ...[0, 1, 2, 3].map((i) => ({ erasePage: 2 * 1024 + i * 1024 })),
  { write: 'slot', text: 'NEW!', size: 4096 },
  { write: 'slot', text: 'word', offset: 10 },
  { write: 'b.json', text: '{"x":333}' },
  { compact: true },
  { write: 'd', text: text('d', 5000) },
];

/** Trash behind a file that spans pages: compaction starts at the last page that begins with a header (page 0), not at the trash's page. */
const SPAN: Op[] = [
  { write: 'x', text: text('x', 2900) },
  { write: 't', text: text('t', 10) },
  { write: 'u', text: text('u', 10) },
  { erase: 't' },
  { compact: true },
];

/**
 * Storage filled to the last byte, then a rewrite that trash cannot make room
 * for (the interpreter counts trash without its headers, _jsfCreateFile) and
 * one that it can: the exact point where a write compacts.
 */
const FILL: Op[] = [
  ...Array.from({ length: 21 }, (_, i) => ({ write: 'big' + i, text: text(String.fromCharCode(65 + i), 12000) })),
  { write: 'e', text: text('e', 262144 - 21 * 12032 - 32) },
  { write: 'big0', text: text('z', 12000), fails: true },
  { write: 'big1', text: text('y', 11900) },
  { write: 'f', text: text('f', 100) },
];

function script(ops: Op[]): string {
  const lines = ops.map((op) => {
    if ('write' in op) {
      const args = [JSON.stringify(op.write), JSON.stringify(op.text)];
      if (op.offset !== undefined || op.size !== undefined) args.push(String(op.offset ?? 0));
      if (op.size !== undefined) args.push(String(op.size));
      const call = `S.write(${args.join(',')});`;
      return op.fails ? `try{${call}}catch(e){print("FAILED "+e.message);}` : call;
    }
    if ('erase' in op) return `S.erase(${JSON.stringify(op.erase)});`;
    if ('erasePage' in op) return `require("Flash").erasePage(${LINUX.base + op.erasePage});`;
    return 'S.compact();';
  });
  return `var S=require("Storage");\n${lines.join('\n')}\nprint("FILES "+JSON.stringify(S.list()));\n`;
}

/** Messages of the writes marked `fails`, in order. */
const failures: string[] = [];

function model(ops: Op[], image?: Uint8Array): JsfStorage {
  const storage = new JsfStorage(new FlashMemory(LINUX, image));
  for (const op of ops) {
    if ('write' in op) {
      try {
        storage.write(op.write, Buffer.from(op.text, 'latin1'), op.offset ?? 0, op.size ?? 0);
      } catch (err) {
        if (!op.fails) throw err;
        failures.push((err as Error).message);
      }
    }
    else if ('erase' in op) storage.erase(op.erase);
    else if ('erasePage' in op) storage.flash.erasePage(LINUX.base + op.erasePage);
    else storage.compact();
  }
  return storage;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs `code` on the interpreter in a folder whose espruino.flash starts as `image` (empty: erased); returns the console and the image after. */
function onInterpreter(code: string, image?: Uint8Array, boot = false): { out: string; image: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'sim-flash-'));
  dirs.push(dir);
  if (image) writeFileSync(join(dir, 'espruino.flash'), image);
  writeFileSync(join(dir, 'ops.js'), code);
  // File mode runs the file without booting Storage; -e boots it as power-on does (and checks it first).
  const args = boot ? ['-e', code + 'quit();'] : ['ops.js'];
  const out = execFileSync(ESPRUINO_64!, args, { cwd: dir, input: '', timeout: 30_000 }).toString('latin1');
  return { out, image: new Uint8Array(readFileSync(join(dir, 'espruino.flash'))) };
}

/** The list the interpreter printed (its JSON escapes bytes above 0x7F as \u00XX). */
function listed(out: string): string[] {
  const line = out.split('\n').find((l) => l.startsWith('FILES '));
  return line ? (JSON.parse(line.slice(6)) as string[]) : [];
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `byte 0x${i.toString(16)}: interpreter ${a[i]}, model ${b[i]}`;
  }
  return 'none';
}

describe('Storage in flash, byte for byte', () => {
  requires('espruino-64');

  it('writes, rewrites, erases, refills an erased slot in place and compacts as the interpreter does', () => {
    const real = onInterpreter(script(OPS));
    const sim = model(OPS);
    expect(firstDifference(real.image, sim.flash.image)).toBe('none');
    expect(listed(real.out)).toEqual(sim.list());
    // The slot stayed where it was: no trash from refilling it.
    expect(sim.read('slot', 0, 4)).toEqual(new Uint8Array(Buffer.from('NEW!')));
    expect(firstDifference(onInterpreter(script(SPAN)).image, model(SPAN).flash.image)).toBe('none');
  });

  it('compacts on its own exactly when a write finds no room and trash would make it, as the interpreter does', () => {
    const real = onInterpreter(script(FILL));
    failures.length = 0;
    const sim = model(FILL);
    expect(failures).toEqual(['Unable to find or create file']);
    expect(real.out).toContain('FAILED Unable to find or create file');
    expect(sim.compactions).toBe(1);
    expect(firstDifference(real.image, sim.flash.image)).toBe('none');
  });

  it('calls corrupt exactly the images the interpreter erases at power-on', () => {
    const files = model([
      { write: 'a', text: text('a', 1500) },
      { write: 'b', text: text('b', 1500) },
      { write: 'c', text: text('c', 1500) },
      { write: 'd', text: text('d', 200) },
    ]).flash.image;
    const page = (image: Uint8Array, n: number) => {
      const out = image.slice();
      out.fill(0xff, n * LINUX.page, (n + 1) * LINUX.page);
      return out;
    };
    const cases = {
      // c's header lies in page 2; page 3 then starts inside c's data: what a compaction cut between erase and write leaves.
      'a page erased inside the chain': page(files, 2),
      // d's header and data lie in page 4, the last in use: the chain just ends early.
      'the last page of the chain erased': page(files, 4),
      untouched: files,
    };
    for (const [what, image] of Object.entries(cases)) {
      const sim = new JsfStorage(new FlashMemory(LINUX, image));
      const real = onInterpreter('print("FILES "+JSON.stringify(require("Storage").list()));', image, true);
      const wiped = real.out.includes('Storage is corrupt.');
      expect({ what, corrupt: !sim.isValid() }).toEqual({ what, corrupt: wiped });
      if (!wiped) expect(listed(real.out)).toEqual(sim.list());
    }
  });
});
