// A Pixl.js desk updated over the network, on the simulator's byte-exact
// flash with the exact bundles: one slot, so the firmware hands over to the
// recovery (docs/updates.md "Why the Pixl.js has one slot"), which receives
// the image into the slot page by page and reboots into it on trial; the new
// firmware's birth marks it healthy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildBoard, DIST_DIR } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { startBroker, type TestBroker } from './helpers/link-io.ts';
import { BOARD, imageOf, laidOut, pixl, pixlConfig, PLAN, runUntil, storageMap, UpdateHost, type Image } from './helpers/pixl-update.ts';

const ID = 'pixl-01';
const tmp = mkdtempSync(join(tmpdir(), 'update-pixl-'));
let broker: TestBroker;
let old: Image;
let next: Image;
let flash: Uint8Array;

beforeAll(async () => {
  broker = await startBroker('embedded', [ID]);
  old = imageOf(join(DIST_DIR, BOARD + '.js'), packageVersion());
  next = imageOf((await buildBoard(loadBoard(BOARD), { version: '9.9.9-next', outDir: tmp })).file, '9.9.9-next');
  flash = laidOut(pixlConfig(broker, ID), old);
});
afterAll(async () => {
  await broker?.close();
  rmSync(tmp, { recursive: true, force: true });
});

it('lays Storage out with the stub, the config and the compressed selector in page 0 and the slot on pages 1-7', () => {
  const map = storageMap(flash);
  console.log('Pixl.js Storage map:\n' + map.map((f) => `  ${f.file.padEnd(16)} header at ${String(f.header).padStart(5)} (page ${f.page}), ${f.bytes} B`).join('\n'));
  expect(map.map((f) => [f.file, f.page])).toEqual([
    ['.bootcde', 0],
    ['deskphone.json', 0],
    ['dp.boot', 0],
    ['dp.a', 0],
  ]);
  const slot = map[3]!;
  expect(slot.header + 32).toBe(PLAN.page);
  expect(slot.bytes).toBe(7 * PLAN.page);
});

it('updates through the recovery and boots the new image, which its birth marks healthy', async () => {
  const sim = pixl(flash);
  const host = await UpdateHost.start(broker, ID, next);
  try {
    await runUntil(sim, () => host.done, 'the birth of the new firmware');
    const trailer = PLAN.slotBytes - Tr.BYTES;
    await runUntil(sim, () => sim.storage.bytes('dp.a')!.readUInt32LE(trailer + Tr.OK) === 0, 'the healthy word');
    expect(host.births).toEqual([old.version, next.version]);
    expect(host.codeSent).toBe(1);
    expect(sim.storage.names()).not.toContain('dp.go');
    expect(sim.errors).toEqual([]);
  } finally {
    sim.close();
    await host.end();
  }
});
