// The built linux bundle, booted from Storage on the real interpreter (32-bit,
// 2950 variables) and in the simulator, shows the same screen and no uncaught
// error in either.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_DIR } from '../firmware/build.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { bootFromFlash, consoleLines } from './helpers/flash-runner.ts';
import { ESPRUINO_2950 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

requires('espruino-2950');
const BUNDLE = join(DIST_DIR, 'linux.js');

const REPORT = 'print("SCREEN " + JSON.stringify(DP.screen()))';

describe('linux bundle: interpreter and simulator agree', () => {
  it('boots without errors to the same screen', async () => {
    const out = await bootFromFlash({ interpreter: ESPRUINO_2950!, bundle: readFileSync(BUNDLE), after: [{ atMs: 1000, code: REPORT }], timeoutMs: 30_000 });
    expect(out).not.toContain('Uncaught');
    const real = consoleLines(out).find((l) => l.startsWith('SCREEN '));
    expect(real).toBeDefined();

    const sim = new Simulator({ board: 'linux', bundle: BUNDLE }).boot();
    try {
      expect(sim.errors).toEqual([]);
      expect('SCREEN ' + JSON.stringify(sim.screen())).toBe(real!.trim());
    } finally {
      sim.close();
    }
  });
});
