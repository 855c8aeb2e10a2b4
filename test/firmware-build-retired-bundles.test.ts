// A renamed board profile must not leave its old bundle in the output folder:
// tests, `up` and `flash` list bundles from there (pixljs-w5500 stayed behind
// after its rename to pixljs-w5100 and failed the gate test in every old checkout).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeRetiredBundles } from '../firmware/build.ts';
import { loadBoards } from '../hardware/board.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('removes bundles of boards without a profile and keeps the others', () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-dist-'));
  const boards = loadBoards();
  const kept = [boards[0]!.name + '.js', boards[0]!.name + '.js.map', boards[0]!.name + '.boot.js', boards[0]!.name + '.json', 'notes.txt'];
  const retired = ['pixljs-w5500.js', 'pixljs-w5500.js.map', 'pixljs-w5500.boot.js', 'pixljs-w5500.boot.js.map', 'pixljs-w5500.json'];
  for (const f of [...kept, ...retired]) writeFileSync(join(dir, f), 'x');
  removeRetiredBundles(dir, boards);
  expect(kept.filter((f) => existsSync(join(dir, f)))).toEqual(kept);
  expect(retired.filter((f) => existsSync(join(dir, f)))).toEqual([]);
});
