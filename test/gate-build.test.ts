// The build runs the gate on the bundle it is about to write and reports each
// problem at its TypeScript source line; over-budget bundles fail by name.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBoard, DIST_DIR, REPO_ROOT } from '../firmware/build.ts';
import { gate } from '../hardware/espruino-gate.ts';
import { loadBoard, loadBoards } from '../hardware/board.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gate-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fixtureEntry = join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts');

describe('build + gate', () => {
  it('names the TypeScript file and line of a construct the interpreter lacks', async () => {
    const src = join(tmp, 'src');
    writeFileSync(join(tmp, 'helper.ts'), ['export function pad(s: string, width = 4): string {', '  return s.padStart(width);', '}', ''].join('\n'));
    writeFileSync(join(tmp, 'main.ts'), ["import { pad } from './helper.ts';", 'declare function print(s: string): void;', "print(pad('x'));", ''].join('\n'));
    const err = await buildBoard(loadBoard('linux'), { entry: join(tmp, 'main.ts'), outDir: src }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const where = relative(REPO_ROOT, join(tmp, 'helper.ts'));
    expect((err as Error).message).toContain(`${where}:1:`);
    expect((err as Error).message).toContain('default parameter');
    // Nothing half-done: a rejected bundle is not written.
    expect(existsSync(join(src, 'linux.js'))).toBe(false);
  });

  it('fails a bundle over its board budget, naming board, bytes and budget', async () => {
    const board = { ...loadBoard('pixljs-w5100'), budget: { variables: 2950, storageBytes: 36864, codeBytes: 100 } };
    const err = await buildBoard(board, { entry: fixtureEntry, outDir: join(tmp, 'small') }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/is \d+ bytes, over the pixljs-w5100 code budget of 100 bytes/);
  });

  it('keeps require() of interpreter modules verbatim and wraps the bundle in a function', async () => {
    const result = await buildBoard(loadBoard('linux'), { entry: fixtureEntry, outDir: join(tmp, 'ok') });
    const code = readFileSync(result.file, 'latin1');
    expect(code.startsWith('(function(){\n')).toBe(true);
    expect(code).toContain('require("Storage")');
    expect(gate(code)).toEqual([]);
    expect(result.storage.slots.count).toBe(2);
    expect(result.storage.slots.room).toBe(result.storage.slots.imageMax - result.bytes);
  });

  it('the real bundles in firmware/dist pass the gate and their budgets, and so do their boot selectors and recoveries', () => {
    const built = readdirSync(DIST_DIR).filter((f) => f.endsWith('.js') && !f.endsWith('.boot.js') && !f.endsWith('.rec.js'));
    expect(built.sort()).toEqual(loadBoards().map((b) => b.name + '.js').sort());
    for (const file of built) {
      const code = readFileSync(join(DIST_DIR, file), 'latin1');
      expect(gate(code), file).toEqual([]);
      expect(code.length).toBeLessThanOrEqual(loadBoard(file.slice(0, -3)).budget.codeBytes);
      const selector = file.replace(/\.js$/, '.boot.js');
      expect(gate(readFileSync(join(DIST_DIR, selector), 'latin1')), selector).toEqual([]);
      const stage2 = file.replace(/\.js$/, '.rec.js');
      expect(gate(readFileSync(join(DIST_DIR, stage2), 'latin1')), stage2).toEqual([]);
    }
  });
});
