// A Pixl.js from `deskphone flash` to `deskphone update` and back, over a real
// pseudo-terminal and the embedded broker, with the exact bundles on the
// simulator's byte-exact flash (hardware/sim/jsflash.ts):
// 1. flashed by an earlier release (one bundle file behind a one-line stub),
//    it answers an update with the advice to flash it once;
// 2. `deskphone flash` lays Storage out in the one-slot layout
//    (hardware/storage-layout.ts), keeps the session counter, comes online;
// 3. a CONFIG patch over MQTT leaves the first page as it was;
// 4. `flash --config-only` lays the first page out again with a new secret,
//    and the image stays in its slot and boots;
// 5. `deskphone update` lands a new version through the recovery, which
//    connects with the config laid out again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, DIST_DIR } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { ptyForRepl, type Bridge } from '../hardware/sim/repl/pty.ts';
import { ALIGNMENT, FlashMemory, HEADER_BYTES, JsfStorage } from '../hardware/sim/jsflash.ts';
import { BOOT_STUB_COMPRESSED, storagePlan } from '../hardware/storage-layout.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { bootStub, firmwareFileName } from '../provisioner/flash/procedure.ts';
import type { BrokerHandle } from '../provisioner/broker/index.ts';
import { CommandKind, encodeMessage } from '../protocol/host-codec.ts';
import { downTopic } from '../protocol/topics.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import type { ReplFixture } from './helpers/repl-device.ts';
import { requires } from './helpers/requires.ts';

requires('socat');

const BOARD = 'pixljs-w5100';
const ID = 'desk-01';
const PLAN = storagePlan(loadBoard(BOARD));
const NEXT = '9.9.9-next';
const tmp = mkdtempSync(join(tmpdir(), 'flash-pixl-update-'));
const bundle = readFileSync(join(DIST_DIR, BOARD + '.js'));

let f: FlashFixture;
let broker: BrokerHandle;
let device: ReplFixture;
let pty: Bridge;
let nextFile: string;

