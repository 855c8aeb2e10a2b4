// The built linux bundle, booted from Storage on the real interpreter (32-bit,
// 2950 variables) and in the simulator, shows the same screen and no uncaught
// error in either. Runs when /opt/espruino is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_DIR } from '../firmware/build.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

const INTERPRETER = '/opt/espruino/espruino-2950';
const FLASH_RUNNER = '/opt/espruino/run-from-flash.sh';
const BUNDLE = join(DIST_DIR, 'linux.js');

const REPORT = 'print("SCREEN " + JSON.stringify(DP.screen()))';

describe.skipIf(!existsSync(INTERPRETER) || !existsSync(FLASH_RUNNER) || !existsSync(BUNDLE))('linux bundle: interpreter and simulator agree', () => {
  it('boots without errors to the same screen', () => {
    const out = execFileSync(FLASH_RUNNER, [INTERPRETER, BUNDLE, '1', REPORT], { encoding: 'latin1', timeout: 30_000 });
    // The runner leaves its scratch folder behind and names it.
    const scratch = /flash image left in (\S+)\/espruino\.flash/.exec(out)?.[1];
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    expect(out).not.toContain('Uncaught');
    const real = out.split('\n').find((l) => l.startsWith('SCREEN '));
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
