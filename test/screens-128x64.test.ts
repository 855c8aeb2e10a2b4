// Every screen on the 128x64 Pixl.js (4 buttons), German and English, matches its golden file.
// One test per part of the scenes (scripts/screens.ts SCENE_PARTS), then the golden files against them all.
import { describe, expect, it } from 'vitest';
import { SCENE_PARTS } from '../scripts/screens.ts';
import { checkGolden, goldenFiles } from './helpers/screens-golden.ts';

describe('golden screens, pixljs-w5100 (128x64)', () => {
  const names: string[] = [];
  it.each(SCENE_PARTS)('%s scenes', async (part) => {
    names.push(...(await checkGolden('pixljs-w5100', part)));
  });
  it('not set up, starting, bad credentials, every call screen, offline marks: each golden file is a scene', () => {
    expect(names).toEqual(expect.arrayContaining(['not-set-up', 'starting', 'available', 'ringing-menu6', 'talking-no-answer', 'wrapup-0m01', 'offline-link', 'signed-out-en']));
    expect(goldenFiles('pixljs-w5100').sort()).toEqual([...new Set(names)].sort());
  });
});