beforeAll(async () => {
  f = await flashFixture([{ id: ID, board: BOARD }]);
  // As on a site where `deskphone up` ran: the admin account exists before the broker (update needs it).
  await f.registry.serviceCredentials('svc-admin');
  broker = await f.startBroker();
  // What an earlier release's flash left: the bundle as one file behind a one-line stub, the config, a session counter; and a file of someone else's.
  const secret = await f.registry.rotateSecret(ID);
  const config = { v: 1, id: ID, board: BOARD, host: '127.0.0.1', port: broker.tcpPort, pass: secret, lang: 'de', digits: 12 };
  const old = firmwareFileName(bundle);
  const storage = { '.bootcde': bootStub(old), [old]: bundle, 'deskphone.json': JSON.stringify(config), 'deskphone.ses': '7', 'photos.bin': new Uint8Array(1000) };
  device = await f.addDevice(BOARD, { sim: { storage } });
  pty = await ptyForRepl(device.repl.port);
  nextFile = (await buildBoard(loadBoard(BOARD), { version: NEXT, outDir: tmp })).file;
}, 120_000);
afterAll(async () => {
  await pty?.close();
  await f?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const flash = (...args: string[]) =>
  f.run('flash', '--port', pty.address, '--station', ID, '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--broker-url', broker.url, '--online-timeout', '60', ...args);
const update = (firmware: string) => f.run('update', '--broker', broker.url, '--firmware', firmware, '--stations', ID);
const storage = () => device.sim.storage;
const firstPage = () => Buffer.from(storage().flash.image.subarray(0, PLAN.page));
const slotBytes = () => Buffer.from(storage().bytes('dp.a')!);
const config = () => JSON.parse(storage().bytes('deskphone.json')!.toString('latin1'));
const trailerMeta = () => slotBytes().subarray(PLAN.slotBytes - Tr.BYTES + Tr.META, PLAN.slotBytes - Tr.BYTES + Tr.META + 64).toString('latin1');

/** Storage page by page: the files whose header lies in it, and the bytes used (headers, data and padding of every file overlapping it). */
function storageMap(image: Uint8Array): string[] {
  const jsf = new JsfStorage(new FlashMemory({ base: PLAN.base, bytes: PLAN.bytes, page: PLAN.page }, image));
  const files = jsf.list().map((name) => {
    const f = jsf.find(name)!;
    const header = f.addr - HEADER_BYTES - PLAN.base;
    return { name, header, size: f.size, end: f.addr - PLAN.base + Math.ceil(f.size / ALIGNMENT) * ALIGNMENT };
  });
  const lines: string[] = [];
  for (let p = 0; p < PLAN.bytes / PLAN.page; p++) {
    const [from, to] = [p * PLAN.page, (p + 1) * PLAN.page];
    const used = files.reduce((n, x) => n + Math.max(0, Math.min(to, x.end) - Math.max(from, x.header)), 0);
    const here = files.filter((x) => x.header >= from && x.header < to).map((x) => `${x.name} (header at ${x.header}, ${x.size} B)`);
    const inside = files.find((x) => x.header < from && x.end > from);
    lines.push(`page ${p} @0x${(PLAN.base + from).toString(16)}: ${String(used).padStart(4)} of ${PLAN.page} B used: ${[...(inside ? [`${inside.name} data`] : []), ...here].join(', ') || '-'}`);
  }
  return lines;
}

describe('a Pixl.js from deskphone flash to deskphone update', () => {
  it('flashed by an earlier release, it answers an update with the advice to flash it once', async () => {
    await until(() => online(), 'the desk online on its old layout');
    const run = await update(nextFile);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(new RegExp(`${ID}\\s+FAILED\\s.*old layout: run deskphone flash`));
  }, 90_000);

  it('deskphone flash writes the one-slot layout over the pty, keeps the session counter, and the desk comes online', async () => {
    const session = Number(storage().bytes('deskphone.ses')!.toString());
    const run = await flash();
    expect(errorOf(run)).toBe('');
    expect(run.out).toMatch(new RegExp(`^${ID} on /.*ttyDP: firmware ${bundle.length} B and config written and verified; online with firmware ${packageVersion()}`));
    const map = storageMap(storage().flash.image);
    console.log('Pixl.js Storage after deskphone flash (measured on the simulator):\n  ' + map.join('\n  '));
    expect(storage().names()).toEqual(['.bootcde', 'deskphone.json', 'dp.boot', 'dp.a', 'deskphone.ses']);
    expect(map[0]).toMatch(/^page 0 .*: 4096 of 4096 B used: \.bootcde \(header at 0, \d+ B\), deskphone\.json .*, dp\.boot .*, dp\.a \(header at 4064, 28672 B\)$/);
    for (let p = 1; p <= 7; p++) expect(map[p]).toMatch(new RegExp(`^page ${p} .*: 4096 of 4096 B used: dp\\.a data$`));
    expect(map[8]).toMatch(/^page 8 .*: deskphone\.ses/);
    expect(storage().bytes('.bootcde')!.toString('latin1')).toBe(BOOT_STUB_COMPRESSED);
    expect(slotBytes().subarray(4, 4 + bundle.length)).toEqual(bundle);
    // Kept across the flash and counted on by the new firmware's boot.
    expect(storage().bytes('deskphone.ses')!.toString()).toBe(String(session + 1));
    expect(config().pass).not.toBe('');
    expect(await f.registry.verifyStation(ID, config().pass)).toBe(true);
  }, 120_000);


  it('a CONFIG patch over MQTT is kept after the slot and leaves the first page as it was', async () => {
    const page = firstPage();
    const command = Buffer.from(encodeMessage('Command', { id: 'c-en', kind: CommandKind.CONFIG, config: { version: 5, lang: 'en' } }));
    await new Promise<void>((r) => broker.aedes.publish({ cmd: 'publish', topic: downTopic(ID, 'cmd'), payload: command, qos: 1, retain: false, dup: false } as never, () => r()));
    await until(() => storage().names().includes('deskphone.pat'), 'the stored patch');
    expect(JSON.parse(storage().bytes('deskphone.pat')!.toString())).toEqual({ v: 5, lang: 'en', digits: 12 });
    expect(firstPage()).toEqual(page);
    // No trash before the last page: a compaction never starts at the boot files or the slot.
    const trashAt = storage().jsf.stats().firstPageWithErasedFiles;
    expect(trashAt === 0 || trashAt >= PLAN.base + 8 * PLAN.page).toBe(true);
    // Read over the config at boot: the desk stays English after a reboot.
    device.sim.reboot();
    await until(() => online(), 'the desk online again');
    expect((device.sim.state() as { lang: string }).lang).toBe('en');
  }, 60_000);

  it('flash --config-only lays the first page out again: new secret, the image kept in its slot and booted, the patch gone', async () => {
    const slot = slotBytes();
    const before = config();
    const run = await flash('--config-only');
    expect(errorOf(run)).toBe('');
    expect(run.out).toMatch(new RegExp(`^${ID} on /.*: config written and verified; online with firmware ${packageVersion().replace(/\./g, '\\.')}`));
    expect(slotBytes()).toEqual(slot);
    expect(config().pass).not.toBe(before.pass);
    expect(await f.registry.verifyStation(ID, config().pass)).toBe(true);
    expect(config().v).toBeGreaterThan(5);
    expect(storage().names()).toEqual(['.bootcde', 'deskphone.json', 'dp.boot', 'dp.a', 'deskphone.ses']);
    expect(storage().bytes('.bootcde')!.toString('latin1')).toBe(BOOT_STUB_COMPRESSED);
    expect((device.sim.state() as { lang: string }).lang).toBe('de');
  }, 120_000);

  it('deskphone update then lands a new version through the recovery, which connects with the config laid out again, and the birth marks it healthy', async () => {
    const run = await update(nextFile);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('updated 1');
    await until(() => slotBytes().readUInt32LE(PLAN.slotBytes - Tr.BYTES + Tr.OK) === 0, 'the healthy word');
    expect(trailerMeta()).toMatch(new RegExp(`^\\d+,\\d+,\\d+,\\d+,${NEXT.replace(/\./g, '\\.')};`));
    expect(storage().names()).not.toContain('dp.go');
  }, 180_000);
});

function online(): boolean {
  try {
    return (device.sim.state() as { up?: boolean }).up === true;
  } catch {
    return false;
  }
}

async function until(test: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (test()) return;
  throw new Error(`not within ${ms / 1000} s: ${what}; console: ${device.sim.console.slice(-5).join(' | ')}`);
}
