// The issue's fleet: `deskphone update` (the real command, in-process) over
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
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Simulator } from '../hardware/sim/simulator.ts';
import { packageVersion } from '../lib/version.ts';
import { decodeMessage, Phase, UpdateState } from '../protocol/host-codec.ts';
import { startProxy, type TcpProxy } from './helpers/tcp-proxy.ts';
import { newerImage, NEXT_VERSION, slottedSim } from './helpers/update-rig.ts';
import { corruptChunk, hostClient, startUpdateRig, type UpdateRig } from './helpers/update-site.ts';

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
let watch: MqttClient;

/** What each desk said on up/update and up/presence, in order, and waits on it. */
const said = new Map<string, { kind: string; state?: number; offset?: number; detail?: string; firmware?: string }[]>();
const waiters: (() => boolean)[] = [];
function when(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const w = () => check() && (resolve(), true);
    if (!w()) waiters.push(w);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-fleet-'));
  const next = await newerImage('linux', dir, NEXT_VERSION);
  // The real bundle of the next version, with a fault that fires on one desk's config only (as a bug that shows on one site's desk):
  // it throws while loading there. Prepended, so the update side stays at the image's end where the firmware finds it.
  image = Buffer.concat([Buffer.from(`if((require("Storage").readJSON("deskphone.json",1)||{}).id=="${CRASH}")throw new Error("${CRASH_WHY}");\n`, 'latin1'), next.image]);
  rig = await startUpdateRig(IDS);
  watch = await hostClient(rig, 'fleet-watch');
  watch.on('message', (topic, payload) => {
    const station = topic.split('/')[3];
    const list = said.get(station) ?? [];
    said.set(station, list);
    if (topic.endsWith('/up/update')) {
      const s = decodeMessage('UpdateStatus', payload);
      list.push({ kind: 'status', state: s.state, offset: s.offset, detail: s.detail });
    } else if (payload.length) {
      const p = decodeMessage('Presence', payload);
      list.push({ kind: p.online ? 'birth' : 'will', firmware: p.birth?.firmware });
    }
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]()) waiters.splice(i, 1);
  });
  await watch.subscribeAsync(['dp/v1/st/+/up/update', 'dp/v1/st/+/up/presence'], { qos: 1 });
});

afterAll(async () => {
  for (const sim of sims.values()) sim.close();
  await Promise.all(proxies.map((p) => p.close()));
  await watch?.endAsync(true);
  await rig?.close();
  rmSync(dir, { recursive: true, force: true });
});

function desk(id: string, port: number, flashed?: Buffer): Simulator {
  const config = { v: 3, id, board: 'linux', host: '127.0.0.1', port, pass: rig.secrets[id], lang: 'de', digits: 12 };
  const sim = slottedSim('linux', config, {}, flashed);
  sims.set(id, sim);
  return sim;
}

const births = (id: string, firmware: string) => (said.get(id) ?? []).filter((s) => s.kind === 'birth' && s.firmware === firmware).length;
const booted = (id: string) => sims.get(id)!.eval('typeof DPB=="object"?DPB.n:""');

it('updates 20 simulator desks: a power cut resumes, a corrupted image fails, a crash rolls back, one is current, one waits out its call', async () => {
  onTestFailed(() => console.log(rig.printed(), [...said].map(([id, l]) => `${id}: ${l.map((s) => s.kind === 'status' ? `${s.state}@${s.offset}${s.detail ? ' ' + s.detail : ''}` : `${s.kind} ${s.firmware ?? ''}`).join(', ')}`).join('\n')));
  const brokerPort = Number(new URL(rig.broker.url).port);
  const old = packageVersion();

  // The desk whose chunks the test sees on the wire (offers and offsets), and the one whose chunk at 2048 is altered in flight.
  const toCut: string[] = [];
  const cutProxy = await startProxy({ port: brokerPort }, 'pass', (p) => {
    if (p.cmd === 'publish' && p.topic.endsWith('/dn/offer')) toCut.push('offer');
    if (p.cmd === 'publish' && p.topic.endsWith('/dn/chunk')) toCut.push(`chunk ${decodeMessage('UpdateChunk', p.payload as Buffer).offset}`);
    return p;
  });
  const badProxy = await startProxy({ port: brokerPort }, 'pass', corruptChunk(2048, true));
  proxies.push(cutProxy, badProxy);

  // The call desk is in a call before the run starts (its snapshot retained, as the station service keeps it).
  const T = Date.now();
  const talking = { seq: 1, hostTimeMs: T, phaseSinceMs: T, agent: 'Anna', areas: [1], call: { callId: 'c-1', menu: 4, area: 1, ivrAccount: '400012345678', offeredMs: T, answeredMs: T } };
  await rig.snapshot(CALL, Phase.TALKING, talking);

  for (const id of IDS) {
    if (id === CRASH) continue; // powered on once the others are through (below): its rollback stops the rollout
    desk(id, id === CUT ? cutProxy.port : id === BAD ? badProxy.port : brokerPort, id === CURRENT ? image : undefined).boot();
  }
  await when(() => IDS.every((id) => id === CRASH || births(id, id === CURRENT ? NEXT_VERSION : old) > 0));

  // Power lost after ~10 KB of the image reached the slot; back on once the broker published its will. (The broker may
  // drop the new connection once more: aedes fails re-sending the chunks still in flight in its session, 'no such packet'.)
  const cut = sims.get(CUT)!;
  cut.storage.flash.cutAfterBytes(10_000);
  void when(() => (said.get(CUT) ?? []).some((s) => s.kind === 'will')).then(() => {
    toCut.push('power on');
    cut.boot();
  });

  const run = rig.update('--firmware', rig.bundle('linux', image, NEXT_VERSION), '--stations', 'all');
  // The call ends once another desk runs the new version: it waited meanwhile.
  await when(() => PLAIN.some((id) => births(id, NEXT_VERSION) > 0));
  const callEnded = (said.get(CALL) ?? []).length;
  expect(sims.get(CALL)!.eval('DP.state().sn.phase')).toBe(Phase.TALKING);
  await rig.snapshot(CALL, Phase.AVAILABLE, { ...talking, seq: 2, call: null });
  const others = IDS.filter((id) => id !== CRASH);
  await Promise.all(others.map((id) => rig.untilPrinted(new RegExp(` ${id} (updated|already current|FAILED) `))));
  desk(CRASH, brokerPort).boot();
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
  const readies = said.get(CUT)!.filter((s) => s.state === UpdateState.READY).map((s) => s.offset!);
  expect(readies[0]).toBe(0);
  expect(readies.length).toBeGreaterThanOrEqual(2);
  expect(readies.slice(1).every((at) => at >= 9 * 1024)).toBe(true);
  expect(toCut.slice(toCut.indexOf('power on')).filter((p) => p === 'chunk 0')).toEqual([]);
  // The call desk took nothing while in its call.
  expect(said.get(CALL)!.slice(0, callEnded).filter((s) => s.kind === 'status' && s.state !== UpdateState.BUSY)).toEqual([]);
  for (const sim of sims.values()) expect(sim.errors).toEqual([]);
});
