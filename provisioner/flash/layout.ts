// Laying a board's Storage out for network updates (hardware/storage-layout.ts,
// docs/updates.md) over its console: two slots, or one slot with the config
// in the first page, every piece read back by CRC, the boot stub last; and
// laying a one-slot board's first page out again for a new config.
import { CONFIG_FILE } from '../../protocol/device-config.ts';
import {
  BOOT_FILE,
  BOOT_STUB,
  configFill,
  crc32,
  layoutWrites,
  oneSlotFrame,
  pageZeroWith,
  SELECTOR_FILE,
  storagePlan,
  type LayoutWrite,
  type StoragePlan,
} from '../../hardware/storage-layout.ts';
import { Tr } from '../../hardware/slot-trailer.ts';
import { CHUNK_BYTES, type DeviceConsole } from './device-console.ts';
import { FlashError } from './errors.ts';
import type { FlashJob } from './procedure.ts';

type Step = NonNullable<FlashJob['onStep']>;

/** Files the firmware writes that outlive a flash: the session counter (key prefixes stay unique) and the outbox (actions not yet delivered). */
const KEPT_FILES = ['deskphone.ses', 'deskphone.out'];

async function readKept(device: DeviceConsole, files: string[]): Promise<[string, Uint8Array][]> {
  const kept: [string, Uint8Array][] = [];
  for (const f of KEPT_FILES) {
    if (!files.includes(f)) continue;
    const text = await device.evaluate<string>(`require("Storage").read(${JSON.stringify(f)})`);
    if (typeof text === 'string' && text.length) kept.push([f, Buffer.from(text, 'latin1')]);
  }
  return kept;
}

/** The slot holds this image, sealed: its trailer names it and the device's CRC of its bytes agrees. */
async function slotHolds(device: DeviceConsole, plan: StoragePlan, slot: string, image: Uint8Array): Promise<boolean> {
  const crc = crc32(image);
  const meta = await device.evaluate<string>(`require("Storage").read(${JSON.stringify(slot)},${plan.slotBytes - Tr.BYTES + Tr.META},64)`);
  return typeof meta === 'string' && meta.startsWith(`${image.length},${crc},`) && (await device.rangeCrc(slot, Tr.IMG, image.length)) === crc;
}

/** Erases Storage and makes the layout's writes, reporting the image's bytes as they go. */
async function writeLayout(device: DeviceConsole, job: FlashJob, writes: LayoutWrite[], slot: string): Promise<void> {
  const image = job.firmware!;
  await device.evaluate('require("Storage").eraseAll()');
  let done = 0;
  for (const w of writes) {
    if (w.offset === undefined) await device.writeFile(w.name, w.data);
    else await device.writeAt(w.name, w.data, w.offset, w.size);
    if (w.name === slot && w.offset) job.onBytes?.('firmware', (done = Math.min(done + w.data.length, image.length)), image.length);
  }
}

/**
 * Two-slot boards: lays Storage out in slots unless a slot already holds this
 * image behind the same stub and selector. Every file is read back by CRC;
 * a mismatch lays it all out once more.
 */
