// A Pixl.js and `deskphone update` (the real command, in-process) where the
// slot's trailer records another image than the one now sent, or the desk
// stops moving on: after an update the next one starts from the first byte; a
// transfer left unfinished for a longer image does not leave the command
// waiting for an offset the new image lacks; a desk that repeats one offset
// fails as stalled; an image that fails to boot is rolled back, not sent again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import mqtt from 'mqtt';
import { DIST_DIR } from '../firmware/build.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { encodeMessage, UpdateState } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import { until } from './helpers/link-io.ts';
import { imageOf, laidOut, pixlConfig, PLAN } from './helpers/pixl-update.ts';
import { newerImage, NEXT_VERSION, St } from './helpers/update-rig.ts';
import { listenToDesks, startUpdateRig } from './helpers/update-site.ts';

const PIXL = 'pixljs-w5100';
const ID = 'p-1';
const OLD = packageVersion();
const old = readFileSync(join(DIST_DIR, PIXL + '.js'));
const stage2 = readFileSync(join(DIST_DIR, PIXL + '.rec.js'), 'latin1');
const dir = mkdtempSync(join(tmpdir(), 'dp-pixl-second-'));
let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A site with one Pixl.js flashed with this release (its Storage bytes passed through `alter`), not yet powered on. */
async function site(alter: (flash: Uint8Array) => void = () => {}) {
  const r = await startUpdateRig([ID], PIXL);
  cleanup.push(() => r.close());
  const desks = await listenToDesks(r);
  cleanup.push(() => desks.end());
  const flash = laidOut(pixlConfig({ port: r.broker.tcpPort, secrets: r.secrets }, ID), imageOf(join(DIST_DIR, PIXL + '.js'), OLD));
  alter(flash);
  const sim = new Simulator({ board: PIXL, flash, clock: 'real' });
  cleanup.push(() => sim.close());
  const update = async (file: string) => {
    const run = r.update('--firmware', file, '--stations', ID);
    // A hung run shows where it stood.
    const cut = setTimeout(run.stop, 30_000);
    const end = await run.done;
    clearTimeout(cut);
    return { ...end, out: end.out + desks.text() };
  };
  return { r, desks, sim, update, back: r.bundle('back', old, OLD, PIXL, stage2) };
}

it('a Pixl.js takes a second update after its first, back to the image it had', async () => {
  const { r, desks, sim, update, back } = await site();
  sim.boot();
  const next = r.bundle('next', (await newerImage(PIXL, dir, NEXT_VERSION)).image, NEXT_VERSION, PIXL, stage2);
  await until(() => desks.births(ID, OLD) > 0, 'the first birth', 30_000);
  expect((await update(next)).code).toBe(0);
  const before = desks.of(ID).length;
  // The first update's pending record stays in the trailer beside its seal: the recovery must not resume it.
  const second = await update(back);
  expect(desks.of(ID).slice(before).filter((s) => s.state === St.RECOVERY && s.detail !== 'code').map((s) => s.offset)).toEqual([0]);
  expect(second.out).toMatch(/\bupdated 1\b/);
  expect(second.code).toBe(0);
  expect(desks.births(ID, OLD)).toBe(2);
}, 90_000);

it('a Pixl.js whose slot was left full of a longer image, unsealed, takes a shorter one from byte 0', async () => {
  const longer = old.length + 40;
  const { r, desks, sim, update, back } = await site((flash) => {
    const trailer = PLAN.page + PLAN.slotBytes - Tr.BYTES;
    // As a power cut between the longer image's last chunk and its seal leaves it: all its bytes, no seal.
    flash.fill('x'.charCodeAt(0), PLAN.page + 4 + old.length, PLAN.page + 4 + longer);
    flash.fill(0xff, trailer + Tr.META, trailer + Tr.META + 64);
    flash.set(Buffer.from(`${longer},12345;`), trailer + 64);
  });
  const run = update(back);
  // Powered on once the command listens: the recovery asks for its second stage again only after 15 s.
  await r.untilPrinted(/ stations;/);
  sim.boot();
  const end = await run;
  expect(end.out).toMatch(/\bupdated 1\b/);
  expect(end.code).toBe(0);
  expect(desks.births(ID, OLD)).toBe(1);
}, 60_000);

it('a desk that keeps saying where it stands and never moves on fails as stalled, and the command ends', async () => {
  const { r, update, back } = await site();
  // A recovery that cannot go on: it answers the offer with where it stands and says so again every 15 s, as the
  // recovery does while no chunk comes, and never answers a chunk.
  const desk = await mqtt.connectAsync(r.broker.url, { clientId: ID, username: ID, password: r.secrets[ID], reconnectPeriod: 0 });
  cleanup.push(() => desk.endAsync(true));
  const stuck = () => desk.publish(upTopic(ID, 'update'), Buffer.from(encodeMessage('UpdateStatus', { state: UpdateState.RECOVERY, offset: 1024, detail: 'no firmware' })), { qos: 0 });
  await desk.subscribeAsync(`dp/v1/st/${ID}/dn/offer`, { qos: 0 });
  desk.on('message', stuck);
  // Only the clock runs ahead, 7.5 s per turn: the host's 10 s without progress pass between two of the desk's repeats.
  vi.useFakeTimers({ toFake: ['Date'] });
  cleanup.push(() => vi.useRealTimers());
  let turn = 0;
  const tick = setInterval(() => {
    vi.setSystemTime(Date.now() + 7_500);
    if (++turn % 2 === 0) stuck();
  }, 100);
  cleanup.push(() => clearInterval(tick));
  const end = await update(back);
  expect(end.out).toMatch(new RegExp(`${ID}\\s+FAILED\\s.*transfer stalled at byte 1024`));
  expect(end.code).toBe(1);
}, 60_000);

it('a Pixl.js whose new image fails to boot is rolled back, not sent the image again', async () => {
  const { r, desks, sim, update } = await site();
  sim.boot();
  await until(() => desks.births(ID, OLD) > 0, 'the first birth', 30_000);
  const broken = r.bundle('broken', Buffer.from('not javascript )'.repeat(100)), '9.9.9-broken', PIXL, stage2);
  const end = await update(broken);
  expect(end.out).toMatch(new RegExp(`${ID}\\s+ROLLED BACK\\s.*in its recovery: .*boot: Unexpected`));
  expect(end.code).toBe(1);
  expect(desks.of(ID).filter((s) => s.state === St.VERIFIED)).toHaveLength(1);
}, 60_000);
