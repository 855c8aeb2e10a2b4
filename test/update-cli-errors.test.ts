// `deskphone update` refuses a bad command line or image before it sends or
// writes anything: the error names the problem and the fix, the exit code is
// non-zero, no run is recorded and no lock is left behind.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inWindow, parseDuration, parseRate, parseWindow } from '../provisioner/update/plan.ts';
import { randomImage, startUpdateRig, type UpdateRig } from './helpers/update-site.ts';

let rig: UpdateRig;
let linux: string;

beforeAll(async () => {
  rig = await startUpdateRig(['wv-01', 'wv-02']);
  linux = rig.bundle('linux', randomImage(4000), '2.0.0');
});
afterAll(() => rig.close());

const runs = () => (rig.registry.db.prepare('SELECT COUNT(*) AS n FROM update_runs').get() as { n: number }).n;

describe('deskphone update refuses, naming problem and fix, leaving nothing behind', () => {
  it.each([
    ['an unknown station', ['--stations', 'wv-01,nope'], /error: no station "nope"\n {2}fix: check the ids with `deskphone station list`; nothing was sent/],
    ['a window that is no time range', ['--stations', 'all', '--window', '25:00-07:00'], /--window "25:00-07:00" is not a time range\n {2}fix: give it as HH:MM-HH:MM/],
    ['a rate that is no rate', ['--stations', 'all', '--rate', 'fast'], /--rate "fast" is not a byte rate\n {2}fix: give bytes per second like 200KB/],
    ['a canary time that is no duration', ['--stations', 'all', '--canary-time', 'soon'], /--canary-time "soon" is not a duration/],
    ['no concurrency', ['--stations', 'all', '--concurrency', '0'], /--concurrency 0 is not a whole number of at least 1/],
    ['an area nobody serves', ['--stations', 'all', '--area', 'KM'], /no station to update in area KM with the linux image 2\.0\.0\n {2}fix: check `deskphone station list`/],
  ])('%s', async (_what, argv, message) => {
    const { code, err } = await rig.update('--firmware', linux, ...argv).done;
    expect(code).not.toBe(0);
    expect(err).toMatch(message);
    expect(runs()).toBe(0);
    expect(existsSync(join(rig.home, 'update.lock'))).toBe(false);
  });

  it('an image for another board than the named stations run', async () => {
    const pixl = rig.bundle('pixl', randomImage(3000), '2.0.0', 'pixljs-w5100');
    const { code, err } = await rig.update('--firmware', pixl, '--stations', 'wv-01').done;
    expect([code, err]).toEqual([1, expect.stringMatching(/the image is for pixljs-w5100, but not wv-01 \(linux\)\n {2}fix: update those with --firmware <their board>/)]);
    expect(runs()).toBe(0);
  });

  it('a bundle that changed after its manifest was written, or has none', async () => {
    const changed = rig.bundle('changed', randomImage(3000), '2.0.0');
    writeFileSync(changed, randomImage(3000));
    const one = await rig.update('--firmware', changed, '--stations', 'all').done;
    expect(one.err).toMatch(/changed\.js does not match its manifest: CRC-32, SHA-256 differ\n {2}fix: the bundle changed after the build/);
    const bare = join(rig.home, 'bare.js');
    writeFileSync(bare, 'x');
    const two = await rig.update('--firmware', bare, '--stations', 'all').done;
    expect(two.err).toMatch(/no manifest beside .*bare\.js \(expected .*bare\.json\)\n {2}fix: use a bundle from `npm run build`/);
    expect([one.code, two.code, runs()]).toEqual([1, 1, 0]);
  });

  it('a second update while one runs on the same data directory', async () => {
    writeFileSync(join(rig.home, 'update.lock'), `${process.pid}\n`);
    const { code, err } = await rig.update('--firmware', linux, '--stations', 'all').done;
    expect([code, err]).toEqual([1, expect.stringMatching(new RegExp(`another deskphone update is running on this data directory \\(pid ${process.pid}\\)`))]);
    // a lock whose process is gone is taken over (here: the run then finds no desk online and reports them offline)
    writeFileSync(join(rig.home, 'update.lock'), '999999999\n');
    const taken = await rig.update('--firmware', linux, '--stations', 'all', '--offline-timeout', '0s').done;
    expect(taken.out).toContain('offline 2');
    expect(existsSync(join(rig.home, 'update.lock'))).toBe(false);
  });
});

describe('update plan values', () => {
  it('reads durations, rates and windows as an admin writes them', () => {
    expect([parseDuration('10m', 'x'), parseDuration('90', 'x'), parseDuration('250ms', 'x'), parseDuration('1.5h', 'x')]).toEqual([600_000, 90_000, 250, 5_400_000]);
    expect([parseRate('200KB'), parseRate('64KiB'), parseRate('1MB/s'), parseRate('5000')]).toEqual([200_000, 65_536, 1_000_000, 5000]);
    const night = parseWindow('18:00-07:00');
    const at = (h: number, m = 0) => new Date(2026, 11, 3, h, m);
    expect([at(17, 59), at(18), at(23, 59), at(0), at(6, 59), at(7)].map((d) => inWindow(night, d))).toEqual([false, true, true, true, true, false]);
    const lunch = parseWindow('12:00-13:30');
    expect([at(11, 59), at(12), at(13, 29), at(13, 30)].map((d) => inWindow(lunch, d))).toEqual([false, true, true, false]);
  });
});
