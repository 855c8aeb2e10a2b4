// Golden screens: each scene of scripts/screens.ts, rendered by the simulator
// from the real bundle, against test/golden/<board>/<scene>.txt (the DP.screen()
// text, then the pixels as ASCII art). UPDATE_GOLDEN=1 rewrites the files;
// review the diff (and hardware/docs/screens) by eye before committing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../firmware/build.ts';
import { shootAll, type ScenePart, type Shot } from '../../scripts/screens.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

export function goldenText(shot: Shot): string {
  return shot.text.join('\n') + '\n' + '-'.repeat(16) + '\n' + shot.ascii.replace(/0/g, '.').replace(/1/g, '#') + '\n';
}

/** Renders the board's scenes of `part` and compares (or, with UPDATE_GOLDEN=1, writes) their golden files; returns the scene names. */
export async function checkGolden(board: string, part: ScenePart): Promise<string[]> {
  const dir = join(REPO_ROOT, 'test', 'golden', board);
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  const mismatched: string[] = [];
  await shootAll(
    board,
    (shot) => {
      names.push(shot.name);
      const file = join(dir, shot.name + '.txt');
      const text = goldenText(shot);
      if (UPDATE) writeFileSync(file, text);
      else if (!existsSync(file)) mismatched.push(shot.name + ' (no golden file: run with UPDATE_GOLDEN=1)');
      else if (readFileSync(file, 'utf8') !== text) {
        mismatched.push(shot.name);
        // Shown once per scene so the diff is readable in the test output.
        expect.soft(text, `golden screen ${board}/${shot.name}`).toBe(readFileSync(file, 'utf8'));
      }
    },
    [part],
  );
  expect(mismatched).toEqual([]);
  return names;
}

export function goldenFiles(board: string): string[] {
  return readdirSync(join(REPO_ROOT, 'test', 'golden', board))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4));
}
