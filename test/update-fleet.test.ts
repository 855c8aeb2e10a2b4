// The fleet: `deskphone update` (the real command, in-process) over
// the embedded broker on TCP to 20 simulator desks running the exact linux
// bundles in the slot layout `deskphone flash` writes. One loses power
// mid-transfer and resumes where its slot stands; one gets an image corrupted
// on the wire (a TCP proxy changes a byte and fixes the chunk's CRC, so only
// the whole-image CRC can tell); one is already current; one is in a call and
// updates once it ends; the new image crashes at boot on one desk (a fault
// its config triggers), which falls back and reports why. That desk is
// powered on last, once the others are through: the first rollback stops the
// rollout, so only then are the counts (and the exit code) exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Simulator } from '../hardware/sim/simulator.ts';
import { packageVersion } from '../lib/version.ts';
import { Phase, UpdateState } from '../protocol/host-codec.ts';
import { startProxy, type TcpProxy } from './helpers/tcp-proxy.ts';
import { newerImage, NEXT_VERSION, siteDesk } from './helpers/update-rig.ts';
import { corruptChunk, listenToDesks, startUpdateRig, wireTap, type UpdateRig } from './helpers/update-site.ts';

const CUT = 'd-cut';
const BAD = 'd-bad';
const CRASH = 'd-crash';
const CURRENT = 'd-current';
const CALL = 'd-call';
const PLAIN = Array.from({ length: 15 }, (_, i) => `d-${String(i + 1).padStart(2, '0')}`);
const IDS = [CUT, BAD, CRASH, CURRENT, CALL, ...PLAIN];
const CRASH_WHY = 'no panel on this desk';

let dir: string;
let rig: UpdateRig;
let image: Buffer;
const sims = new Map<string, Simulator>();
const proxies: TcpProxy[] = [];
let desks: Awaited<ReturnType<typeof listenToDesks>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-fleet-'));
  const next = await newerImage('linux', dir, NEXT_VERSION);
  // The real bundle of the next version, with a fault that fires on one desk's config only (as a bug that shows on one site's desk):
  // it throws while loading there. Prepended, so the update side stays at the image's end where the firmware finds it.
  image = Buffer.concat([Buffer.from(`if((require("Storage").readJSON("deskphone.json",1)||{}).id=="${CRASH}")throw new Error("${CRASH_WHY}");\n`, 'latin1'), next.image]);
  rig = await startUpdateRig(IDS);
  desks = await listenToDesks(rig);
});

afterAll(async () => {
  for (const sim of sims.values()) sim.close();
  await Promise.all(proxies.map((p) => p.close()));
  await desks?.end();
  await rig?.close();
  rmSync(dir, { recursive: true, force: true });
});

function desk(id: string, port?: number, flashed?: Buffer): Simulator {
  const sim = siteDesk(rig, id, port, flashed);
  sims.set(id, sim);
  return sim;
}

const booted = (id: string) => sims.get(id)!.eval('typeof DPB=="object"?DPB.n:""');

it('updates 20 simulator desks: a power cut resumes, a corrupted image fails, a crash rolls back, one is current, one waits out its call', async () => {
  onTestFailed(() => console.log(rig.printed(), desks.text()));
  const old = packageVersion();

  // The desk whose chunks the test sees on the wire, and the one whose chunk at 2048 is altered in flight.
  const cutTap = await wireTap(rig);
  const badProxy = await startProxy({ port: rig.broker.tcpPort }, 'pass', corruptChunk(2048, true));
  proxies.push(cutTap.proxy, badProxy);

  // The call desk is in a call before the run starts (its snapshot retained, as the station service keeps it).
  const T = Date.now();
  const talking = { seq: 1, hostTimeMs: T, phaseSinceMs: T, agent: 'Anna', areas: [1], call: { callId: 'c-1', menu: 4, area: 1, ivrAccount: '400012345678', offeredMs: T, answeredMs: T } };
  await rig.snapshot(CALL, Phase.TALKING, talking);

  for (const id of IDS) {
    if (id === CRASH) continue; // powered on once the others are through (below): its rollback stops the rollout
    desk(id, id === CUT ? cutTap.proxy.port : id === BAD ? badProxy.port : undefined, id === CURRENT ? image : undefined);
  }
  await desks.when(() => IDS.every((id) => id === CRASH || desks.births(id, id === CURRENT ? NEXT_VERSION : old) > 0));

  // Power lost after ~10 KB of the image reached the slot; back on once the broker published its will.
  const cut = sims.get(CUT)!;
  cut.storage.flash.cutAfterBytes(10_000);
  void desks.when(() => desks.of(CUT).some((s) => s.kind === 'will')).then(() => {
    cutTap.seen.push('power on');
    cut.boot();
  });

  const run = rig.update('--firmware', rig.bundle('linux', image, NEXT_VERSION), '--stations', 'all');
  // The call ends once another desk runs the new version: it waited meanwhile.
  await desks.when(() => PLAIN.some((id) => desks.births(id, NEXT_VERSION) > 0));
  const callEnded = desks.of(CALL).length;
  expect(sims.get(CALL)!.eval('DP.state().sn.phase')).toBe(Phase.TALKING);
  await rig.snapshot(CALL, Phase.AVAILABLE, { ...talking, seq: 2, call: null });
  const others = IDS.filter((id) => id !== CRASH);
  await Promise.all(others.map((id) => rig.untilPrinted(new RegExp(` ${id} (updated|already current|FAILED) `))));
  desk(CRASH);
  const { code, out } = await run.done;

  expect(out).toContain('updated 17, already current 1, rolled back 1, failed 1');
  expect(code).toBe(1);
  expect(out).toContain(`Stopped: rollback on ${CRASH}: rolled back from ${NEXT_VERSION}: boot: ${CRASH_WHY}.`);
  const results = Object.fromEntries(IDS.map((id) => [id, rig.store.history(id)[0].state]));
  expect(results).toEqual({ ...Object.fromEntries(IDS.map((id) => [id, 'updated'])), [CURRENT]: 'current', [BAD]: 'failed', [CRASH]: 'rolled-back' });
  expect(rig.store.history(BAD)[0].detail).toContain('image CRC-32 mismatch');

  // Each updated desk boots the new image from slot B; the others still run the old one from slot A.
  for (const id of IDS) expect([id, booted(id)]).toEqual([id, results[id] === 'updated' ? 'dp.b' : 'dp.a']);
  // Nothing switched on the corrupted desk: slot B emptied, still online on the old version.
  expect(sims.get(BAD)!.storage.bytes('dp.b')!.every((b, i) => i < 4 || b === 0xff)).toBe(true);
  // The cut desk resumed: its second READY was at the bytes it had, and no chunk 0 came after the second offer.
  // The cut desk resumed: after the cut (~10 KB in) it was ready at the ninth chunk or later, and no chunk 0 came again.
  const readies = desks.of(CUT).filter((s) => s.state === UpdateState.READY).map((s) => s.offset!);
  expect(readies[0]).toBe(0);
  expect(readies.length).toBeGreaterThanOrEqual(2);
  expect(readies.slice(1).every((at) => at >= 9 * 1024)).toBe(true);
  expect(cutTap.seen.slice(cutTap.seen.indexOf('power on')).filter((p) => p === `${CUT} chunk 0`)).toEqual([]);
  // The call desk took nothing while in its call.
  expect(desks.of(CALL).slice(0, callEnded).filter((s) => s.kind === 'status' && s.state !== UpdateState.BUSY)).toEqual([]);
  for (const sim of sims.values()) expect(sim.errors).toEqual([]);
});
