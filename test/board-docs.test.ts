// Every board profile has a wiring table and a bill of materials, and the
// wiring table names every pin the profile uses, so docs and profile agree.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoards, pinFields } from '../hardware/board.ts';

const DOCS = join(import.meta.dirname, '..', 'hardware', 'docs');

describe('board docs', () => {
  for (const board of loadBoards()) {
    it(`${board.name}: wiring names every profile pin, and a BOM exists`, () => {
      const wiring = readFileSync(join(DOCS, `wiring-${board.name}.md`), 'utf8');
      const missing = pinFields(board).map(([, p]) => p).filter((p) => !new RegExp(`\\b${p}\\b`).test(wiring));
      expect(missing).toEqual([]);
      expect(wiring).toContain(`hardware/boards/${board.name}.json`);
      expect(existsSync(join(DOCS, `bom-${board.name}.md`))).toBe(true);
    });
  }
});
