// Flashing one device: check it, write firmware and config to Storage, prove
// both by CRC read-back, switch the boot code over, restart.
//
// Never a half-written firmware that boots: the bundle goes to a file named
// by its CRC (dp-<crc>.js), .bootcde is only a one-line stub that evals the
// verified file, and the stub is written (in one Storage.write) after the
// verification. Until then the old stub boots the old firmware. Where Storage
// cannot hold old and new bundles at once (Pixl.js: 36 KB), the old stub and
// bundle are erased first, so a flash that fails half-way leaves nothing that
// runs; running the command again finishes it.
//
// Boards with room for two firmware slots (ESP32, Linux) get Storage laid out
// for network updates instead (hardware/storage-layout.ts, docs/updates.md):
// erased, then the boot stub, the boot selector, slot A holding the verified
// image and an empty slot B, all on page boundaries; the firmware's own files
// (session counter, outbox) are kept across. An image already in a slot is
// not sent again. A flash that fails half-way leaves a desk that boots
// nothing (the stub goes last) until the same command is run again.
import type { BoardProfile } from '../../hardware/board.ts';
import { ESPRUINO_VERSION, espruinoReleaseFile } from '../../hardware/espruino.ts';
import { unitMac } from '../../firmware/src/net/ethernet.ts';
import { CONFIG_FILE } from '../../protocol/device-config.ts';
import { CHUNK_BYTES, DeviceConsole, DeviceError, crc32OfBytes } from './device-console.ts';
import { FlashError } from './errors.ts';
import { EspruinoLink } from './link.ts';
import { BOOT_STUB, crc32, IMAGE_OFFSET, layoutWrites, SELECTOR_FILE, storagePlan, TRAILER_BYTES, TRAILER_META } from '../../hardware/storage-layout.ts';

export const BOOT_FILE = '.bootcde';
const FIRMWARE_PREFIX = 'dp-';
/** Storage's cost per file: 32-byte header, size rounded up to 4 (measured on 2v29). */
const footprint = (size: number) => 32 + Math.ceil(size / 4) * 4;

export type FlashStep = 'connect' | 'check' | 'firmware' | 'verify' | 'config' | 'switch' | 'restart';

export interface FlashJob {
  port: string;
  board: BoardProfile;
  /** The bundle; omitted for --config-only. */
  firmware?: Uint8Array;
  /** The boot selector (firmware/dist/<board>.boot.js), with the firmware on two-slot boards. */
  selector?: Uint8Array;
  /** The firmware's version, written into its slot's trailer (two-slot boards). */
  version?: string;
  /**
   * The config file's bytes, asked for once the firmware is verified: making
   * it may rotate the station's secret, which should not happen for a device
   * that fails before. Gets the version of the config on the device (0: none),
   * so the new one can be newer.
   */
  config: (deviceConfigVersion: number) => Promise<Uint8Array>;
  /** Bytes the config will have, for the space check (a secret's length does not vary). */
  configSize: number;
  baud?: number;
  onStep?: (step: FlashStep, detail?: string) => void;
  onBytes?: (step: 'firmware' | 'config', done: number, total: number) => void;
}

export interface FlashOutcome {
  firmwareFile: string | null;
  /** True when the bundle was already on the device, verified, and not sent again. */
  firmwareReused: boolean;
  retries: number;
  env: { BOARD?: string; VERSION?: string };
  /** Wired (W5100) boards: the MAC the firmware derives from the unit's Bluetooth address. */
  unitMac?: string;
}

interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  trashBytes?: number;
}

export function firmwareFileName(firmware: Uint8Array): string {
  return FIRMWARE_PREFIX + crc32OfBytes(firmware).toString(16).padStart(8, '0') + '.js';
}

export function bootStub(firmwareFile: string): string {
  return `eval(require("Storage").read(${JSON.stringify(firmwareFile)}));`;
}

export async function flashDevice(job: FlashJob): Promise<FlashOutcome> {
  const step = job.onStep ?? (() => undefined);
  step('connect', job.port);
  const link = await EspruinoLink.connect(job.port, { board: job.board, baud: job.baud });
  try {
    const device = new DeviceConsole(link);
    await device.wake();
    return await runSteps(device, job, step);
  } catch (err) {
    throw classify(err, job);
  } finally {
    await link.close();
  }
}

