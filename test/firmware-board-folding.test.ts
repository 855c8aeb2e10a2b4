// Each board's bundle keeps only its own hardware code: the build bakes the
// profile in as constants the minifier folds (boardDefines in firmware/build.ts),
// so the other boards' network bring-up, input and buzzer code is left out, and
// so are the parts of the profile no code reads. What is left still drives the
// board: the real ESP32 bundle scans its keypad and beeps in the simulator.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard } from '../firmware/build.ts';
import { loadBoards } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { call, snap } from './helpers/firmware-fixtures.ts';

let tmp: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'board-folding-'));
  for (const board of loadBoards()) files[board.name] = (await buildBoard(board, { outDir: tmp })).file;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Which of the boards' hardware calls and modules a bundle mentions. */
function hardwareIn(board: string): string[] {
  const code = readFileSync(files[board], 'latin1');
  return ['"Wifi"', '"WIZnet"', 'I2C1', 'SPI1', 'setWatch', 'pinMode', 'analogWrite'].filter((s) => code.includes(s));
}

describe('one board per bundle', () => {
  it('keeps each board its own network, display, input and buzzer code', () => {
    expect(hardwareIn('linux')).toEqual([]);
    // SPI1 drives the W5100 here, the display is the built-in LCD.
    expect(hardwareIn('pixljs-w5100')).toEqual(['"WIZnet"', 'SPI1', 'setWatch', 'analogWrite']);
    expect(hardwareIn('esp32-ssd1306')).toEqual(['"Wifi"', 'I2C1', 'setWatch', 'pinMode', 'analogWrite']);
    expect(hardwareIn('esp32-st7789')).toEqual(['"Wifi"', 'SPI1', 'setWatch', 'pinMode', 'analogWrite']);
  });

  it('holds no part of the profile that no code reads', () => {
    for (const board of loadBoards()) {
      const code = readFileSync(files[board.name], 'latin1');
      expect(code, board.name).not.toContain(JSON.stringify(board.title));
      expect(code, board.name).not.toContain('storageBytes');
    }
  });

  it('the ESP32 bundle still reads its keypad and beeps for IDENTIFY', async () => {
    const config = { v: 1, id: 'desk-07', board: 'esp32-st7789', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12 };
    const sim = new Simulator({ board: 'esp32-st7789', bundle: files['esp32-st7789'], config, clock: 'manual' }).boot();
    const post = (ev: object) => sim.eval(`DP.post(${JSON.stringify(ev)})`);
    try {
      post({ t: 'link', n: 0, k: 'online', d: '10.0.0.7' });
      post({ t: 'snap', n: 0, v: snap({ phase: 4, seq: 1, call: call({ answeredMs: 1 }) }) });
      for (const key of ['1', '2', '9']) await sim.press(key);
      expect(sim.eval('DP.state().acc')).toBe('129');
      expect(sim.pins.buzzer.beeps).toBe(0);
      post({ t: 'cmd', n: 0, v: { id: 'i', kind: 3, config: null } });
      await sim.advance(2000);
      expect(sim.pins.buzzer.beeps).toBeGreaterThan(0);
      expect(sim.errors).toEqual([]);
    } finally {
      sim.close();
    }
  });
});
