// Key presses reach the firmware the way the board's hardware delivers them:
// Pixl.js buttons through setWatch edges, the ESP32 keypad through a row/column
// scan, the Linux board through DP.press; long-press keys hold the switch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { LONG_PRESS_MS, Simulator } from '../hardware/sim/simulator.ts';

let tmp: string;
const bundles: Record<string, string> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sim-input-'));
  for (const name of ['linux', 'esp32-st7789', 'pixljs-w5100']) {
    bundles[name] = (await buildBoard(loadBoard(name), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp })).file;
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function keysSeen(board: string, keys: string[]): Promise<string[]> {
  const sim = new Simulator({ board, bundle: bundles[board] }).boot();
  try {
    const seen: string[] = [];
    for (const key of keys) {
      await sim.press(key);
      seen.push(sim.screen()[3].replace('key ', ''));
    }
    expect(sim.errors).toEqual([]);
    return seen;
  } finally {
    sim.close();
  }
}

describe('simulated input', () => {
  it('Pixl.js: buttons fire the firmware watches; keys without a button go through DP.press', async () => {
    expect(await keysSeen('pixljs-w5100', ['ok', 'up', 'down', 'next', '7'])).toEqual(['ok', 'up', 'down', 'next', '7']);
  });

  it('ESP32 keypad: the firmware scan finds each key at its row and column', async () => {
    expect(await keysSeen('esp32-st7789', ['1', '5', '9', '0', 'ok', 'back'])).toEqual(['1', '5', '9', '0', 'ok', 'back']);
  });

  it('Linux: every key goes through DP.press', async () => {
    expect(await keysSeen('linux', ['ready', '3'])).toEqual(['ready', '3']);
  });

  it('holds the switch for a long-press key (Pixl.js "ready" is a long BTN3)', async () => {
    const sim = new Simulator({ board: 'pixljs-w5100', bundle: bundles['pixljs-w5100'] }).boot();
    try {
      sim.eval('var edges = []; setWatch(function (e) { edges.push(e.state ? 1 : 0, Math.round((e.time - e.lastTime) * 1000)); }, BTN3, { repeat: true, edge: "both" });');
      await sim.press('ready');
      const edges = sim.eval('edges.join()') as string;
      const [down, , up, held] = edges.split(',').map(Number);
      expect([down, up]).toEqual([1, 0]);
      expect(held).toBe(LONG_PRESS_MS);
    } finally {
      sim.close();
    }
  });

  it('records the buzzer the firmware drives', async () => {
    const sim = new Simulator({ board: 'esp32-st7789', bundle: bundles['esp32-st7789'] }).boot();
    try {
      sim.eval('analogWrite(D17, 0.5, { freq: 2000 }); setTimeout(function () { digitalWrite(D17, 0); analogWrite(D17, 0); }, 100);');
      await sim.advance(200);
      expect(sim.pins.buzzer).toEqual({ level: 0, freq: 2000, beeps: 1 });
    } finally {
      sim.close();
    }
  });
});
