// The manual clock: time moves only when the test advances it, timers fire in
// due order at their own due time (Date.now and getTime agree with them), and
// Espruino's timer rules hold (clearTimeout() clears all, undefined throws).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

const START = Date.UTC(2026, 2, 2, 7, 59, 58);
let tmp: string;
let bundle: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sim-clock-'));
  bundle = (await buildBoard(loadBoard('linux'), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp })).file;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('manual clock', () => {
  it('runs timers in due order at their due time, and only when advanced', async () => {
    const sim = new Simulator({ board: 'linux', bundle, startTime: START }).boot();
    try {
      sim.eval(`var log = [];
        setTimeout(function () { log.push('t250@' + (Date.now() - ${START})); }, 250);
        var iv = setInterval(function () { log.push('i100@' + Math.round(getTime() * 1000 - ${START})); }, 100);
        setTimeout(function (a, b) { log.push('args ' + a + b); clearInterval(iv); }, 320, 'x', 'y');`);
      expect(sim.timers()).toBe(4); // the fixture's own 1 s tick is the fourth
      expect(sim.eval('log.length')).toBe(0);
      await sim.advance(99);
      expect(sim.eval('log.join()')).toBe('');
      await sim.advance(1000);
      expect(sim.eval('log.join()')).toBe('i100@100,i100@200,t250@250,i100@300,args xy');
      expect(sim.timers()).toBe(1);
      expect(sim.eval('Date.now()')).toBe(START + 1099);
    } finally {
      sim.close();
    }
  });

  it('ticks a five-minute countdown exactly 300 times, with local time from E.setTimeZone', async () => {
    const sim = new Simulator({ board: 'linux', bundle, startTime: START }).boot();
    try {
      const ticksBefore = (sim.state() as { ticks: number }).ticks;
      await sim.advance(5 * 60 * 1000);
      expect((sim.state() as { ticks: number }).ticks - ticksBefore).toBe(300);
      expect(sim.eval('new Date().getHours() + ":" + new Date().getMinutes()')).toBe('8:4');
      sim.eval('E.setTimeZone(1)');
      expect(sim.eval('new Date().getHours()')).toBe(9);
      expect(sim.eval('new Date(0).toISOString()')).toBe('1970-01-01T00:00:00.000Z');
    } finally {
      sim.close();
    }
  });

  it('follows the interpreter on clearing timers', async () => {
    const sim = new Simulator({ board: 'linux', bundle, startTime: START }).boot();
    try {
      expect(() => sim.eval('clearTimeout(undefined)')).toThrow('clearTimeout(undefined) not allowed');
      sim.eval('clearTimeout(12345)');
      sim.eval('setTimeout(function(){}, 10); setInterval(function(){}, 10);');
      expect(sim.timers()).toBe(3);
      sim.eval('clearTimeout()');
      expect(sim.timers()).toBe(0);
    } finally {
      sim.close();
    }
  });

  it('reports a throwing timer callback and keeps the others running', async () => {
    const sim = new Simulator({ board: 'linux', bundle, startTime: START }).boot();
    try {
      sim.eval('var ran = 0; setTimeout(function () { null.x; }, 5); setTimeout(function () { ran++; }, 6);');
      await sim.advance(10);
      expect(sim.eval('ran')).toBe(1);
      expect(sim.errors.map((e) => e.message)).toEqual([expect.stringContaining('TypeError')]);
    } finally {
      sim.close();
    }
  });
});
