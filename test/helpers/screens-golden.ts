// Golden screens: each scene of scripts/screens.ts, rendered by the simulator
// from the real bundle, against test/golden/<board>/<scene>.txt (the DP.screen()
// text, then the pixels as ASCII art). UPDATE_GOLDEN=1 rewrites the files;
// review the diff (and hardware/docs/screens) by eye before committing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../firmware/build.ts';
import { SCENE_PARTS, shootAll, type ScenePart, type Shot } from '../../scripts/screens.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

export function goldenText(shot: Shot): string {
  return shot.text.join('\n') + '\n' + '-'.repeat(16) + '\n' + shot.ascii.replace(/0/g, '.').replace(/1/g, '#') + '\n';
}

/**
 * A board's golden-screen suite: one test per part of the scenes (rendering is
 * CPU work; the whole ran past a test's 30 s under load), then the golden files
 * against all the scenes rendered.
 */
export function goldenSuite(board: string, title: string): void {
  describe(`golden screens, ${title}`, () => {
    const names: string[] = [];
    it.each(SCENE_PARTS)('%s scenes', async (part) => {
      names.push(...(await checkGolden(board, part)));
    });
    it('not set up, starting, bad credentials, every call screen, offline marks: each golden file is a scene', () => {
      expect(names).toEqual(expect.arrayContaining(['not-set-up', 'starting', 'available', 'ringing-menu6', 'talking-no-answer', 'wrapup-0m01', 'offline-link', 'signed-out-en']));
      expect(goldenFiles(board).sort()).toEqual([...new Set(names)].sort());
    });
  });
}

/** Renders the board's scenes of `part` and compares (or, with UPDATE_GOLDEN=1, writes) their golden files; returns the scene names. */
async function checkGolden(board: string, part: ScenePart): Promise<string[]> {
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

function goldenFiles(board: string): string[] {
  return readdirSync(join(REPO_ROOT, 'test', 'golden', board))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4));
}
