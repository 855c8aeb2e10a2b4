// Power cuts during the switch to a new image on a two-slot desk (linux
// profile, exact bundles, simulator's byte-exact flash model
// hardware/sim/jsflash.ts, embedded broker): a cut after every third byte
// from the end of the last chunk through the trailer's seal, the reboot, the
// boot-try word and the healthy word (every 4-byte flag word is cut inside
// at least once); the same for an image that fails while loading (its
// reason, its failed word, the rollback's told word); and a cut before each
// of the 28 page erases that empty the other slot when another image is
// offered. After every cut the desk is powered on again and must boot a
// working firmware (the old one or the new one) and come online.
import { mkdtempSync, rmSync } from 'node:fs';
import { crc32 } from 'node:zlib';
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
    // Armed before the offer: the last chunk of an earlier run that was cut before its PUBACK comes again from the
    // broker and may be the one the desk takes (it is the same chunk); the offer on a resumed slot writes nothing.
    const from = sim.storage.flash.bytesWritten;
    arm(sim);
    const seen = host.got.length;
    await host.offer(image, version, over);
    await settle(sim, () => host.got.length > seen, 'READY again');
    await host.chunk(image, last);
    // The chunk reaches the desk in real time and the clock is manual: advancing it before the chunk was handled
    // would let the old image run on (seen under load: the whole run ended on dp.a).
    const handled = () => host.got.slice(seen).some((s) => s.state !== St.READY);
    await settle(sim, () => handled() || sim.storage.flash.cut, 'the last chunk handled or cut');
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

test('a cut before each page erase that empties the other slot for another image leaves the old image booting and online, and the offer is taken again', async () => {
  const { flash } = await almostReceived(v2.image, v2.version);
  // Slot B holds all but the last chunk of v2; an offer of another image erases its 28 pages from the end down (slot.ts wipe).
  for (let n = 0; n < 28; n++) {
    // A new image per cut. The offer a cut interrupted has no PUBACK (the desk acknowledges a message after handling it),
    // so the broker hands it over again at the next power-on, and if that run was closed before it came, at the next
    // cut's power-on, maybe before the cut is armed: with one image for all cuts, that erased and claimed the slot for it
    // and the cut's own offer then found nothing to erase (the draft of this test, under load: "no erase" at some cuts).
    const other = Buffer.from(v2.image);
    other[n] ^= 1;
    const sim = new Simulator({ board: 'linux', flash, clock: 'manual', startTime: T0 }).boot();
    try {
      await settle(sim, () => online(sim), 'online');
      sim.storage.flash.cutBeforeErase(n);
      const seen = host.got.length;
      await host.offer(other, '9.9.8-other');
      await settle(sim, () => sim.storage.flash.cut, `the cut before erase ${n}`);
      sim.boot();
      await settle(sim, () => online(sim) && running(sim) !== '', 'online after power-on');
      expect(running(sim), `cut before erase ${n}`).toBe('dp.a ' + packageVersion());
      // The interrupted offer comes again: the desk erases the slot whole and takes it.
      const taken = (s: (typeof host.got)[0]) => s.state === St.READY && s.crc32 === crc32(other);
      await settle(sim, () => host.got.slice(seen).some(taken), `the offer taken after the cut before erase ${n}`);
      expect(host.got.slice(seen).find(taken)).toMatchObject({ offset: 0 });
    } finally {
      sim.close();
    }
  }
}, 120_000);

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
