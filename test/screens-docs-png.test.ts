// The README pictures in hardware/docs/screens are what scripts/render-screens.ts
// renders from today's bundles: same scenes, same pixels (compared decoded, so
// a different zlib cannot fail it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { pngPath, SCREENS_DIR } from '../scripts/render-screens.ts';
import { SCREEN_BOARDS, shootAll } from '../scripts/screens.ts';

describe('rendered screen pictures', () => {
  for (const board of SCREEN_BOARDS) {
    it(`hardware/docs/screens/${board} matches a fresh render`, async () => {
      const scenes: string[] = [];
      const drifted: string[] = [];
      await shootAll(board, (shot) => {
        scenes.push(shot.name);
        const file = pngPath(board, shot.name);
        if (!existsSync(file)) return void drifted.push(shot.name + ' (missing)');
        const committed = PNG.sync.read(readFileSync(file));
        const fresh = PNG.sync.read(shot.png());
        if (committed.width !== fresh.width || committed.height !== fresh.height || !committed.data.equals(fresh.data)) drifted.push(shot.name);
      });
      expect(drifted, 'run: node bin/run-ts.js scripts/render-screens.ts').toEqual([]);
      const files = readdirSync(join(SCREENS_DIR, board)).map((f) => f.replace(/\.png$/, ''));
      expect(files.sort()).toEqual(scenes.sort());
      // Every scene of a board through the simulator and its pictures: about 20 s for the 240x135 one on a quiet machine.
    }, 90_000);
  }
});
