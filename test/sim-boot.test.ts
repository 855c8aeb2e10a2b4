// The simulator boots the bundle from Storage (.bootcde) as the device does,
// load() restarts it from there (timers dropped, E 'kill' emitted first), and
// the frame comes out as bits, ASCII art and a PNG of the display's size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { BOOT_FILE, Simulator } from '../hardware/sim/simulator.ts';

let tmp: string;
const bundles: Record<string, string> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sim-boot-'));
  for (const name of ['esp32-st7789', 'pixljs-w5100']) {
    bundles[name] = (await buildBoard(loadBoard(name), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp })).file;
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('simulator boot', () => {
  it('runs the boot code from Storage and restarts it on load()', async () => {
    const sim = new Simulator({ board: 'pixljs-w5100', bundle: bundles['pixljs-w5100'] }).boot();
    try {
      expect(sim.storage.names()).toContain(BOOT_FILE);
      expect(sim.console).toEqual(['booted at 1767600000']);
      await sim.advance(3000);
      expect(sim.screen()).toContain('ticks 3');
      sim.eval('E.on("kill", function () { print("killed"); }); setTimeout(function () {}, 99999);');
      expect(sim.timers()).toBe(2);
      sim.eval('load()');
      await sim.advance(0);
      expect(sim.console.slice(1)).toEqual(['killed', 'booted at 1767600003']);
      expect(sim.screen()).toContain('ticks 0');
      expect(sim.timers()).toBe(1);
      expect(sim.eval('process.env.BOARD + " " + process.env.VERSION')).toBe('PIXLJS 2v29');
      sim.eval('require("Storage").write("app.js", "print(\'app ran\')"); load("app.js");');
      await sim.advance(0);
      expect(sim.console.at(-1)).toBe('app ran');
      expect(sim.timers()).toBe(0);
    } finally {
      sim.close();
    }
  });

  it('reports a run-time error with its firmware source line', async () => {
    const sim = new Simulator({ board: 'pixljs-w5100', bundle: bundles['pixljs-w5100'] }).boot();
    try {
      sim.eval('g = null');
      await sim.advance(1000);
      expect(sim.errors[0].message).toMatch(/^TypeError: Cannot read properties of null/);
      expect(sim.errors[0].stack).toMatch(/pixljs-w5100\.js:\d+:\d+\) \[test\/fixtures\/gate\/entry\/main\.ts:\d+\]/);
    } finally {
      sim.close();
    }
  });

  it('renders the display as bits, ASCII art and a PNG of the right size', async () => {
    const sim = new Simulator({ board: 'esp32-st7789', bundle: bundles['esp32-st7789'] }).boot();
    try {
      const fb = sim.framebuffer();
      expect([fb.width, fb.height, fb.bits.length]).toEqual([240, 135, 240 * 135]);
      const lit = fb.bits.reduce((n, b) => n + b, 0);
      expect(lit).toBeGreaterThan(100);
      const art = sim.ascii().split('\n');
      expect(art).toHaveLength(135);
      expect(art.join('').split('#').length - 1).toBe(lit);
      const png = PNG.sync.read(sim.png(2));
      expect([png.width, png.height]).toEqual([480, 270]);
    } finally {
      sim.close();
    }
  });

  it('estimates memory within the board budget and counts timers and watches', () => {
    const sim = new Simulator({ board: 'pixljs-w5100', bundle: bundles['pixljs-w5100'] }).boot();
    try {
      const m = sim.memory();
      expect(m.total).toBe(2950);
      expect(m.usage).toBeGreaterThan(52);
      expect(m.usage + m.free).toBe(2950);
      expect(m.estimate).toBe(true);
      sim.eval('for (var i = 0; i < 10; i++) setInterval(function () {}, 1000);');
      expect(sim.memory().usage).toBe(m.usage + 30);
    } finally {
      sim.close();
    }
  });
});
