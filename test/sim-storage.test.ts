// Storage in the simulator: binary safe both ways, limited to the board's
// capacity with the interpreter's accounting (32-byte header, 4-byte
// rounding), persistent in a file across restarts, and the bundle itself must
// fit, as on the device.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { BOOT_FILE, Simulator } from '../hardware/sim/simulator.ts';
import { ESPRUINO_2950 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

let tmp: string;
let bundle: string;
const sims: Simulator[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sim-storage-'));
  bundle = (await buildBoard(loadBoard('pixljs-w5100'), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp })).file;
});
afterEach(() => sims.splice(0).forEach((s) => s.close()));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function boot(options: Partial<ConstructorParameters<typeof Simulator>[0]> = {}): Simulator {
  const sim = new Simulator({ board: 'pixljs-w5100', bundle, ...options }).boot();
  sims.push(sim);
  return sim;
}

describe('simulated Storage', () => {
  it('round-trips all 256 byte values written as a string and as a Uint8Array', () => {
    const sim = boot();
    sim.eval('var S = require("Storage"), all = ""; for (var i = 0; i < 256; i++) all += String.fromCharCode(i);');
    sim.eval('S.write("bytes.str", all); var u = new Uint8Array(256); for (var i = 0; i < 256; i++) u[i] = 255 - i; S.write("bytes.u8", u);');
    expect(sim.eval('S.read("bytes.str") === all')).toBe(true);
    expect([...sim.storage.bytes('bytes.str')!]).toEqual([...Array(256).keys()]);
    expect([...sim.storage.bytes('bytes.u8')!]).toEqual([...Array(256).keys()].map((i) => 255 - i));
    expect(sim.eval('var ab = S.readArrayBuffer("bytes.u8"); ab.byteLength + ":" + new Uint8Array(ab)[0] + ":" + new Uint8Array(ab)[255]')).toBe('256:255:0');
    expect(sim.eval('S.read("bytes.str", 65, 3)')).toBe('ABC');
  });

  it('writes a file in parts: total size first, the rest at offsets, unwritten bytes 0xFF', () => {
    const sim = boot();
    sim.eval('var S = require("Storage"); S.write("p", "hello", 0, 10); S.write("p", "XY", 5);');
    expect(sim.eval('S.read("p")')).toBe('helloXY\xff\xff\xff');
  });

  it('refuses writes beyond the board capacity, counting headers and rounding like the interpreter', () => {
    const sim = boot();
    const stats = sim.eval('JSON.stringify(require("Storage").getStats())') as string;
    const { totalBytes, freeBytes, fileCount } = JSON.parse(stats);
    expect(totalBytes).toBe(36864);
    expect(fileCount).toBe(1);
    const bundleBytes = sim.storage.bytes(BOOT_FILE)!.length;
    expect(freeBytes).toBe(36864 - 32 - Math.ceil(bundleBytes / 4) * 4);
    const fits = freeBytes - 32;
    sim.eval(`var S = require("Storage"); S.write("big", new Uint8Array(${fits}));`);
    expect(sim.eval('S.getFree()')).toBe(0);
    expect(() => sim.eval('S.write("one", "x")')).toThrow('Unable to find or create file');
    expect(() => sim.eval('S.write("empty", "")')).toThrow("Can't create zero length file");
  });

  it('rejects a bundle larger than the board Storage, as flashing would', () => {
    const huge = join(tmp, 'huge.js');
    writeFileSync(huge, '// ' + 'x'.repeat(40_000) + '\n');
    expect(() => new Simulator({ board: 'pixljs-w5100', bundle: huge })).toThrow('Unable to find or create file');
  });

  it('keeps files in its backing file across restarts and reads JSON config', () => {
    const file = join(tmp, 'flash.json');
    const first = boot({ storage: file, config: { v: 1, id: 'desk-9' } });
    expect(first.screen()).toContain('cfg desk-9');
    first.eval('require("Storage").write("note", "\\u00e4\\u0000\\u00ff")');
    first.close();
    const second = boot({ storage: file, bundle: undefined });
    expect(second.screen()).toContain('cfg desk-9');
    expect(second.eval('require("Storage").read("note")')).toBe('\xe4\x00\xff');
    expect(second.eval('require("Storage").list().sort().join()')).toBe('.bootcde,deskphone.json,note');
    expect(second.eval('require("Storage").readJSON("missing")')).toBeUndefined();
    second.eval('require("Storage").write("bad.json", "{bad")');
    expect(second.eval('require("Storage").readJSON("bad.json", true)')).toBeUndefined();
    expect(() => second.eval('require("Storage").readJSON("bad.json")')).toThrow();
  });
});

// The same writes on the interpreter's Linux build (256 KiB emulated flash) and in a
// simulator with the linux profile: Storage statistics must move by the same amounts.
const SCRIPT = `var S = require("Storage"), a = S.getStats();
S.write("one", "ab"); S.write("two", new Uint8Array(1000)); S.write("part", "xy", 0, 77); S.writeJSON("j", [1, 2]);
S.write("two", "shorter"); S.erase("one");
var b = S.getStats();
print("DELTA " + JSON.stringify([b.fileBytes - a.fileBytes, b.fileCount - a.fileCount, S.read("part").length, S.list().filter(function (n) { return n[0] != "."; }).sort().join()]));`;

describe('Storage accounting against the interpreter', () => {
  requires('espruino-2950');
  it('moves the statistics by the same amounts', () => {
    const dir = mkdtempSync(join(tmp, 'real-'));
    writeFileSync(join(dir, 'storage.js'), SCRIPT);
    const real = execFileSync(ESPRUINO_2950!, [join(dir, 'storage.js')], { cwd: dir, encoding: 'latin1', timeout: 10_000 });
    const line = real.split('\n').find((l) => l.startsWith('DELTA '));
    const sim = new Simulator({ board: 'linux', bundle: join(tmp, 'pixljs-w5100.js') }).boot();
    sims.push(sim);
    sim.eval(SCRIPT);
    expect(sim.console.find((l) => l.startsWith('DELTA '))).toBe(line?.trim());
  });
});
