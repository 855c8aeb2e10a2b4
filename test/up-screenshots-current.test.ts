// The README pictures are current. The module pictures (docs/img/module-<board>.png)
// are made of the current screens (hardware/docs/screens, kept current with the
// bundles by test/screens-docs-png.test.ts): made again into a temp dir, they must
// have the same pixels. The dashboard picture is taken again of a fresh
// `up --demo` in Chromium with what moves with the clock masked (the module
// screens, the times); everything else (layout, phases, topics, counts, keys,
// firmware version) must have the same pixels.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardScreenshot, IMG_DIR, MASK_RGB, moduleStrips } from '../scripts/screenshots.ts';
import { requires } from './helpers/requires.ts';

const tmp = mkdtempSync(join(tmpdir(), 'deskphone-img-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FIX = 'run `node bin/run-ts.js scripts/screenshots.ts` and commit docs/img';

/** Pixels that differ, and their bounding box; pixels `skip` names are not compared. */
function difference(committed: PNG, fresh: PNG, skip: (pixel: number) => boolean = () => false): string {
  if (committed.width !== fresh.width || committed.height !== fresh.height) return `size ${committed.width}x${committed.height}, now ${fresh.width}x${fresh.height}`;
  let count = 0;
  const box = [Infinity, Infinity, -1, -1];
  for (let p = 0; p < fresh.width * fresh.height; p++) {
    if (skip(p) || committed.data.readUInt32BE(p * 4) === fresh.data.readUInt32BE(p * 4)) continue;
    count++;
    const [x, y] = [p % fresh.width, Math.floor(p / fresh.width)];
    box[0] = Math.min(box[0], x);
    box[1] = Math.min(box[1], y);
    box[2] = Math.max(box[2], x);
    box[3] = Math.max(box[3], y);
  }
  return count ? `${count} pixels differ, within x ${box[0]}-${box[2]}, y ${box[1]}-${box[3]}` : '';
}

/** The masked pixels of `img` and their neighbours (a mask's edge may be blended). */
function maskedArea(img: PNG): (pixel: number) => boolean {
  const { width, height, data } = img;
  const masked = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (data[o] !== MASK_RGB[0] || data[o + 1] !== MASK_RGB[1] || data[o + 2] !== MASK_RGB[2]) continue;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && x + dx < width && y + dy >= 0 && y + dy < height) masked[(y + dy) * width + x + dx] = 1;
    }
  return (pixel) => masked[pixel] === 1;
}

const readPng = (file: string) => PNG.sync.read(readFileSync(file));

describe('README pictures', () => {
  it('module screens in docs/img are current', () => {
    const files = moduleStrips(tmp);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const committed = join(IMG_DIR, basename(file));
      expect(difference(readPng(committed), readPng(file)), `${committed} is stale: ${FIX}`).toBe('');
    }
  });

  describe('dashboard', () => {
    requires('chromium');

    it('docs/img/dashboard.png is current, but for what moves with the clock', async () => {
      const file = join(tmp, 'dashboard.png');
      await dashboardScreenshot(file, { maskClocks: true });
      const fresh = readPng(file);
      const skip = maskedArea(fresh);
      // The masks are there: 8 module screens and 8 times.
      expect([...Array(fresh.width * fresh.height).keys()].filter(skip).length).toBeGreaterThan(8 * 256 * 128);
      expect(difference(readPng(join(IMG_DIR, 'dashboard.png')), fresh, skip), `docs/img/dashboard.png is stale: ${FIX}`).toBe('');
    });
  });
});
