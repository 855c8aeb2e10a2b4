// A/B update of a two-slot desk (linux profile) in the simulator running the
// exact bundles, over the host's real broker (docs/updates.md): offer ->
// READY, chunks written in place into the other slot and read back, a bad
// chunk or a wrong offset answered with the offset the desk needs, a whole
// image with the wrong CRC failed without switching, a call mid-transfer
// answered BUSY with the offset and resumed later, VERIFIED -> reboot -> the
// new image on trial -> healthy once its birth is acknowledged. The host's
// side is played by hand (helpers/update-rig.ts updateHost) to check the
// desk's answer to each message and to send what the real command never
// does; the rollbacks (an image that throws while loading, one that sends no
// birth) run under the real command in update-rollout.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Simulator } from '../hardware/sim/simulator.ts';
import { storagePlan } from '../hardware/storage-layout.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { loadBoard } from '../hardware/board.ts';
import { encode } from '../protocol/device/codec.ts';
import { Snapshot } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { packageVersion } from '../lib/version.ts';
import { hostClient, startBroker, stationConfig, until, type TestBroker } from './helpers/link-io.ts';
import { newerImage, NEXT_VERSION, slottedSim, St, updateHost } from './helpers/update-rig.ts';

const ID = 'desk-upd';
const plan = storagePlan(loadBoard('linux'));
let broker: TestBroker;
let presence: Awaited<ReturnType<typeof hostClient>>;
let dir: string;
let v2: { image: Buffer; version: string };
let sim: Simulator | undefined;
let host: Awaited<ReturnType<typeof updateHost>> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-upd-'));
  broker = await startBroker('embedded', [ID]);
  presence = await hostClient(broker, upTopic(ID, 'presence'), 'presence');
  v2 = await newerImage('linux', dir, NEXT_VERSION);
});
afterEach(async () => {
  sim?.close();
  sim = undefined;
  await host?.end();
  host = undefined;
});
afterAll(async () => {
  await presence.end();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

const trailerWord = (slot: string, at: number) => sim!.storage.bytes(slot)!.subarray(plan.slotBytes - Tr.BYTES + at, plan.slotBytes - Tr.BYTES + at + 4).toString('hex');
const booted = () => sim!.eval('typeof DPB=="object"&&typeof DP=="object"?DPB.n:""') as string;

const T = Date.now();
const available = { station: ID, phase: 2, seq: 1, hostTimeMs: T, phaseSinceMs: T, agent: 'Anna', areas: [1] };
const snap = (s: object) => presence.client.publishAsync(downTopic(ID, 'snap'), Buffer.from(encode(Snapshot, s as never)), { qos: 1 });

async function onlineDesk(): Promise<Simulator> {
  sim = slottedSim('linux', stationConfig(broker, ID)).boot();
  await until(() => (sim!.state() as { up: boolean }).up, 'the desk online', 15000);
  // An agent available at the desk: the free phase an update runs in.
  await snap(available);
  await until(() => sim!.screen()[0] === 'Bereit', 'the available screen');
  host = await updateHost(broker, ID);
  return sim;
}

async function rebootedInto(slot: string) {
  await until(() => booted() === slot && (sim!.state() as { up: boolean }).up, `the desk online again from ${slot}`, 20000);
}

test('an offer, chunks into the other slot, VERIFIED, reboot into the new image, healthy after its birth', async () => {
  await onlineDesk();
  expect(booted()).toBe('dp.a');
  await host!.offer(v2.image, v2.version);
  expect(await host!.next('the answer to the offer')).toMatchObject({ id: 'run-1', state: St.READY, offset: 0, version: packageVersion() });
  expect(sim!.screen().join('\n')).toContain('Update 0%');
  const last = await host!.send(v2.image, 0);
  expect(last).toMatchObject({ state: St.VERIFIED, offset: v2.image.length });
  await rebootedInto('dp.b');
  expect(sim!.eval('DPB.g')).toBe(2);
  // Healthy once the broker acknowledged its birth.
  await until(() => trailerWord('dp.b', Tr.OK) === '00000000', 'the healthy word');
  expect(sim!.storage.bytes('dp.b')!.subarray(4, 4 + v2.image.length)).toEqual(v2.image);
  // The same image offered again: already current.
  await host!.offer(v2.image, v2.version);
  expect(await host!.next('the answer to the second offer')).toMatchObject({ state: St.CURRENT, version: v2.version });
  expect(sim!.errors).toEqual([]);
});

test('a chunk with a bad CRC or at the wrong offset is answered with the offset the desk needs', async () => {
  await onlineDesk();
  await host!.offer(v2.image, v2.version);
  await host!.next('READY');
  await host!.chunk(v2.image, 0);
  expect(await host!.next('chunk 0')).toMatchObject({ state: St.RECEIVING, offset: 1024 });
  await host!.chunk(v2.image, 1024, 1024, { crc32: 12345 });
  expect(await host!.next('a bad chunk')).toMatchObject({ state: St.RECEIVING, offset: 1024, detail: 'chunk crc' });
  await host!.chunk(v2.image, 3072);
  expect(await host!.next('a chunk ahead')).toMatchObject({ state: St.RECEIVING, offset: 1024, detail: 'offset' });
  // Nothing of the bad chunk reached the slot.
  expect(sim!.storage.bytes('dp.b')!.subarray(4 + 1024, 4 + 2048).every((b) => b === 0xff)).toBe(true);
  expect((await host!.send(v2.image, 1024)).state).toBe(St.VERIFIED);
  await rebootedInto('dp.b');
});

test('a whole image whose CRC is not the offered one is FAILED and nothing is switched', async () => {
  await onlineDesk();
  const wrong = Buffer.from(v2.image);
  wrong[100] ^= 1;
  // The offer names the real image; the chunks carry the altered one (each with its own right CRC).
  await host!.offer(v2.image, v2.version);
  await host!.next('READY');
  const last = await host!.send(wrong, 0);
  expect(last).toMatchObject({ state: St.FAILED, detail: 'image crc' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(booted()).toBe('dp.a');
  expect(sim!.storage.bytes('dp.b')!.every((b, i) => i < 4 || b === 0xff)).toBe(true);
  expect(sim!.errors).toEqual([]);
});

test('a call mid-transfer is answered BUSY with the offset; the transfer resumes there once the desk is free', async () => {
  await onlineDesk();
  await host!.offer(v2.image, v2.version);
  await host!.next('READY');
  for (let at = 0; at < 4096; at += 1024) {
    await host!.chunk(v2.image, at);
    await host!.next('a chunk');
  }
  await snap({ ...available, phase: 3, seq: 2, call: { callId: 'c-1', menu: 4, area: 1, ivrAccount: '400012345678', offeredMs: T } });
  await until(() => sim!.screen().some((l) => l.includes('Hausanschl')), 'the ringing screen');
  await host!.chunk(v2.image, 4096);
  expect(await host!.next('a chunk during the call')).toMatchObject({ state: St.BUSY, offset: 4096 });
  await host!.offer(v2.image, v2.version);
  // The firmware answers an offer in a call without its update side (which would read the slot): no offset, the host keeps the one it was told.
  expect(await host!.next('an offer during the call')).toMatchObject({ state: St.BUSY, offset: 0, detail: 'in a call' });
  await snap({ ...available, seq: 3 });
  await until(() => !sim!.screen().some((l) => l.includes('Hausanschl')), 'the call over');
  await host!.offer(v2.image, v2.version);
  expect(await host!.next('the offer after the call')).toMatchObject({ state: St.READY, offset: 4096 });
  expect((await host!.send(v2.image, 4096)).state).toBe(St.VERIFIED);
  await rebootedInto('dp.b');
});
