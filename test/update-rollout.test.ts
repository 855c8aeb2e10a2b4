// `deskphone update` (the real command, in-process) against simulator desks
// running the exact linux bundles in the slot layout `deskphone flash`
// writes, over the embedded broker on TCP: resume after the host's Ctrl-C, an
// offline desk that gets nothing queued, canaries and the stop on a rollback,
// the rollback of an image that sends no birth in time,
// a chunk altered in flight that the chunk CRC catches, and a Pixl.js (one
// slot) through its recovery. The 20-desk fleet is update-fleet.test.ts; a call in the
// middle of a transfer, update-esp32-sim.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { storagePlan } from '../hardware/storage-layout.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { encodeMessage, UpdateState } from '../protocol/host-codec.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';
import { until } from './helpers/link-io.ts';
import type { PacketRewrite, TcpProxy } from './helpers/tcp-proxy.ts';
import { imageOf, laidOut, pixlConfig } from './helpers/pixl-update.ts';
import { newerImage, NEXT_VERSION, siteDesk } from './helpers/update-rig.ts';
import { corruptChunk, hostClient, listenToDesks, startUpdateRig, wireTap, type UpdateRig } from './helpers/update-site.ts';

const OLD = packageVersion();
const PIXL = 'pixljs-w5100';
let dir: string;
let next: Buffer;
let rig: UpdateRig | undefined;
let desks: Awaited<ReturnType<typeof listenToDesks>>;
const sims: Simulator[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-rollout-'));
  next = (await newerImage('linux', dir, NEXT_VERSION)).image;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') console.log(rig?.printed(), desks?.text());
  sims.splice(0).forEach((s) => s.close());
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await desks?.end();
  await rig?.close();
  rig = undefined;
});

/** A site of these desks (registered; the test flashes and powers them on) and the listener of what they say. */
async function site(ids: string[], board = 'linux'): Promise<UpdateRig> {
  rig = await startUpdateRig(ids, board);
  desks = await listenToDesks(rig);
  return rig;
}

async function tapped(r: UpdateRig, rewrite?: PacketRewrite) {
  const t = await wireTap(r, rewrite);
  proxies.push(t.proxy);
  return t;
}

function desk(r: UpdateRig, id: string, port?: number): Simulator {
  const sim = siteDesk(r, id, port);
  sims.push(sim);
  return sim;
}

const online = (ids: string[], version = OLD) => desks.when(() => ids.every((id) => desks.births(id, version) > 0));