export async function layOutSlots(device: DeviceConsole, job: FlashJob, files: string[], step: Step): Promise<{ slot: string; reused: boolean; retries: number }> {
  if (!job.selector) throw new Error('flashDevice: a slotted board needs the boot selector with the firmware');
  const plan = storagePlan(job.board);
  const image = job.firmware!;
  if (files.includes(BOOT_FILE) && (await device.fileCrc(BOOT_FILE))?.crc === crc32(Buffer.from(BOOT_STUB, 'latin1')) && (await device.fileCrc(SELECTOR_FILE))?.crc === crc32(job.selector)) {
    for (const slot of plan.slots) if (files.includes(slot) && (await slotHolds(device, plan, slot, image))) return { slot, reused: true, retries: 0 };
  }
  const kept = await readKept(device, files);
  const writes = layoutWrites(plan, { selector: job.selector, image, version: job.version ?? '' });
  // The stub last: until the rest reads back right, the desk boots nothing half-written.
  const stub = { name: BOOT_FILE, data: Buffer.from(BOOT_STUB, 'latin1') };
  const slot = plan.slots[0]!;
  let retries = 0;
  for (; ; retries++) {
    step('firmware', slot);
    await writeLayout(device, job, writes, slot);
    step('verify', slot);
    const bad = (await device.fileCrc(SELECTOR_FILE))?.crc !== crc32(job.selector) ? SELECTOR_FILE : (await slotHolds(device, plan, slot, image)) ? null : slot;
    if (!bad) break;
    if (retries === 1) throw mismatch(bad, 'read back wrong twice');
  }
  for (const [f, bytes] of kept) await device.writeFile(f, bytes);
  step('switch', slot);
  await device.writeFile(stub.name, stub.data);
  if ((await device.fileCrc(stub.name))?.crc !== crc32(stub.data)) throw mismatch(stub.name, 'read back wrong');
  return { slot, reused: false, retries };
}

/**
 * One-slot boards (the Pixl.js): the layout with the config in the first
 * page, unless the slot already holds this image behind the same stub and
 * selector (the caller then lays the first page out again with the new
 * config). Selector and slot are read back before the config is asked for
 * (which issues the station a new secret), the config before the stub is
 * filled; a mismatch anywhere lays it all out once more.
 */
export async function layOutOneSlot(
  device: DeviceConsole,
  job: FlashJob,
  files: string[],
  step: Step,
  config: () => Promise<Uint8Array>,
): Promise<{ slot: string; reused: boolean; retries: number }> {
  if (!job.selector) throw new Error('flashDevice: a slotted board needs the boot selector with the firmware');
  const plan = storagePlan(job.board);
  const image = job.firmware!;
  const slot = plan.slots[0]!;
  const frame = oneSlotFrame(plan, { selector: job.selector, image, version: job.version ?? '' });
  const selector = frame.writes.find((w) => w.name === SELECTOR_FILE)!.data;
  const current = async () =>
    (await device.fileCrc(BOOT_FILE))?.crc === crc32(frame.stub.data) && (await device.fileCrc(SELECTOR_FILE))?.crc === crc32(selector) && (await slotHolds(device, plan, slot, image));
  if (files.includes(BOOT_FILE) && files.includes(slot) && (await current())) return { slot, reused: true, retries: 0 };
  roomForConfig(frame.configRoom, job);
  const kept = await readKept(device, files);
  for (let retries = 0; ; retries++) {
    const again = (bad: string) => {
      if (retries === 1) throw mismatch(bad, 'read back wrong twice');
    };
    step('firmware', slot);
    await writeLayout(device, job, frame.writes, slot);
    // After the slot, so they land on the last page, where the firmware keeps its files.
    for (const [f, bytes] of kept) await device.writeFile(f, bytes);
    step('verify', slot);
    const bad = (await device.fileCrc(SELECTOR_FILE))?.crc !== crc32(selector) ? SELECTOR_FILE : (await slotHolds(device, plan, slot, image)) ? null : slot;
    if (bad) {
      again(bad);
      continue;
    }
    const fill = configFill(frame.configRoom, await config());
    await device.writeFile(fill.name, fill.data, (done, total) => job.onBytes?.('config', done, total));
    step('verify', CONFIG_FILE);
    if ((await device.fileCrc(CONFIG_FILE))?.crc !== crc32(fill.data)) {
      again(CONFIG_FILE);
      continue;
    }
    step('switch', slot);
    await device.writeFile(frame.stub.name, frame.stub.data);
    if ((await device.fileCrc(BOOT_FILE))?.crc === crc32(frame.stub.data)) return { slot, reused: false, retries };
    again(BOOT_FILE);
  }
}

