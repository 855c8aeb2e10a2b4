// `deskphone update` against desks on a real broker: offers, acknowledged
// chunks, resume after a desk's power cut and after the host's Ctrl-C, a desk
// in a call, a desk already current, an offline desk that gets nothing queued,
// canaries and the stop on a rollback, an image corrupted in flight. The desks
// are the protocol-level double (helpers/update-desk-double.ts) until the
// firmware's update path is on main.
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage, Phase, UpdateState } from '../protocol/host-codec.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';
import { startProxy, type TcpProxy } from './helpers/tcp-proxy.ts';
import { DeskDouble } from './helpers/update-desk-double.ts';
import { corruptChunk, hostClient, randomImage, startUpdateRig, type UpdateRig } from './helpers/update-site.ts';

const OLD = randomImage(3000);
const NEW = randomImage(5200);

let rig: UpdateRig;
const desks: DeskDouble[] = [];
const proxies: TcpProxy[] = [];

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') console.log(rig.printed(), desks.map((d) => [d.version, d.received.join(' ')]));
  await Promise.all(desks.splice(0).map((d) => d.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await rig?.close();
});

function desk(id: string, extra: Partial<ConstructorParameters<typeof DeskDouble>[0]> = {}): DeskDouble {
  const d = new DeskDouble({ url: rig.broker.url, id, secret: rig.secrets[id], board: 'linux', version: '1.0.0', image: OLD, ...extra });
  desks.push(d);
  return d;
}

function until(d: DeskDouble, state: number): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: number) => s === state && (d.off('status', on), resolve());
    d.on('status', on);
  });
}

