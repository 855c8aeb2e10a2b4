// Every screen on the 128x64 Pixl.js (4 buttons), German and English, matches its golden file.
import { describe, expect, it } from 'vitest';
import { checkGolden, goldenFiles } from './helpers/screens-golden.ts';

describe('golden screens, pixljs-w5100 (128x64)', () => {
  it('not set up, starting, bad credentials, every call screen, offline marks', async () => {
    const names = await checkGolden('pixljs-w5100');
    expect(names).toEqual(expect.arrayContaining(['not-set-up', 'starting', 'available', 'ringing-menu6', 'talking-no-answer', 'wrapup-0m01', 'offline-link', 'signed-out-en']));
    expect(goldenFiles('pixljs-w5100').sort()).toEqual([...new Set(names)].sort());
  });
});
