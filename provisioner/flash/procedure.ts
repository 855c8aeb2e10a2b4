// Flashing one device: check it, lay its Storage out for network updates
// (hardware/storage-layout.ts, docs/updates.md), prove every piece by CRC
// read-back, write the config, switch the boot code on last, restart.
//
// Two-slot boards (ESP32, Linux): erased, then the boot selector, slot A
// holding the verified image and an empty slot B on page boundaries, the
// firmware's own files (session counter, outbox) written back, the stub last;
// the config goes to the end. One-slot boards (the Pixl.js): erased, then the
// first page's stub and config created erased in their places, the compressed
// selector, the slot with the verified image, the session counter and outbox
// written back after it, then the config and last the stub filled in place:
// until that last write the desk boots nothing (never anything half-written),
// and the station's secret is issued only once the image verified. A flash that
// fails half-way leaves a desk that boots nothing until the same command is
// run again. An image already in its slot behind the same stub and selector
// is not sent again; on a one-slot board the config then (and with
// --config-only) changes by laying the first page out again in one step.
import type { BoardProfile } from '../../hardware/board.ts';
import { ESPRUINO_VERSION, espruinoReleaseFile } from '../../hardware/espruino.ts';
import { unitMac } from '../../firmware/src/net/ethernet.ts';
import { CONFIG_FILE, CONFIG_PATCH_FILE } from '../../protocol/device-config.ts';
import { CHUNK_BYTES, DeviceConsole, DeviceError, crc32OfBytes } from './device-console.ts';
import { FlashError } from './errors.ts';
import { EspruinoLink } from './link.ts';
import { BOOT_STUB, BOOT_STUB_COMPRESSED, SELECTOR_FILE, storagePlan } from '../../hardware/storage-layout.ts';
import { layOutOneSlot, layOutSlots, rewritePageZero } from './layout.ts';

export const BOOT_FILE = '.bootcde';
const FIRMWARE_PREFIX = 'dp-';

export type FlashStep = 'connect' | 'check' | 'firmware' | 'verify' | 'config' | 'switch' | 'restart';

export interface FlashJob {
  port: string;
  board: BoardProfile;
  /** The bundle; omitted for --config-only. */
  firmware?: Uint8Array;
  /** The boot selector (firmware/dist/<board>.boot.js), with the firmware. */
  selector?: Uint8Array;
  /** The firmware's version, written into its slot's trailer. */
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
  const outcome: FlashOutcome = { firmwareFile: null, firmwareReused: false, retries: 0, env };
  if (job.board.network.kind === 'w5100') outcome.unitMac = unitMac(await device.evaluate<string>('NRF.getAddress()'));
  // Read before anything is erased: the new config must be newer than the one the desk had (patches included).
  const deviceVersion =
    (await device.evaluate<number>(
      `(function(S){function v(f){var c=S.readJSON(f,1);return c&&c.v>0?c.v:0}return Math.max(v(${JSON.stringify(CONFIG_FILE)}),v(${JSON.stringify(CONFIG_PATCH_FILE)}))})(require("Storage"))`,
    )) ?? 0;
  const config = async () => {
    step('config');
    return job.config(deviceVersion);
  };

  const plan = storagePlan(job.board);
  const oneSlot = plan.slots.length === 1;
  // Where the config goes: laid out with a new one-slot layout, into its first page, or a file of its own.
  let configIn: 'layout' | 'page zero' | 'file' = 'file';
  if (job.firmware) {
    const laid = oneSlot ? await layOutOneSlot(device, job, files, step, config) : await layOutSlots(device, job, files, step);
    outcome.firmwareFile = laid.slot;
    outcome.firmwareReused = laid.reused;
    outcome.retries += laid.retries;
    if (oneSlot) configIn = laid.reused ? 'page zero' : 'layout';
  } else {
    const kept = await firmwareToKeep(device, job, files);
    outcome.firmwareFile = kept.file;
    if (kept.pageZero) configIn = 'page zero';
  }
  if (configIn !== 'layout') {
    outcome.retries +=
      configIn === 'page zero' ? await rewritePageZero(device, plan, config, job) : await writeVerified(device, CONFIG_FILE, await config(), (done, total) => job.onBytes?.('config', done, total), step);
    // The patches the desk took over the network since the last flash belong to the config just replaced.
    if (files.includes(CONFIG_PATCH_FILE)) await device.evaluate(`require("Storage").erase(${JSON.stringify(CONFIG_PATCH_FILE)})`);
  }
  step('restart');
  await device.send('load()');
  return outcome;
}

/** --config-only: the firmware the device boots now (its slot's selector, or an earlier release's dp-<crc>.js), and whether its config lies in the first page. */
async function firmwareToKeep(device: DeviceConsole, job: FlashJob, files: string[]): Promise<{ file: string; pageZero: boolean }> {
  const stub = files.includes(BOOT_FILE) ? await device.evaluate<string>(`require("Storage").read(${JSON.stringify(BOOT_FILE)})`) : '';
  const slotted = (stub === BOOT_STUB || stub === BOOT_STUB_COMPRESSED) && files.includes(SELECTOR_FILE);
  const file = slotted ? SELECTOR_FILE : /"(dp-[0-9a-f]{8}\.js)"/.exec(stub ?? '')?.[1];
  if (!file || !files.includes(file))
    throw new FlashError('device-error', `the device on ${job.port} has no deskphone firmware to keep`, 'flash the firmware too (leave out --config-only)');
  return { file, pageZero: stub === BOOT_STUB_COMPRESSED };
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