describe('deskphone update', () => {
  it('updates a fleet: one resumes after a power cut, one waits out its call, one is current, an offline desk gets nothing queued', async () => {
    rig = await startUpdateRig(['d-cut', 'd-call', 'd-current', 'd-ok', 'd-off']);
    const file = rig.bundle('linux', NEW, '2.0.0');
    const cut = desk('d-cut', { dieAtByte: 3072 });
    const call = desk('d-call');
    const current = desk('d-current', { image: NEW, version: '2.0.0' });
    const ok = desk('d-ok');
    const off = desk('d-off');
    await Promise.all([cut, call, current, ok, off].map((d) => d.boot()));
    off.powerCut();
    call.inCall = true;
    const busy = until(call, UpdateState.BUSY);

    const run = rig.update('--firmware', file, '--stations', 'all', '--offline-timeout', '1s');
    await busy;
    call.inCall = false;
    await rig.snapshot('d-call', Phase.AVAILABLE);
    const { code, out } = await run.done;

    const results = Object.fromEntries(rig.store.history('d-cut').concat(...['d-call', 'd-current', 'd-ok', 'd-off'].map((id) => rig.store.history(id))).map((h) => [h.station, h.state]));
    expect(results).toEqual({ 'd-cut': 'updated', 'd-call': 'updated', 'd-current': 'current', 'd-ok': 'updated', 'd-off': 'offline' });
    expect(out).toContain('updated 3, already current 1, offline 1');
    expect(code).toBe(1);
    for (const d of [cut, call, ok]) expect([d.version, crc32(d.image)]).toEqual(['2.0.0', crc32(NEW)]);
    // resumed at the bytes the desk had, not from the start
    const offers = cut.received.filter((r) => r === 'offer').length;
    expect(offers).toBe(2);
    expect(cut.received.slice(cut.received.lastIndexOf('offer')).some((r) => r === 'chunk 0')).toBe(false);

    // nothing was queued for the offline desk: the first thing it gets on its return is a command sent after the run
    await off.boot();
    const host = await hostClient(rig, 'check');
    const cmdArrived = new Promise<void>((resolve) => off.client!.on('message', (topic) => topic.endsWith('/dn/cmd') && resolve()));
    await host.publishAsync('dp/v1/st/d-off/dn/cmd', Buffer.from(encodeMessage('Command', { id: 'after-run', kind: 2 })), { qos: 1 });
    await cmdArrived;
    await host.endAsync(true);
    expect(off.received).toEqual(['cmd']);
  });

  it('resumes after Ctrl-C where the desk stands, in the same run', async () => {
    rig = await startUpdateRig(['d-1']);
    const file = rig.bundle('linux', NEW, '2.0.0');
    const d = desk('d-1');
    await d.boot();
    const first = rig.update('--firmware', file, '--stations', 'd-1', '--rate', '2KiB');
    await new Promise<void>((resolve) => d.on('status', () => d.received.includes('chunk 2048') && resolve()));
    first.stop();
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.out).toContain('run the same command again to resume');
    const [interrupted] = rig.store.history('d-1');
    expect(interrupted.state).toBe('sending');
    // the host sent chunk 2048 only once the desk had acknowledged 1024 (two chunks ahead)
    expect(interrupted.offset).toBeGreaterThanOrEqual(1024);

    const mark = d.received.length;
    const second = await rig.update('--firmware', file, '--stations', 'd-1').done;
    expect(second.out).toContain(`Resuming update ${interrupted.runId}`);
    expect(second.code).toBe(0);
    expect(d.received.slice(mark).filter((r) => r === 'chunk 0')).toEqual([]);
    expect(rig.store.history('d-1').map((h) => [h.runId, h.state])).toEqual([[interrupted.runId, 'updated']]);
  });

  it('stops on the first rollback of a canary, naming desk and reason; the others get no offer', async () => {
    rig = await startUpdateRig(['a-canary', 'b-1', 'b-2']);
    const file = rig.bundle('linux', NEW, '2.0.0');
    const canary = desk('a-canary', { crashAtBoot: 'ReferenceError: oops is not defined' });
    const others = [desk('b-1'), desk('b-2')];
    await Promise.all([canary, ...others].map((d) => d.boot()));
    const { code, out } = await rig.update('--firmware', file, '--stations', 'all', '--canary', '1', '--canary-time', '1s').done;
    expect(code).toBe(1);
    expect(out).toContain('Stopped: rollback on a-canary: rolled back from 2.0.0: ReferenceError: oops is not defined.');
    expect(others.map((d) => d.received)).toEqual([[], []]);
    expect(canary.version).toBe('1.0.0');
    expect(out).toContain('rolled back 1, stopped 2');
  });

  it('sends the rest only after the canary ran the new version for the canary time', async () => {
    rig = await startUpdateRig(['a-canary', 'b-1']);
    const file = rig.bundle('linux', NEW, '2.0.0');
    const canary = desk('a-canary');
    const other = desk('b-1');
    await Promise.all([canary, other].map((d) => d.boot()));
    let canaryHealthyAt = 0;
    canary.on('birth', (v) => v === '2.0.0' && (canaryHealthyAt = Date.now()));
    let otherOfferedAt = 0;
    other.on('status', () => (otherOfferedAt ||= Date.now()));
    const { code } = await rig.update('--firmware', file, '--stations', 'all', '--canary', '1', '--canary-time', '300ms').done;
    expect(code).toBe(0);
    expect(canaryHealthyAt).toBeGreaterThan(0);
    // ordering, not speed: the other desk's first answer came after the canary's probation began and ended
    expect(otherOfferedAt - canaryHealthyAt).toBeGreaterThanOrEqual(300);
  });

  it('an image corrupted in flight fails the whole-image check at the desk: nothing switched, reported', async () => {
    rig = await startUpdateRig(['d-bad', 'd-flip']);
    const file = rig.bundle('linux', NEW, '2.0.0');
    // d-bad: a byte changed and the chunk's CRC made to match (only the image CRC can tell);
    // d-flip: a byte changed in transit (the chunk CRC tells; the host sends it again)
    const port = new URL(rig.broker.url).port;
    for (const [id, fix] of [['d-bad', true], ['d-flip', false]] as const) {
      const proxy = await startProxy({ port: Number(port) }, 'pass', corruptChunk(2048, fix));
      proxies.push(proxy);
      await desk(id, { url: `mqtt://127.0.0.1:${proxy.port}` }).boot();
    }
    const { code, out } = await rig.update('--firmware', file, '--stations', 'all').done;
    expect(code).toBe(1);
    expect(rig.store.history('d-bad')[0]).toMatchObject({ state: 'failed', detail: expect.stringContaining('image CRC-32 mismatch') });
    expect(rig.store.history('d-flip')[0].state).toBe('updated');
    expect(desks.map((d) => d.version)).toEqual(['1.0.0', '2.0.0']);
    expect(out).toContain('updated 1, failed 1');
    // the registry keeps each desk's firmware and update history
    const list = (await cliIn(rig.home)('station', 'list')).out;
    expect(list).toMatch(/d-bad .*\s1\.0\.0\s+2\.0\.0 FAILED 20\d\d-\d\d-\d\d \d\d:\d\d\s+linux/);
    expect(list).toMatch(/d-flip .*\s\S+\s+2\.0\.0 updated 20\d\d-\d\d-\d\d \d\d:\d\d\s+linux/);
    expect((await cliIn(rig.home)('station', 'show', 'd-bad')).out).toMatch(/^updates \(UTC\)\s+2\.0\.0 FAILED .* \(image CRC-32 mismatch at the desk/m);
  });

  it('a one-slot desk restarts into its recovery, which gets its second stage and then the image', async () => {
    rig = await startUpdateRig(['p-1', 'p-2'], 'pixljs-w5100');
    const withStage2 = rig.bundle('pixljs-w5100', NEW, '2.0.0', 'pixljs-w5100', 'global.DPR = function () {};');
    const [one, two] = [desk('p-1', { board: 'pixljs-w5100', oneSlot: true }), desk('p-2', { board: 'pixljs-w5100', oneSlot: true })];
    await one.boot();
    const { code } = await rig.update('--firmware', withStage2, '--stations', 'p-1').done;
    expect(code).toBe(0);
    expect([one.version, one.received.filter((r) => r === 'offer' || r === 'rec')]).toEqual(['2.0.0', ['offer', 'rec']]);

    // without the second stage beside the image the run says what is missing
    await two.boot();
    const bare = rig.bundle('bare', NEW, '2.0.0', 'pixljs-w5100');
    const failed = await rig.update('--firmware', bare, '--stations', 'p-2').done;
    expect(failed.code).toBe(1);
    expect(rig.store.history('p-2')[0].detail).toMatch(/^the desk's recovery asks for its second stage, and there is no .*bare\.rec\.js beside the image/);
  });

  it('a call that arrives during the transfer pauses it; once the desk is free it goes on from the same byte', async () => {
    rig = await startUpdateRig(['d-mid']);
    const file = rig.bundle('linux', NEW, '2.0.0');
    const d = desk('d-mid');
    await d.boot();
    let busyAt = -1;
    let busyOffset = -1;
    let talking: Promise<void> | null = null;
    d.on('status', (state: number, offset: number) => {
      if (!talking && state === UpdateState.RECEIVING && offset >= 2048) {
        d.inCall = true;
        talking = rig.snapshot('d-mid', Phase.TALKING);
      }
      if (state === UpdateState.BUSY && busyAt < 0) {
        [busyAt, busyOffset] = [d.received.length, offset];
        d.inCall = false;
        // the host's snapshot follows the call's end (the broker may hand the host the snapshot before the desk's BUSY)
        void talking!.then(() => rig.snapshot('d-mid', Phase.AVAILABLE));
      }
    });
    const { code } = await rig.update('--firmware', file, '--stations', 'd-mid').done;
    expect(code).toBe(0);
    expect(busyOffset).toBeGreaterThanOrEqual(2048);
    expect(d.version).toBe('2.0.0');
    expect(d.received.slice(busyAt).filter((r) => r.startsWith('chunk ') && Number(r.slice(6)) < busyOffset)).toEqual([]);
  });
});
