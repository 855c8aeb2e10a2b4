// Every screen on the 240x135 ESP32 ST7789 (keypad), German and English, matches its golden file.
import { describe, expect, it } from 'vitest';
import { checkGolden, goldenFiles } from './helpers/screens-golden.ts';

describe('golden screens, esp32-st7789 (240x135)', () => {
  it('not set up, starting, bad credentials, every call screen, offline marks', async () => {
    const names = await checkGolden('esp32-st7789');
    expect(names).toEqual(expect.arrayContaining(['not-set-up', 'starting', 'available', 'ringing-menu6', 'talking-no-answer', 'wrapup-0m01', 'offline-link', 'signed-out-en']));
    expect(goldenFiles('esp32-st7789').sort()).toEqual([...new Set(names)].sort());
  });
});
