// The simulator's Graphics draws what the 2v29 interpreter draws. The golden
// frames below were captured from the interpreter's Linux build; a longer
// drawing script runs through both and the
// frames must match pixel for pixel.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { Graphics } from '../hardware/sim/graphics.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { ESPRUINO_64 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

// Font "ABC" from 65: A is 2 columns (111, 010), B 3 columns (101, 111, 000), C 1 column (111); height 3.
function tinyFont(g: Graphics, heightBits = 3): void {
  const bits = '111010' + '101111000' + '111';
  const bytes: number[] = [];
  for (let i = 0; i < bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8).padEnd(8, '0'), 2));
  g.setFontCustom(String.fromCharCode(...bytes), 65, String.fromCharCode(2, 3, 1), heightBits);
}

const frame = (g: Graphics) => g.ascii().join('\n');
const rows = (...r: string[]) => r.join('\n');

describe('Graphics, pixel-exact against the interpreter', () => {
  it('packs 1-bit buffers MSB first by default, LSB first with msb:false, and vertical bytes', () => {
    const a = Graphics.createArrayBuffer(12, 8, 1);
    a.setPixel(0, 0).setPixel(9, 1);
    expect([...new Uint8Array(a.buffer)].slice(0, 3)).toEqual([128, 0, 4]);
    const b = Graphics.createArrayBuffer(12, 8, 1, { msb: false });
    b.setPixel(0, 0).setPixel(9, 1);
    expect([...new Uint8Array(b.buffer)].slice(0, 3)).toEqual([1, 0, 32]);
    const v = Graphics.createArrayBuffer(12, 16, 1, { vertical_byte: true });
    v.setPixel(0, 0).setPixel(1, 9);
    const vb = new Uint8Array(v.buffer);
    expect([vb[0], vb[13]]).toEqual([128, 64]);
  });

  it('draws lines with the interpreter stepping, and inclusive rectangles in any corner order', () => {
    const g = Graphics.createArrayBuffer(12, 8, 1);
    g.drawLine(0, 0, 11, 3).drawLine(0, 7, 3, 0);
    expect(frame(g)).toBe(rows('##.#........', '..####......', '..#...####..', '..#.......##', '.#..........', '.#..........', '#...........', '#...........'));
    g.clear().drawRect(1, 1, 4, 3).fillRect(10, 6, 7, 4);
    expect(frame(g)).toBe(rows('............', '.####.......', '.#..#.......', '.####.......', '.......####.', '.......####.', '.......####.', '............'));
    g.clear().fillRect(0, 0, 11, 7).clearRect(2, 2, 5, 5);
    expect(frame(g)).toBe(rows('############', '############', '##....######', '##....######', '##....######', '##....######', '############', '############'));
  });

  it('clears to the background colour and masks colours to the depth', () => {
    const g = Graphics.createArrayBuffer(4, 2, 1);
    g.setBgColor(1).clear();
    expect(g.getPixel(3, 1)).toBe(1);
    expect(g.setColor(3).getColor()).toBe(1);
    expect(g.setColor(0.6).getColor()).toBe(0);
    expect(g.getPixel(10, 10)).toBe(0);
  });

  it('draws a custom font column by column, with lines and per-char widths', () => {
    const g = Graphics.createArrayBuffer(12, 8, 1);
    tinyFont(g);
    expect([g.stringWidth('ABC'), g.stringWidth('AB\nC'), g.stringWidth(' '), g.stringWidth('AZ'), g.getFontHeight()]).toEqual([6, 5, 0, 257, 3]);
    g.drawString('ABC', 0, 0).drawString('AB\nC', 7, 0);
    expect(frame(g)).toBe(rows('#.##.#.#.##.', '##.#.#.##.#.', '#.##.#.#.##.', '.......#....', '.......#....', '.......#....', '............', '............'));
  });

  it('scales a custom font by the factor in bits 8-15 of its height', () => {
    const g = Graphics.createArrayBuffer(12, 8, 1);
    tinyFont(g, 3 + (2 << 8));
    expect(g.stringWidth('ABC')).toBe(12);
    g.drawString('AB', 0, 0);
    expect(frame(g)).toBe(rows('##..####....', '##..####....', '####..##....', '####..##....', '##..####....', '##..####....', '............', '............'));
  });

  it('centres and right-aligns each line on its own', () => {
    const g = Graphics.createArrayBuffer(12, 8, 1);
    tinyFont(g);
    g.setFontAlign(0, 0).drawString('AB', 6, 4);
    expect(frame(g)).toBe(rows('............', '............', '............', '....#.##....', '....##.#....', '....#.##....', '............', '............'));
    g.clear().setFontAlign(1, 1).drawString('AB\nC', 11, 7);
    expect(frame(g)).toBe(rows('............', '......#.##..', '......##.#..', '......#.##..', '..........#.', '..........#.', '..........#.', '............'));
  });

  it('fills the character cells with the background colour when drawing solid', () => {
    const g = Graphics.createArrayBuffer(12, 8, 1);
    tinyFont(g);
    g.fillRect(0, 0, 11, 7).setColor(0).setBgColor(1).drawString('A', 1, 1, true);
    expect(frame(g).split('\n').slice(0, 4)).toEqual(['############', '#.##########', '#..#########', '#.##########']);
  });

  it('finds fonts registered as Graphics.prototype.setFont<Name> and applies the scale given to setFont', () => {
    const g = Graphics.createArrayBuffer(12, 8, 1) as Graphics & { setFontTiny?: () => void };
    g.setFontTiny = function (this: Graphics) {
      tinyFont(this, 3 + (2 << 8));
    };
    g.setFont('Tiny');
    expect([g.stringWidth('A'), g.getFont()]).toEqual([2, 'Custom']);
    g.setFont('Tiny', 2);
    expect([g.stringWidth('A'), g.getFont()]).toEqual([4, 'Custom:2']);
    g.setFont('4x6:2');
    expect([g.stringWidth('ab'), g.getFontHeight()]).toEqual([16, 12]);
  });
});

