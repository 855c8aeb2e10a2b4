// The README's module pictures (docs/img/module-<board>.png) are made of the
// current screens (hardware/docs/screens, kept current with the bundles by
// test/screens-docs-png.test.ts): regenerated into a temp dir, byte for byte the same.
// The dashboard picture moves with the clock, so it only has to be there.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMG_DIR, moduleStrips } from '../scripts/screenshots.ts';

const tmp = mkdtempSync(join(tmpdir(), 'deskphone-img-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FIX = 'run `node bin/run-ts.js scripts/screenshots.ts` and commit docs/img';

describe('README pictures', () => {
  it('module screens in docs/img are current', () => {
    const files = moduleStrips(tmp);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const committed = join(IMG_DIR, basename(file));
      expect(readFileSync(committed).equals(readFileSync(file)), `${committed} is stale: ${FIX}`).toBe(true);
    }
  });

  it('the dashboard screenshot is a PNG', () => {
    expect(readFileSync(join(IMG_DIR, 'dashboard.png')).subarray(0, 8).equals(PNG_SIGNATURE), FIX).toBe(true);
  });
});
