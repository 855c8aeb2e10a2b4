// Writes a PNG of every screen of every board with a golden set to
// hardware/docs/screens/<board>/<scene>.png (the README pictures), rendered by
// the simulator from the real bundles. Run after `npm run build`:
//   node bin/run-ts.js scripts/render-screens.ts
// test/screens-docs-png.test.ts fails when the committed PNGs differ from what this renders now.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCREEN_BOARDS, shootAll } from './screens.ts';

export const SCREENS_DIR = fileURLToPath(new URL('../hardware/docs/screens', import.meta.url));

export function pngPath(board: string, scene: string): string {
  return join(SCREENS_DIR, board, scene + '.png');
}

export async function renderScreens(log: (line: string) => void): Promise<void> {
  for (const board of SCREEN_BOARDS) {
    const dir = join(SCREENS_DIR, board);
    // Scenes that no longer exist must not linger as pictures.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await shootAll(board, (shot) => writeFileSync(pngPath(board, shot.name), shot.png()));
    log(`${board}: ${readdirSync(dir).length} screens in ${dir}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await renderScreens((line) => console.log(line));
}