async function runSteps(device: DeviceConsole, job: FlashJob, step: NonNullable<FlashJob['onStep']>): Promise<FlashOutcome> {
  step('check');
  const env = await device.evaluate<{ BOARD?: string; VERSION?: string; MODULES?: string }>('process.env');
  if (env?.BOARD !== job.board.espruinoBoard)
    throw new FlashError(
      'wrong-board',
      `the device on ${job.port} is a ${env?.BOARD ?? 'device that does not say'} (Espruino ${env?.VERSION ?? '?'}), not a ${job.board.espruinoBoard} as board profile ${job.board.name} needs`,
      `pass the matching --board (see hardware/boards/), or plug in a ${job.board.title}`,
    );
  checkFirmware(env, job);
  const files = (await device.evaluate<string[]>('require("Storage").list()')) ?? [];
  const stats = await device.evaluate<StorageStats>('require("Storage").getStats()');
  const outcome: FlashOutcome = { firmwareFile: null, firmwareReused: false, retries: 0, env };
  if (job.board.network.kind === 'w5100') outcome.unitMac = unitMac(await device.evaluate<string>('NRF.getAddress()'));

  const slotted = storagePlan(job.board).slots.length > 1;
  if (job.firmware && slotted) {
    const laid = await layOutSlots(device, job, files, step);
    outcome.firmwareFile = laid.slot;
    outcome.firmwareReused = laid.reused;
    outcome.retries += laid.retries;
  } else if (job.firmware) {
    const name = firmwareFileName(job.firmware);
    outcome.firmwareFile = name;
    const present = files.includes(name) ? await device.fileCrc(name) : null;
    const crc = crc32OfBytes(job.firmware);
    outcome.firmwareReused = present?.crc === crc && present.size === job.firmware.length;
    if (!outcome.firmwareReused) {
      await makeRoom(device, job, files, stats, name);
      step('firmware', name);
      outcome.retries += await writeVerified(device, name, job.firmware, (done, total) => job.onBytes?.('firmware', done, total), step);
    }
  } else {
    const stub = files.includes(BOOT_FILE) ? await device.evaluate<string>(`require("Storage").read(${JSON.stringify(BOOT_FILE)})`) : '';
    const current = stub === BOOT_STUB && files.includes(SELECTOR_FILE) ? SELECTOR_FILE : /"(dp-[0-9a-f]{8}\.js)"/.exec(stub ?? '')?.[1];
    if (!current || !files.includes(current))
      throw new FlashError('device-error', `the device on ${job.port} has no deskphone firmware to keep`, 'flash the firmware too (leave out --config-only)');
    outcome.firmwareFile = current;
  }

  step('config');
  const deviceVersion = await device.evaluate<number>(`(function(c){return c&&c.v>0?c.v:0})(require("Storage").readJSON(${JSON.stringify(CONFIG_FILE)},1))`);
  const config = await job.config(deviceVersion ?? 0);
  outcome.retries += await writeVerified(device, CONFIG_FILE, config, (done, total) => job.onBytes?.('config', done, total), step);
  if (job.firmware && !slotted) {
    step('switch', outcome.firmwareFile!);
    outcome.retries += await writeVerified(device, BOOT_FILE, Buffer.from(bootStub(outcome.firmwareFile!), 'latin1'), undefined, step);
    for (const old of files) if (old.startsWith(FIRMWARE_PREFIX) && old !== outcome.firmwareFile) await device.evaluate(`require("Storage").erase(${JSON.stringify(old)})`);
  }
  step('restart');
  await device.send('load()');
  return outcome;
}

/** Files the firmware writes that outlive a flash: the session counter (key prefixes stay unique) and the outbox (actions not yet delivered). */
const KEPT_FILES = ['deskphone.ses', 'deskphone.out'];

/**
 * Two-slot boards: lays Storage out in slots unless a slot already holds this
 * image behind the same stub and selector. Every file is read back by CRC;
 * a mismatch lays it all out once more.
 */