/** Before anything is written or a secret issued: the config (as large as it can come out) fits the first page's room. */
function roomForConfig(room: number, job: FlashJob): void {
  if (job.configSize > room)
    throw new FlashError(
      'no-room',
      `the config (up to ${job.configSize} B) does not fit the ${room} B the first page of a ${job.board.name} has for it, beside the boot stub and the selector`,
      "shorten what goes into it (the broker's address, the network plan's entries), or make the boot selector smaller (firmware/src/update)",
    );
}

/**
 * A one-slot board's config lies in its first page between the boot stub and
 * the selector: it changes only by laying that page out again. The page is
 * read, the config replaced in place (same room: no file moves), the new page
 * sent into RAM and checked, then erased and written in one statement, so
 * nothing of the running firmware (which writes only after the slot, and is
 * kept running) comes in between; read back by CRC, written once more on a
 * mismatch. A power cut between that erase and the end of the write leaves a
 * first page without its headers: the next power-on finds Storage corrupt and
 * erases it (src/jsinteractive.c jsiSemiInit -> jsfIsStorageValid), and the
 * desk needs the full flash again. The window is one page erase and 4 KB of
 * word writes (~0.1 s on the nRF52), taken only while a technician flashes.
 */
export async function rewritePageZero(device: DeviceConsole, plan: StoragePlan, config: () => Promise<Uint8Array>, job: FlashJob): Promise<number> {
  let read = new Uint8Array(0);
  for (let at = 0; at < plan.page; at += CHUNK_BYTES) {
    const piece = await device.evaluate<string>(`btoa(E.toString(require("Flash").read(${Math.min(CHUNK_BYTES, plan.page - at)},${plan.base + at})))`);
    read = Buffer.concat([read, Buffer.from(piece, 'base64')]);
  }
  const room = pageZeroWith(plan, read, new Uint8Array(0));
  if ('not' in room) throw new FlashError('device-error', `the device on ${job.port} is not laid out as this flash writes it: ${room.not}`, 'flash the firmware too (leave out --config-only)');
  roomForConfig(room.room, job);
  const laid = pageZeroWith(plan, read, await config());
  if ('not' in laid) throw new Error('rewritePageZero: the first page changed under the flash');
  const crc = crc32(laid.page);
  let retries = 0;
  for (; ; retries++) {
    await device.evaluate(`!(global.DPP=new Uint8Array(${plan.page}))`);
    for (let at = 0; at < plan.page; at += CHUNK_BYTES) {
      await device.evaluate(`DPP.set(E.toUint8Array(atob("${Buffer.from(laid.page.subarray(at, at + CHUNK_BYTES)).toString('base64')}")),${at})`);
      job.onBytes?.('config', Math.min(at + CHUNK_BYTES, plan.page), plan.page);
    }
    // Written in pieces: a whole page from a buffer that is not one flat block would be copied onto the stack (src/jsvar.h JSV_GET_AS_CHAR_ARRAY).
    const result = await device.evaluate<string>(
      `(function(F,P,B){if(E.CRC32(P)>>>0!=${crc})return "sent";F.erasePage(B);for(var i=0;i<P.length;i+=256)F.write(new Uint8Array(P.buffer,i,256),B+i);return E.CRC32(F.read(P.length,B))>>>0==${crc}?"ok":"written"})(require("Flash"),DPP,${plan.base})`,
    );
    if (result === 'ok') break;
    if (retries === 1) throw mismatch(`the first page (${BOOT_FILE}, ${CONFIG_FILE}, ${SELECTOR_FILE})`, result === 'sent' ? 'reached the device wrong twice' : 'read back wrong twice');
  }
  await device.evaluate('delete global.DPP');
  return retries;
}

function mismatch(name: string, what: string): FlashError {
  return new FlashError(
    'verify-mismatch',
    `${name} ${what}`,
    "the link or the flash is corrupting data: try another cable or a lower --baud; if it persists the board's flash may be failing",
  );
}