// Runs in the interpreter and in the simulator; prints each frame as text.
const SCRIPT = `
var b = Graphics.createArrayBuffer(40, 24, 1);
function dump(t) { var s = [t]; for (var y = 0; y < 24; y++) { var l = ''; for (var x = 0; x < 40; x++) l += b.getPixel(x, y) ? '#' : '.'; s.push(l); } print(s.join('\\n')); b.clear(); }
for (var i = 0; i < 40; i += 3) b.drawLine(20, 12, i, i % 2 ? 0 : 23);
dump('fan');
b.drawLine(39, 0, 0, 23); b.drawLine(5, 20, 5, 2); b.drawLine(30, 7, 2, 7); b.drawRect(38, 22, 33, 15);
dump('lines');
var bits = '111010' + '101111000' + '111', bytes = [];
for (var i = 0; i < bits.length; i += 8) bytes.push(parseInt((bits.substr(i, 8) + '0000000').substr(0, 8), 2));
b.setFontCustom(E.toString(bytes), 65, E.toString([2, 3, 1]), 3 + (3 << 8));
b.setFontAlign(0, 0); b.drawString('ABC\\nCA', 20, 12);
dump('scale3 centred');
b.setFontCustom(E.toString(bytes), 65, E.toString([2, 3, 1]), 3);
b.setFontAlign(1, -1); b.drawString('CAB\\nA\\nBBB', 39, 1); b.setFontAlign(-1, 1); b.drawString('ABCABC', 0, 23);
b.setFontAlign(-1, -1); b.fillRect(0, 0, 12, 8); b.setColor(0); b.setBgColor(1); b.drawString('BAC', 2, 2, true); b.setColor(1); b.setBgColor(0);
dump('aligned');
`;

describe('Graphics against the interpreter\'s Linux build', () => {
  requires('espruino-64');
  let tmp: string;
  let sim: Simulator;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sim-graphics-'));
    const built = await buildBoard(loadBoard('linux'), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp });
    sim = new Simulator({ board: 'linux', bundle: built.file }).boot();
  });
  afterAll(() => {
    sim?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('draws the same frames', () => {
    writeFileSync(join(tmp, 'draw.js'), SCRIPT);
    const out = execFileSync(ESPRUINO_64!, [join(tmp, 'draw.js')], { cwd: tmp, encoding: 'latin1', timeout: 10_000 }).replace(/\r/g, '');
    const frames = (text: string) => text.split('\n').filter((l) => /^[#.]{40}$/.test(l) || /^(fan|lines|scale3 centred|aligned)$/.test(l));
    const real = frames(out);
    expect(real.length).toBe(4 * 25);
    const before = sim.console.length;
    sim.eval(SCRIPT);
    expect(frames(sim.console.slice(before).join('\n'))).toEqual(real);
  });
});
