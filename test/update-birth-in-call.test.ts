// The first birth after an update or a rollback, acknowledged while the desk
// is in a call (a reconnect mid-call before the first PUBACK): the image is
// marked healthy at once (the boot selector fails an image that is not healthy
// within its seconds, and reboots), without evaluating the update side, which
// takes more variables than a call leaves (~137 on the 2950-variable build,
// bench firmware-size); the rollback report, which needs it, waits for the end
// of the call. Exact linux bundle in the simulator, slot A on trial (no healthy
// word) and slot B failed, the desk put in a call before it connects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadBoard } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { imageMeta, layoutWithStub, storagePlan } from '../hardware/storage-layout.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { DIST_DIR } from '../provisioner/flash/run.ts';
import { decodeMessage, Phase, UpdateState } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import { until } from './helpers/link-io.ts';
import { watchUpdateSide } from './helpers/update-side-watch.ts';
import { hostClient, startUpdateRig, type UpdateRig } from './helpers/update-site.ts';

const ID = 'desk-call';
let rig: UpdateRig;
let watch: MqttClient;
let sim: Simulator | undefined;
const said: { state: number; detail: string }[] = [];

beforeAll(async () => {
  rig = await startUpdateRig([ID]);
  watch = await hostClient(rig, 'watch');
  watch.on('message', (_t, payload) => said.push(decodeMessage('UpdateStatus', payload) as (typeof said)[0]));
  await watch.subscribeAsync(upTopic(ID, 'update'), { qos: 1 });
}, 60_000);
afterAll(async () => {
  sim?.close();
  await watch.endAsync(true);
  await rig.close();
});

it('marks the image healthy in the call without its update side, and tells the rollback once the call is over', async () => {
  const plan = storagePlan(loadBoard('linux'));
  const image = readFileSync(join(DIST_DIR, 'linux.js'));
  const trailer = plan.slotBytes - Tr.BYTES;
  sim = new Simulator({ board: 'linux', clock: 'real' });
  sim.storage.jsf.eraseAll();
  // deskphone flash's layout without slot A's healthy word: the boot after an update, on trial.
  for (const w of layoutWithStub(plan, { selector: readFileSync(join(DIST_DIR, 'linux.boot.js')), image, version: packageVersion() })) {
    if (!(w.name === 'dp.a' && w.offset === trailer + Tr.OK)) sim.storage.put(w.name, w.data, w.offset, w.size);
  }
  // Slot B: an image of a later generation that failed, its rollback not yet told.
  sim.storage.put('dp.b', image, Tr.IMG);
  sim.storage.put('dp.b', Buffer.from(imageMeta(image, 2, 120, '9.9.9-bad'), 'latin1'), trailer + Tr.META);
  sim.storage.put('dp.b', new Uint8Array(4), trailer + Tr.BAD);
  sim.storage.put('dp.b', 'boot: broken', trailer + Tr.WHY);
  sim.storage.put('deskphone.json', JSON.stringify({ v: 1, id: ID, board: 'linux', host: '127.0.0.1', port: rig.broker.tcpPort, pass: rig.secrets[ID], lang: 'de', digits: 12 }));
  sim.boot();
  expect(sim.eval('DPB.n+" "+DPB.ok+" "+DPB.rb')).toBe('dp.a false 9.9.9-bad: boot: broken');
  const loads = watchUpdateSide(sim);
  // Ringing before the link is up: the birth's PUBACK comes in the call.
  const T = Date.now();
  const snap = (phase: number, seq: number) =>
    sim!.eval(`DP.post({t:'snap',n:0,v:${JSON.stringify({ station: ID, phase, seq, hostTimeMs: T, areas: [1], call: phase === Phase.RINGING ? { callId: 'c-1', menu: 4, area: 1, offeredMs: T } : null })}})`);
  snap(Phase.RINGING, 1);
  expect(sim.eval('DP.state().sn.phase')).toBe(Phase.RINGING);

  const a = sim.storage.jsf.find('dp.a')!;
  await until(() => sim!.storage.jsf.flash.word(a.addr + trailer + Tr.OK) === 0, 'slot A marked healthy after the birth', 20_000);
  expect(sim.eval('DP.state().sn.phase')).toBe(Phase.RINGING);
  expect(loads(), 'phases the update side was evaluated in').toEqual([]);
  expect(said).toEqual([]);

  snap(Phase.AVAILABLE, 2);
  await until(() => said.length > 0, 'the rollback told', 10_000);
  expect(said).toMatchObject([{ state: UpdateState.FAILED, detail: 'rolled back from 9.9.9-bad: boot: broken' }]);
  expect(loads()).toEqual([Phase.AVAILABLE]);
  // Told once: later posts do not evaluate it again.
  await new Promise((r) => setTimeout(r, 1500));
  expect(loads()).toEqual([Phase.AVAILABLE]);
  expect(sim.errors).toEqual([]);
}, 60_000);