describe('deskphone update', () => {
  it('resumes after Ctrl-C where the desk stands, in the same run', async () => {
    const r = await site(['d-1']);
    const tap = await tapped(r);
    desk(r, 'd-1', tap.proxy.port);
    await online(['d-1']);
    const file = r.bundle('linux', next, NEXT_VERSION);
    const first = r.update('--firmware', file, '--stations', 'd-1', '--rate', '4KiB');
    await r.untilPrinted(/ d-1 sending 3072\//);
    first.stop();
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.out).toContain('run the same command again to resume');
    const [interrupted] = r.store.history('d-1');
    expect(interrupted.state).toBe('sending');
    expect(interrupted.offset).toBeGreaterThanOrEqual(3072);

    const mark = tap.seen.length;
    const second = await r.update('--firmware', file, '--stations', 'd-1').done;
    expect(second.out).toContain(`Resuming update ${interrupted.runId}`);
    expect(second.code).toBe(0);
    expect(tap.seen.slice(mark).filter((s) => s === 'd-1 chunk 0')).toEqual([]);
    expect(r.store.history('d-1').map((h) => [h.runId, h.state])).toEqual([[interrupted.runId, 'updated']]);
  });

  it('an offline desk is reported offline and gets nothing queued in its persistent session', async () => {
    const r = await site(['d-on', 'd-off']);
    const tap = await tapped(r);
    // known to the broker (its persistent session exists), then gone
    const away = desk(r, 'd-off', tap.proxy.port);
    desk(r, 'd-on');
    await online(['d-on', 'd-off']);
    away.close();
    await desks.when(() => desks.of('d-off').some((s) => s.kind === 'will'));
    const { code, out } = await r.update('--firmware', r.bundle('linux', next, NEXT_VERSION), '--stations', 'all', '--offline-timeout', '1s').done;
    expect(out).toContain('updated 1, offline 1');
    expect(code).toBe(1);
    expect(r.store.history('d-off')[0].state).toBe('offline');

    // back: the first message it gets is a command sent after the run, nothing of the update
    const mark = tap.seen.length;
    desk(r, 'd-off', tap.proxy.port);
    await desks.when(() => desks.births('d-off', OLD) > 1);
    const host = await hostClient(r, 'check');
    await host.publishAsync('dp/v1/st/d-off/dn/cmd', Buffer.from(encodeMessage('Command', { id: 'after-run', kind: 2 })), { qos: 1 });
    await host.endAsync(true);
    await until(() => tap.seen.length > mark, 'the command at the desk');
    expect(tap.seen.slice(mark)).toEqual(['d-off cmd']);
  });

  it('stops on the first rollback of a canary, naming desk and reason; the others get no offer', async () => {
    const r = await site(['a-canary', 'b-1', 'b-2']);
    const tap = await tapped(r);
    for (const id of ['a-canary', 'b-1', 'b-2']) desk(r, id, tap.proxy.port);
    await online(['a-canary', 'b-1', 'b-2']);
    const crashing = r.bundle('crash', Buffer.from('throw new ReferenceError("oops is not defined");', 'latin1'), '6.6.6-crash');
    const { code, out } = await r.update('--firmware', crashing, '--stations', 'all', '--canary', '1', '--canary-time', '1s').done;
    expect(code).toBe(1);
    expect(out).toContain('Stopped: rollback on a-canary: rolled back from 6.6.6-crash: boot: oops is not defined.');
    expect(out).toContain('rolled back 1, stopped 2');
    expect(tap.seen.filter((s) => !s.startsWith('a-canary '))).toEqual([]);
    // the old slot boots; the new one carries its failed word, so it is never booted again
    expect(sims[0].eval('DPB.n')).toBe('dp.a');
    const plan = storagePlan(loadBoard('linux'));
    const failedWord = plan.slotBytes - Tr.BYTES + Tr.BAD;
    expect(Buffer.from(sims[0].storage.bytes('dp.b')!.subarray(failedWord, failedWord + 4)).toString('hex')).toBe('00000000');
  });

  it('an image that sends no birth within the health time is rolled back, with the reason the desk gives', async () => {
    const r = await site(['d-1']);
    const sim = desk(r, 'd-1');
    await online(['d-1']);
    const silent = r.bundle('silent', Buffer.from('global.DP={state:function(){return{up:false}}};', 'latin1'), '7.7.7-silent');
    const { code, out } = await r.update('--firmware', silent, '--stations', 'd-1', '--health-time', '2s').done;
    expect(code).toBe(1);
    expect(out).toContain('Stopped: rollback on d-1: rolled back from 7.7.7-silent: no birth in 2 s.');
    expect(sim.eval('DPB.n')).toBe('dp.a');
  });

  it('sends the rest only after the canary ran the new version for the canary time', async () => {
    const r = await site(['a-canary', 'b-1']);
    desk(r, 'a-canary');
    desk(r, 'b-1');
    await online(['a-canary', 'b-1']);
    let canaryHealthyAt = 0;
    let otherOfferedAt = 0;
    void desks.when(() => desks.births('a-canary', NEXT_VERSION) > 0).then(() => (canaryHealthyAt = Date.now()));
    void desks.when(() => desks.of('b-1').some((s) => s.kind === 'status')).then(() => (otherOfferedAt = Date.now()));
    const { code } = await r.update('--firmware', r.bundle('linux', next, NEXT_VERSION), '--stations', 'all', '--canary', '1', '--canary-time', '300ms').done;
    expect(code).toBe(0);
    expect(canaryHealthyAt).toBeGreaterThan(0);
    // ordering, not speed: the other desk's first answer came after the canary's probation began and ended
    expect(otherOfferedAt - canaryHealthyAt).toBeGreaterThanOrEqual(300);
  });

  it('a chunk altered in flight fails its CRC at the desk and is sent again', async () => {
    const r = await site(['d-flip']);
    const tap = await tapped(r, corruptChunk(2048, false));
    desk(r, 'd-flip', tap.proxy.port);
    await online(['d-flip']);
    const { code } = await r.update('--firmware', r.bundle('linux', next, NEXT_VERSION), '--stations', 'all').done;
    expect(code).toBe(0);
    expect(desks.of('d-flip').some((s) => s.state === UpdateState.RECEIVING && s.offset === 2048 && s.detail === 'chunk crc')).toBe(true);
    expect(tap.seen.filter((s) => s === 'd-flip chunk 2048').length).toBeGreaterThanOrEqual(2);
    // the registry keeps each desk's firmware and update history
    expect((await cliIn(r.home)('station', 'list')).out).toMatch(new RegExp(`d-flip .*\\s\\S+\\s+${NEXT_VERSION.replace(/\./g, '\\.')} updated 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+linux`));
  });

  it('a one-slot desk (Pixl.js) restarts into its recovery, which gets its second stage and then the image', async () => {
    const r = await site(['p-1', 'p-2'], PIXL);
    for (const id of ['p-1', 'p-2']) {
      const flash = laidOut(pixlConfig({ port: r.broker.tcpPort, secrets: r.secrets }, id), imageOf(join(DIST_DIR, PIXL + '.js'), OLD));
      sims.push(new Simulator({ board: PIXL, flash, clock: 'real' }).boot());
    }
    await online(['p-1', 'p-2']);
    const pixlNext = await newerImage(PIXL, dir, NEXT_VERSION);
    const withStage2 = r.bundle(PIXL, pixlNext.image, NEXT_VERSION, PIXL, readFileSync(join(DIST_DIR, PIXL + '.rec.js'), 'latin1'));
    const { code } = await r.update('--firmware', withStage2, '--stations', 'p-1').done;
    expect(code).toBe(0);
    expect(desks.of('p-1').filter((s) => s.state === UpdateState.REBOOTING || (s.state === UpdateState.RECOVERY && s.detail === 'code')).length).toBe(2);
    expect(desks.births('p-1', NEXT_VERSION)).toBe(1);

    // without the second stage beside the image the run says what is missing
    const bare = r.bundle('bare', pixlNext.image, NEXT_VERSION, PIXL);
    const failed = await r.update('--firmware', bare, '--stations', 'p-2').done;
    expect(failed.code).toBe(1);
    expect(r.store.history('p-2')[0].detail).toMatch(/^the desk's recovery asks for its second stage, and there is no .*bare\.rec\.js beside the image/);
  });
});
