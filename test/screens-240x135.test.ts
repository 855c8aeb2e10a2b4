// Every screen on the 240x135 ESP32 ST7789 (keypad), German and English, matches its golden file.
// One test per part of the scenes (scripts/screens.ts SCENE_PARTS), then the golden files against them all.
import { describe, expect, it } from 'vitest';
import { SCENE_PARTS } from '../scripts/screens.ts';
import { checkGolden, goldenFiles } from './helpers/screens-golden.ts';

describe('golden screens, esp32-st7789 (240x135)', () => {
  const names: string[] = [];
  it.each(SCENE_PARTS)('%s scenes', async (part) => {
    names.push(...(await checkGolden('esp32-st7789', part)));
  });
  it('not set up, starting, bad credentials, every call screen, offline marks: each golden file is a scene', () => {
    expect(names).toEqual(expect.arrayContaining(['not-set-up', 'starting', 'available', 'ringing-menu6', 'talking-no-answer', 'wrapup-0m01', 'offline-link', 'signed-out-en']));
    expect(goldenFiles('esp32-st7789').sort()).toEqual([...new Set(names)].sort());
  });
});