async function layOutSlots(device: DeviceConsole, job: FlashJob, files: string[], step: NonNullable<FlashJob['onStep']>): Promise<{ slot: string; reused: boolean; retries: number }> {
  if (!job.selector) throw new Error('flashDevice: a two-slot board needs the boot selector with the firmware');
  const plan = storagePlan(job.board);
  const image = job.firmware!;
  const crc = crc32(image);
  const holds = async (slot: string) => {
    const meta = await device.evaluate<string>(`require("Storage").read(${JSON.stringify(slot)},${plan.slotBytes - TRAILER_BYTES + TRAILER_META},64)`);
    return typeof meta === 'string' && meta.startsWith(`${image.length},${crc},`) && (await device.rangeCrc(slot, IMAGE_OFFSET, image.length)) === crc;
  };
  if (files.includes(BOOT_FILE) && (await device.fileCrc(BOOT_FILE))?.crc === crc32(Buffer.from(BOOT_STUB, 'latin1')) && (await device.fileCrc(SELECTOR_FILE))?.crc === crc32(job.selector)) {
    for (const slot of plan.slots) if (files.includes(slot) && (await holds(slot))) return { slot, reused: true, retries: 0 };
  }
  const kept: [string, Uint8Array][] = [];
  for (const f of KEPT_FILES) {
    if (!files.includes(f)) continue;
    const text = await device.evaluate<string>(`require("Storage").read(${JSON.stringify(f)})`);
    if (typeof text === 'string' && text.length) kept.push([f, Buffer.from(text, 'latin1')]);
  }
  const writes = layoutWrites(plan, { selector: job.selector, image, version: job.version ?? '' });
  // The stub last: until the rest reads back right, the desk boots nothing half-written.
  const stub = { name: BOOT_FILE, data: Buffer.from(BOOT_STUB, 'latin1') };
  const slot = plan.slots[0]!;
  let retries = 0;
  for (; ; retries++) {
    step('firmware', slot);
    await device.evaluate('require("Storage").eraseAll()');
    let done = 0;
    for (const w of writes) {
      if (w.offset === undefined) await device.writeFile(w.name, w.data);
      else await device.writeAt(w.name, w.data, w.offset, w.size);
      if (w.name === slot && w.offset) job.onBytes?.('firmware', (done = Math.min(done + w.data.length, image.length)), image.length);
    }
    step('verify', slot);
    const bad = (await device.fileCrc(SELECTOR_FILE))?.crc !== crc32(job.selector) ? SELECTOR_FILE : (await holds(slot)) ? null : slot;
    if (!bad) break;
    if (retries === 1) throw mismatch(bad, 'read back wrong twice');
  }
  for (const [f, bytes] of kept) await device.writeFile(f, bytes);
  step('switch', slot);
  await device.writeFile(stub.name, stub.data);
  if ((await device.fileCrc(stub.name))?.crc !== crc32(stub.data)) throw mismatch(stub.name, 'read back wrong');
  return { slot, reused: false, retries };
}

function mismatch(name: string, what: string): FlashError {
  return new FlashError(
    'verify-mismatch',
    `${name} ${what}`,
    "the link or the flash is corrupting data: try another cable or a lower --baud; if it persists the board's flash may be failing",
  );
}

/**
 * The board's own Espruino build, before anything is written: a Pixl.js from
 * the shop runs the standard build, which reports the same BOARD as the
 * pixljs_wiznet build but has no WIZnet module, so the desk would never reach
 * the network. Only MODULES tells them apart (hardware/espruino.ts).
 */
function checkFirmware(env: { VERSION?: string; MODULES?: string }, job: FlashJob): void {
  const modules = (env.MODULES ?? '').split(',');
  const missing = job.board.firmware.modules.filter((m) => !modules.includes(m));
  const version = env.VERSION ?? '?';
  const wrongVersion = !new RegExp(`^${ESPRUINO_VERSION}(\\.|$)`).test(version);
  if (!missing.length && !wrongVersion) return;
  const lacks = missing.length
    ? ` without the ${missing.join(', ')} module${missing.length > 1 ? 's' : ''} that board profile ${job.board.name} needs for its network`
    : `, not the ${ESPRUINO_VERSION} that board profile ${job.board.name} is built and checked for`;
  throw new FlashError(
    'wrong-firmware',
    `the device on ${job.port} runs Espruino ${version}${lacks}`,
    `install Espruino's ${job.board.firmware.build} firmware ${ESPRUINO_VERSION} on it once (${espruinoReleaseFile(job.board.firmware.build)}; hardware/docs/firmware-install.md), then flash again`,
  );
}

/**
 * Checks the new bundle fits and erases what must go first. Space held by the
 * files this flash replaces (config, stub, older bundles, a partial copy of
 * this bundle from an interrupted run) counts as free.
 */
