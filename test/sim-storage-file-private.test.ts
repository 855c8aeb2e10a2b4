// The simulator's Storage file (a virtual desk's flash, deskphone.json with the station secret inside) is written 0600.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SimStorage } from '../hardware/sim/storage.ts';

const dir = mkdtempSync(join(tmpdir(), 'deskphone-sim-storage-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('keeps the file holding the device config readable by its user only', () => {
  const path = join(dir, 'wv-01.json');
  const previous = process.umask(0o022);
  try {
    const storage = new SimStorage(36_864, path, { 'deskphone.json': { v: 1, id: 'wv-01', pass: 'not-a-real-secret' } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    storage.put('deskphone.ses', '3');
  } finally {
    process.umask(previous);
  }
  expect(statSync(path).mode & 0o777).toBe(0o600);
});
