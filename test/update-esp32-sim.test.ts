// `deskphone update` (the real command) against an ESP32 desk in the
// simulator: the exact esp32-st7789 bundle in the two-slot layout
// `deskphone flash` writes (hardware/storage-layout.ts: 2 x 69,632 B slots),
// the embedded broker with presence and a real registry. A good image, with a
// call in the middle of the transfer: the desk says BUSY, the host waits for
// the snapshot to say free and resumes at the same byte; the new image boots
// and its birth ends the run. Then an image that throws while loading: the
// old slot boots, the desk tells why, the command reports the rollback.
// In the call the firmware's update side stays in its slot (its code would
// take more variables than a call leaves on the 2950-variable build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadBoard } from '../hardware/board.ts';
import type { Simulator } from '../hardware/sim/simulator.ts';
import { storagePlan } from '../hardware/storage-layout.ts';
import { packageVersion } from '../lib/version.ts';
import { decodeMessage, encodeMessage, Phase, UpdateState } from '../protocol/host-codec.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { until } from './helpers/link-io.ts';
import { newerImage, slottedSim } from './helpers/update-rig.ts';
import { watchUpdateSide } from './helpers/update-side-watch.ts';
import { hostClient, startUpdateRig, type UpdateRig } from './helpers/update-site.ts';

const BOARD = 'esp32-st7789';
const ID = 'esp-01';
const NEXT = '9.9.9-esp';
const dir = mkdtempSync(join(tmpdir(), 'update-esp32-'));
let rig: UpdateRig;
let watch: MqttClient;
let sim: Simulator | undefined;
let update: ReturnType<UpdateRig['update']> | undefined;
/** The desk's UpdateStatus answers, in order. */
const said: { state: number; offset: number; detail: string; id: string }[] = [];

beforeAll(async () => {
  rig = await startUpdateRig([ID], BOARD);
  watch = await hostClient(rig, 'watch');
  watch.on('message', (_t, payload) => said.push(decodeMessage('UpdateStatus', payload) as (typeof said)[0]));
  await watch.subscribeAsync(upTopic(ID, 'update'), { qos: 1 });
}, 60_000);
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') console.log(rig.printed(), said, sim?.errors);
  update?.stop();
  await update?.done;
  update = undefined;
  sim?.close();
  sim = undefined;
});
afterAll(async () => {
  await watch.endAsync(true);
  await rig.close();
  rmSync(dir, { recursive: true, force: true });
});

const T = Date.now();
const snapshot = (phase: number, seq: number) =>
  watch.publishAsync(
    downTopic(ID, 'snap'),
    Buffer.from(encodeMessage('Snapshot', { station: ID, phase, seq, hostTimeMs: T, ...(phase === Phase.RINGING ? { call: { callId: 'c-1', menu: 4, area: 1, ivrAccount: '400012345678', offeredMs: T } } : {}) })),
    { qos: 1, retain: true },
  );
const running = () => sim!.eval('typeof DPB=="object"&&typeof DP=="object"&&DP.state().up?DPB.n+" "+DP.state().fw:""') as string;

/** A desk flashed with this release in slot A, online and available. */
async function flashedDesk(): Promise<void> {
  const config = { v: 1, id: ID, board: BOARD, host: '127.0.0.1', port: rig.broker.tcpPort, pass: rig.secrets[ID], lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'wlan-pass' } };
  sim = slottedSim(BOARD, config).boot();
  await until(() => running() === 'dp.a ' + packageVersion(), 'the desk online from slot A', 20_000);
  await snapshot(Phase.AVAILABLE, 1);
  await until(() => sim!.screen()[0] === 'Bereit', 'the available screen');
}

it('lays out two slots of 69,632 B', () => {
  const plan = storagePlan(loadBoard(BOARD));
  expect(plan.slots).toEqual(['dp.a', 'dp.b']);
  expect(plan.slotBytes).toBe(69_632);
});

it('updates an esp32-st7789 desk, pausing for a call without evaluating its update side in it', async () => {
  const next = await newerImage(BOARD, dir, NEXT);
  const file = rig.bundle('esp-next', next.image, NEXT);
  await flashedDesk();
  const loads = watchUpdateSide(sim!);
  const from = said.length;
  const run = (update = rig.update('--firmware', file, '--stations', ID, '--health-time', '30s'));

  await until(() => said.slice(from).filter((s) => s.state === UpdateState.RECEIVING).length >= 4, 'four chunks received', 20_000);
  await snapshot(Phase.RINGING, 2);
  await until(() => said.slice(from).some((s) => s.state === UpdateState.BUSY), 'BUSY when the call rings', 10_000);
  const busy = said.slice(from).find((s) => s.state === UpdateState.BUSY)!;
  expect(busy.offset).toBeGreaterThanOrEqual(4096);
  // A host that offers in the call (its snapshot late): BUSY again, from the firmware without its update side.
  const runId = busy.id;
  const before = said.length;
  await watch.publishAsync(downTopic(ID, 'offer'), Buffer.from(encodeMessage('UpdateOffer', { id: runId, version: NEXT, size: next.image.length, crc32: 1, chunkSize: 1024, healthS: 30 })), { qos: 1 });
  await until(() => said.length > before, 'the answer to an offer in the call');
  expect(said.at(-1)).toMatchObject({ id: runId, state: UpdateState.BUSY, detail: 'in a call' });
  expect(sim!.screen().join('\n')).toContain('Hausanschl');
  // Evaluated while available (phase 2) for the offer, never while it rang.
  expect(loads()).toEqual([Phase.AVAILABLE]);

  await snapshot(Phase.AVAILABLE, 3);
  const { code, out } = await run.done;
  expect(code, out).toBe(0);
  expect(out).toMatch(new RegExp(`${ID}\\s+updated\\s+${packageVersion().replace(/\./g, '\\.')}\\s+${NEXT}`));
  // Resumed where the call stopped it, not from 0.
  const readies = said.slice(from).filter((s) => s.state === UpdateState.READY);
  expect(readies.map((s) => s.offset)).toEqual([0, busy.offset]);
  await until(() => running() === 'dp.b ' + NEXT, 'the new image online from slot B', 20_000);
  expect(sim!.errors).toEqual([]);
}, 90_000);

it('reports the rollback of an esp32-st7789 image that throws while loading, and the old slot boots', async () => {
  const crashing = Buffer.from('throw new Error("broken at boot");', 'latin1');
  const file = rig.bundle('esp-crash', crashing, '6.6.6-crash');
  await flashedDesk();
  const { code, out } = await (update = rig.update('--firmware', file, '--stations', ID, '--health-time', '30s')).done;
  expect(code).toBe(1);
  expect(out).toContain('rolled back from 6.6.6-crash: boot: broken at boot');
  expect(rig.store.history(ID)[0]).toMatchObject({ state: 'rolled-back' });
  expect(running()).toBe('dp.a ' + packageVersion());
}, 60_000);
