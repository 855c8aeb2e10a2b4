// A Pixl.js update cut by power loss, on the simulator's byte-exact flash
// with the exact bundles: the power goes at every 512th byte the update
// writes, in every flash write of the switch (dp.go, the slot's claim, its
// seal, dp.go's erasure, the boot tries, the healthy word: before it, after
// its first word and before its last) and before every page erase; each time
// the desk is powered on again and left alone. Every run must end with the
// new firmware connected to the broker and healthy, without a technician:
// Storage never erased as corrupt, the config where it was. Cuts fall
// between flash words: the nRF52 programs its internal flash a word at a time
// (targets/nrf5x/jshardware.c jshFlashWrite: sd_flash_write in words at
// RELEASE_2V29); a cut inside a word leaves bits that only hardware can tell.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, DIST_DIR } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import type { FlashMemory } from '../hardware/sim/jsflash.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { startBroker, type TestBroker } from './helpers/link-io.ts';
import { BOARD, imageOf, laidOut, pixl, pixlConfig, PLAN, runUntil, UpdateHost, type Image } from './helpers/pixl-update.ts';

const CUT_EVERY = 512;
/** Station ids: one per run, so no run meets another's queued messages. */
const IDS = Array.from({ length: 120 }, (_, i) => `pixl-${i}`);
const tmp = mkdtempSync(join(tmpdir(), 'update-pixl-cut-'));
let broker: TestBroker;
let old: Image;
let next: Image;
let runs = 0;

beforeAll(async () => {
  broker = await startBroker('embedded', IDS);
  old = imageOf(join(DIST_DIR, BOARD + '.js'), packageVersion());
  next = imageOf((await buildBoard(loadBoard(BOARD), { version: '9.9.9-next', outDir: tmp })).file, '9.9.9-next');
}, 60_000);
afterAll(async () => {
  await broker?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** One write to flash during an update: where it starts (bytes written since the offer) and its length. */
interface Write {
  at: number;
  bytes: number;
  addr: number;
}

/**
 * Updates a desk from the old image to the new one; `arm` runs on its flash
 * just before the offer. Returns how often it was powered on again, and the
 * writes of the update when `record` is set.
 */
async function update(cut: string, arm: (flash: FlashMemory) => void, record = false): Promise<{ powerOns: number; writes: Write[]; erases: number }> {
  const id = IDS[runs++]!;
  const config = pixlConfig(broker, id);
  const sim = pixl(laidOut(config, old));
  const host = await UpdateHost.start(broker, id, next);
  const flash = sim.storage.flash;
  const writes: Write[] = [];
  let from = 0;
  let erasesFrom = 0;
  host.beforeOffer = () => {
    from = flash.bytesWritten;
    erasesFrom = flash.erases;
    if (record) {
      const write = flash.write.bind(flash);
      flash.write = (addr, data) => {
        writes.push({ at: flash.bytesWritten - from, bytes: data.length, addr });
        write(addr, data);
      };
    }
    arm(flash);
  };
  const healthy = () => sim.storage.bytes('dp.a')?.readUInt32LE(PLAN.slotBytes - Tr.BYTES + Tr.OK) === 0;
  try {
    const powerOns = await runUntil(sim, () => host.done && !flash.cut && healthy(), `the new firmware, healthy, after a power cut ${cut}`);
    if (process.env.DBG) console.log('RUN', id, powerOns, JSON.stringify(host.births), host.statuses.map((x) => x.state + ':' + x.offset + (x.detail ? ':' + x.detail : '')).join(' '));
    expect(sim.console).not.toContain('Storage is corrupt.');
    expect(JSON.parse(sim.storage.bytes('deskphone.json')!.toString('latin1'))).toEqual(config);
    // Gone as a file anyone can read (a cut inside its header's name can leave a header no name matches: it only costs its bytes).
    expect(sim.storage.bytes('dp.go')).toBeUndefined();
    expect(sim.errors).toEqual([]);
    return { powerOns, writes, erases: flash.erases - erasesFrom };
  } finally {
    sim.close();
    await host.end();
  }
}

describe('power cuts during a Pixl.js update', () => {
  let baseline: { writes: Write[]; erases: number; bytes: number };

  beforeAll(async () => {
    const run = await update('nowhere', () => {}, true);
    expect(run.powerOns).toBe(0);
    // The update ends with the healthy word (what the firmware writes after it is no longer the update's).
    const healthyAt = PLAN.base + PLAN.page + PLAN.slotBytes - Tr.BYTES + Tr.OK;
    const last = run.writes.find((w) => w.addr === healthyAt)!;
    baseline = { writes: run.writes.filter((w) => w.at <= last.at), erases: run.erases, bytes: last.at + last.bytes };
    console.log(`Pixl.js update: ${baseline.bytes} B written in ${baseline.writes.length} writes, ${baseline.erases} page erases`);
  }, 60_000);

  it('at every 512th byte written, the desk ends on the new firmware, connected', async () => {
    let cuts = 0;
    for (let at = CUT_EVERY; at < baseline.bytes; at += CUT_EVERY) {
      const run = await update(`after ${at} B`, (flash) => flash.cutAfterBytes(at));
      expect({ at, powerOns: run.powerOns }).toEqual({ at, powerOns: 1 });
      cuts++;
    }
    console.log(`${cuts} power cuts, one every ${CUT_EVERY} B`);
  }, 600_000);

  it('in each write of the switch (all but the image\'s chunks) and before each page erase, the same', async () => {
    const steps = baseline.writes.filter((w) => w.bytes < 1024);
    const cuts = [...new Set(steps.flatMap((w) => [w.at, w.at + 4, w.at + w.bytes - 4]))].filter((at) => at < baseline.bytes);
    for (const at of cuts) {
      const run = await update(`after ${at} B`, (flash) => flash.cutAfterBytes(at));
      expect({ at, powerOns: run.powerOns }).toEqual({ at, powerOns: 1 });
    }
    for (let e = 0; e < baseline.erases; e++) {
      const run = await update(`before page erase ${e}`, (flash) => flash.cutBeforeErase(e));
      expect({ erase: e, powerOns: run.powerOns }).toEqual({ erase: e, powerOns: 1 });
    }
    console.log(`${cuts.length} cuts in the switch's ${steps.length} writes, ${baseline.erases} before page erases`);
  }, 600_000);
});
