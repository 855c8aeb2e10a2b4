// The simulator's context lacks what the interpreter lacks, so firmware that
// reaches for Map or Array.from fails in tests as it would on the desk. On
// the interpreter's Linux build, the list itself is re-measured.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { MISSING_GLOBALS, MISSING_METHODS, MISSING_STATICS } from '../hardware/espruino-lacks.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { ESPRUINO_2950 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

let tmp: string;
let bundle: string;
let sim: Simulator;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sim-lacks-'));
  bundle = (await buildBoard(loadBoard('linux'), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp })).file;
  sim = new Simulator({ board: 'linux', bundle }).boot();
});
afterAll(() => {
  sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Every listed item as an expression that throws where it is missing. */
function probes(): [string, string][] {
  const out: [string, string][] = MISSING_GLOBALS.map((n) => [n, `typeof ${n} === 'undefined' ? undefined.x : 0`]);
  for (const [owner, names] of Object.entries(MISSING_STATICS)) for (const n of names) out.push([`${owner}.${n}`, `${owner}.${n}.call ? 0 : ${owner}.${n}.toFixed(0)`]);
  const sample: Record<string, string> = { Array: '[1]', String: "'a'", Number: '(1)', Date: 'new Date(0)', Promise: 'Promise.resolve()', Uint8Array: 'new Uint8Array(1)', Object: '({})' };
  for (const [owner, names] of Object.entries(MISSING_METHODS)) for (const n of names) out.push([`${owner}.prototype.${n}`, `${sample[owner]}.${n}.call ? 0 : 0`]);
  return out;
}

describe('the simulator lacks what Espruino lacks', () => {
  it('throws on every listed global, static and method', () => {
    const present = probes().filter(([, expr]) => {
      try {
        sim.eval(expr);
        return true;
      } catch {
        return false;
      }
    });
    expect(present.map(([name]) => name)).toEqual([]);
  });

  it('keeps what the interpreter has', () => {
    expect(sim.eval("[3,1,2].map(function(x){return x*2}).filter(function(x){return x>2}).indexOf(4)")).toBe(1);
    expect(sim.eval("Object.assign({a:1},{b:2}).b + 'x'.padStart(3,'-') + [1,2].includes(2) + 'ab'.repeat(2)")).toBe('2--xtrueabab');
    expect(sim.eval('typeof Promise.all + typeof Object.entries + typeof JSON.parse + typeof new DataView(new ArrayBuffer(2)).getUint16')).toBe('functionfunctionfunctionfunction');
    expect(sim.eval('var o = {}; var got; o.on("x", function (v) { got = v; }); o.emit("x", 5); got')).toBe(5);
  });

  it('refuses regex patterns built at run time that the interpreter cannot match', () => {
    expect(sim.eval('new RegExp("^\\\\d+$", "g").test("12") && /a/ instanceof RegExp')).toBe(true);
    expect(() => sim.eval('new RegExp("^\\\\d{12}$")')).toThrow('Espruino cannot run this: regex /^\\d{12}$/ uses a {n,m} quantifier');
    expect(() => sim.eval('RegExp("colou?r")')).toThrow('uses "?"');
  });

  it('fails boot code that uses a missing global, as the device would', () => {
    const file = join(tmp, 'uses-map.js');
    writeFileSync(file, 'var seen = new Map(); seen.set(1, 2); global.DP = { screen: function () { return ["ok"]; } };\n');
    const bad = new Simulator({ board: 'linux', bundle: file }).boot();
    try {
      expect(bad.errors.map((e) => e.message)).toEqual(['ReferenceError: Map is not defined']);
      expect(bad.console).toContain('Uncaught ReferenceError: Map is not defined');
      expect(() => bad.screen()).toThrow(/does not expose DP.screen/);
    } finally {
      bad.close();
    }
  });
});

describe('the list matches the interpreter', () => {
  requires('espruino-2950');
  it('every listed item is missing there, and the kept ones are present', () => {
    const checks = probes().map(([name, expr]) => `try { ${expr}; present.push(${JSON.stringify(name)}); } catch (e) {}`);
    const script = `var present = [];\n${checks.join('\n')}\nprint("PRESENT " + JSON.stringify(present));\nprint("KEPT " + [typeof Object.assign, typeof 'a'.padStart, typeof Promise.all, typeof [].map].join());\n`;
    const file = join(tmp, 'probe.js');
    writeFileSync(file, script);
    const out = execFileSync(ESPRUINO_2950!, [file], { cwd: tmp, encoding: 'latin1', timeout: 10_000 });
    expect(out).toContain('PRESENT []');
    expect(out).toContain('KEPT function,function,function,function');
  });
});
