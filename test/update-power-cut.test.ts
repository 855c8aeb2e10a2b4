// Power cuts during the switch to a new image on a two-slot desk (linux
// profile, exact bundles, simulator's byte-exact flash model
// hardware/sim/jsflash.ts, embedded broker): a cut after every third byte
// from the end of the last chunk through the trailer's seal, the reboot, the
// boot-try word and the healthy word (every 4-byte flag word is cut inside
// at least once); the same for an image that fails while loading (its
// reason, its failed word, the rollback's told word). After every cut the desk
// is powered on again and must boot a working firmware (the old one or the
// new one) and come online.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { packageVersion } from '../lib/version.ts';
import { startBroker, stationConfig, until, type TestBroker } from './helpers/link-io.ts';
import { newerImage, slottedSim, St, updateHost } from './helpers/update-rig.ts';

const ID = 'desk-cut';
const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
let broker: TestBroker;
let host: Awaited<ReturnType<typeof updateHost>>;
let dir: string;
let v2: { image: Buffer; version: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-upd-cut-'));
  broker = await startBroker('embedded', [ID]);
  host = await updateHost(broker, ID);
  v2 = await newerImage('linux', dir, '9.9.9-cut');
});
afterAll(async () => {
  await host.end();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

const settle = (sim: Simulator, done: () => boolean, what: string) =>
  until(
    () => {
      void sim.advance(0);
      return done();
    },
    what,
    15000,
  );
const running = (sim: Simulator) => sim.eval('typeof DPB=="object"&&typeof DP=="object"?DPB.n+" "+DP.state().fw:""') as string;
const online = (sim: Simulator) => sim.eval('typeof DP=="object"&&DP.state().up') === true;

/** A desk online on the old image with all of `image` but its last chunk received; its flash bytes. */
async function almostReceived(image: Buffer, version: string, over: { healthS?: number } = {}): Promise<{ flash: Uint8Array; last: number }> {
  const sim = slottedSim('linux', stationConfig(broker, ID), { clock: 'manual', startTime: T0 }).boot();
  try {
    await settle(sim, () => online(sim), 'online');
    const seen = host.got.length;
    await host.offer(image, version, over);
    await settle(sim, () => host.got.length > seen, 'READY');
    const last = Math.floor((image.length - 1) / 1024) * 1024;
    for (let at = 0; at < last; at += 1024) {
      const n = host.got.length;
      await host.chunk(image, at);
      await settle(sim, () => host.got.length > n, 'a chunk answered');
      expect(host.got.at(-1)).toMatchObject({ state: St.RECEIVING, offset: at + 1024 });
    }
    return { flash: sim.storage.flash.image.slice(), last };
  } finally {
    sim.close();
  }
}

/**
 * From the flash `before`: boots, offers again (the slot resumes), arms the
 * cut, sends the last chunk, lets the desk reboot and prove itself; then
 * powers it on again and waits for a working firmware online. Returns what
 * runs then, and the bytes the whole sequence wrote when nothing was cut.
 */
async function cutRun(before: Uint8Array, image: Buffer, version: string, last: number, arm: (sim: Simulator) => void, over: { healthS?: number } = {}): Promise<{ runs: string; wrote: number }> {
  const sim = new Simulator({ board: 'linux', flash: before, clock: 'manual', startTime: T0 }).boot();
  try {
    await settle(sim, () => online(sim), 'online before the cut');
    const seen = host.got.length;
    await host.offer(image, version, over);
    await settle(sim, () => host.got.length > seen, 'READY again');
    const from = sim.storage.flash.bytesWritten;
    arm(sim);
    await host.chunk(image, last);
    // Through VERIFIED, the reboot, the trial boot and its birth, or the failure and the reboot into the old slot.
    for (let i = 0; i < 6 && !sim.storage.flash.cut; i++) {
      await sim.advance(1000);
      await settle(sim, () => sim.storage.flash.cut || online(sim), 'online after the switch');
    }
    await sim.advance(3000);
    const wrote = sim.storage.flash.bytesWritten - from;
    if (sim.storage.flash.cut) sim.boot();
    await settle(sim, () => online(sim) && running(sim) !== '', 'a working firmware online after power-on');
    expect(sim.errors.filter((e) => !/broken at boot/.test(e.message))).toEqual([]);
    return { runs: running(sim), wrote };
  } finally {
    sim.close();
  }
}

test('a cut after every third byte of the switch to a good image leaves a desk that boots the old or the new image and comes online', async () => {
  const { flash, last } = await almostReceived(v2.image, v2.version);
  const whole = await cutRun(flash, v2.image, v2.version, last, () => undefined);
  expect(whole.runs).toBe('dp.b ' + v2.version);
  // The seal, the boot-try word and the healthy word, and the end of the last chunk.
  const chunkBytes = v2.image.length - last;
  const seen = new Set<string>();
  for (let n = Math.max(0, chunkBytes - 8); n <= whole.wrote; n += 3) {
    const r = await cutRun(flash, v2.image, v2.version, last, (sim) => sim.storage.flash.cutAfterBytes(n));
    expect(['dp.a ' + packageVersion(), 'dp.b ' + v2.version], `cut after ${n} bytes`).toContain(r.runs);
    seen.add(r.runs);
  }
  // Cuts early in the seal leave the old image, late ones the new.
  expect([...seen].sort()).toEqual(['dp.a ' + packageVersion(), 'dp.b ' + v2.version]);
}, 240_000);

test('a cut after every third byte while a crashing image is failed leaves a desk that boots the old image and comes online', async () => {
  const crashing = Buffer.from('throw new Error("broken at boot");', 'latin1');
  const { flash, last } = await almostReceived(crashing, '6.6.6-crash');
  const whole = await cutRun(flash, crashing, '6.6.6-crash', last, () => undefined);
  expect(whole.runs).toBe('dp.a ' + packageVersion());
  for (let n = 0; n <= whole.wrote; n += 3) {
    const r = await cutRun(flash, crashing, '6.6.6-crash', last, (sim) => sim.storage.flash.cutAfterBytes(n));
    expect(r.runs, `cut after ${n} bytes`).toBe('dp.a ' + packageVersion());
  }
}, 240_000);