async function makeRoom(device: DeviceConsole, job: FlashJob, files: string[], stats: StorageStats, name: string): Promise<void> {
  const held = async (f: string) => (files.includes(f) ? footprint((await device.fileCrc(f))?.size ?? 0) : 0);
  const oldBundles = files.filter((f) => f.startsWith(FIRMWARE_PREFIX) && f !== name);
  let oldBundleBytes = 0;
  for (const f of oldBundles) oldBundleBytes += await held(f);
  const free = stats.freeBytes + (stats.trashBytes ?? 0) + (await held(name));
  const firmware = footprint(job.firmware!.length);
  const needed = firmware + footprint(job.configSize) + footprint(bootStub(name).length);
  const replaced = (await held(CONFIG_FILE)) + (await held(BOOT_FILE));
  if (needed > free + replaced + oldBundleBytes)
    throw new FlashError(
      'no-room',
      `not enough Storage on the device: firmware ${job.firmware!.length} B and config ${job.configSize} B need ${needed} B with file headers; at most ${free + replaced + oldBundleBytes} B of ${stats.totalBytes} B can be made free`,
      'erase other files on the device (require("Storage").eraseAll() at its console erases everything), or build a smaller bundle',
    );
  // The old firmware keeps booting while the new one is written, if both fit.
  if (firmware <= free && needed <= free + replaced) return;
  for (const f of [BOOT_FILE, ...oldBundles]) if (files.includes(f)) await device.evaluate(`require("Storage").erase(${JSON.stringify(f)})`);
}

/** Writes a file and proves it by CRC read-back; one more try on a mismatch. Returns the number of retries. */
async function writeVerified(
  device: DeviceConsole,
  name: string,
  bytes: Uint8Array,
  progress: ((done: number, total: number) => void) | undefined,
  step: NonNullable<FlashJob['onStep']>,
): Promise<number> {
  const crc = crc32OfBytes(bytes);
  for (let attempt = 0; ; attempt++) {
    // A file of the same name left by an earlier try would refuse different data at an offset.
    if (bytes.length > CHUNK_BYTES) await device.evaluate(`require("Storage").erase(${JSON.stringify(name)})`);
    await device.writeFile(name, bytes, progress);
    step('verify', name);
    const got = await device.fileCrc(name);
    if (got && got.crc === crc && got.size === bytes.length) return attempt;
    if (attempt === 1)
      throw new FlashError(
        'verify-mismatch',
        `${name} read back wrong twice (device CRC ${got ? got.crc.toString(16) : 'none'}, ${got?.size ?? 0} B; expected ${crc.toString(16)}, ${bytes.length} B)`,
        'the link or the flash is corrupting data: try another cable or a lower --baud; if it persists the board\'s flash may be failing',
      );
  }
}

function classify(err: unknown, job: FlashJob): unknown {
  if (!(err instanceof DeviceError)) return err;
  const msg = err.message;
  if (/Unable to find or create file|Too much data|Not enough free space|full/i.test(msg))
    return new FlashError('no-room', `the device's Storage refused the write: ${msg}`, 'erase other files on the device (require("Storage").eraseAll() at its console), then flash again');
  return new FlashError('device-error', `the device on ${job.port} reported: ${msg}`, 'run the command again; if it repeats, reset the device and check its console with `espruino -p ' + job.port + '`');
}

const LINK_STATE_POLLS = 20;
const LINK_STATE_POLL_MS = 250;

export interface LinkState {
  /** The firmware link's step: link | address | broker | refused | auth | online; '' when the firmware is not running. */
  step: string;
  detail: string;
  /** The Storage files, when the firmware is not running. */
  files: string[];
}

/** Asks a device's console where its network link stands (after a flash that never came online). */
export async function deviceLinkState(port: string, board: BoardProfile, baud?: number): Promise<LinkState> {
  const link = await EspruinoLink.connect(port, { board, baud });
  try {
    const device = new DeviceConsole(link);
    await device.wake();
    // A step without a detail is still in progress (e.g. a retry after a refusal): ask again until it ends.
    for (let i = 0; ; i++) {
      const state = await device.evaluate<[string, string] | null>('typeof DP=="object"?(function(s){return [s.ls,s.ld]})(DP.state()):null');
      if (!state) break;
      const [step, detail] = [state[0] ?? '', state[1] ?? ''];
      if (detail || step === 'online' || i === LINK_STATE_POLLS) return { step, detail, files: [] };
      await new Promise((r) => setTimeout(r, LINK_STATE_POLL_MS));
    }
    return { step: '', detail: '', files: await device.evaluate<string[]>('require("Storage").list()') };
  } finally {
    await link.close();
  }
}
