// The recovery on the real 2950-variable interpreter (Linux build, the
// linux profile's layout): with no image that verifies in its slots (slot A's
// image torn), the boot selector runs the recovery, which connects to a real
// broker with the station's credentials, asks for its second stage, receives
// the new image chunk by chunk and checks it; the interpreter cannot reboot
// itself (E.reboot: "Not implemented" on Linux), so it is powered off and on,
// and boots the new image, whose birth reaches the host. A .boot0 timer
// samples process.memory() meanwhile: the recovery's variables.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildBoard, DIST_DIR } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { FlashMemory, JsfStorage } from '../hardware/sim/jsflash.ts';
import { BOOT_FILE, BOOT_STUB, layoutWrites, storagePlan } from '../hardware/storage-layout.ts';
import { ESPRUINO_2950 } from './helpers/interpreter.ts';
import { startBroker, until, type TestBroker } from './helpers/link-io.ts';
import { imageOf, UpdateHost, type Image } from './helpers/pixl-update.ts';
import { requires } from './helpers/requires.ts';

requires('espruino-2950');
const ID = 'rec-real';
const tmp = mkdtempSync(join(tmpdir(), 'update-rec-real-'));
let broker: TestBroker;
let next: Image;
const children: ChildProcess[] = [];

beforeAll(async () => {
  broker = await startBroker('embedded', [ID]);
  next = imageOf((await buildBoard(loadBoard('linux'), { version: '9.9.9-next', outDir: tmp })).file, '9.9.9-next');
}, 60_000);
afterAll(async () => {
  children.forEach((c) => c.kill('SIGKILL'));
  await broker?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Powers the interpreter on in `dir` (it boots .bootcde from espruino.flash there); returns what it prints so far. */
function powerOn(dir: string): () => string {
  const child = spawn(ESPRUINO_2950!, ['-e', '1'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  return () => out;
}

it('receives an image through the recovery and boots it after a power cycle, with 1,000 variables to spare', async () => {
  const board = loadBoard('linux');
  const plan = storagePlan(board);
  const jsf = new JsfStorage(new FlashMemory({ base: plan.base, bytes: plan.bytes, page: plan.page }));
  const old = readFileSync(join(DIST_DIR, 'linux.js'));
  for (const w of layoutWrites(plan, { selector: readFileSync(join(DIST_DIR, 'linux.boot.js')), image: old, version: 'old' })) jsf.write(w.name, w.data, w.offset ?? 0, w.size ?? 0);
  // Slot A's image no longer has its CRC (a byte of it cleared), slot B is empty: nothing to boot.
  jsf.flash.write(jsf.find('dp.a')!.addr + 100, new Uint8Array([0]));
  jsf.write('deskphone.json', Buffer.from(JSON.stringify({ v: 1, id: ID, board: 'linux', host: '127.0.0.1', port: broker.port, pass: broker.secrets[ID], lang: 'de', digits: 12 })));
  jsf.write('.boot0', Buffer.from('setInterval(function(){print("MEM "+process.memory().usage)},200);'));
  jsf.write(BOOT_FILE, Buffer.from(BOOT_STUB, 'latin1'));
  const dir = join(tmp, 'run');
  mkdirSync(dir);
  writeFileSync(join(dir, 'espruino.flash'), jsf.flash.image);

  const host = await UpdateHost.start(broker, ID, next, 'linux');
  try {
    const first = powerOn(dir);
    await until(() => host.verified, 'VERIFIED from the recovery', 120_000);
    // Samples while it checks and seals the image, then the power goes.
    await new Promise((r) => setTimeout(r, 1500));
    children.pop()!.kill('SIGKILL');
    const used = [...first().matchAll(/MEM (\d+)/g)].map((m) => +m[1]!);
    console.log(`recovery on the 2950-variable interpreter: ${used.length} samples, at most ${Math.max(...used)} of 2950 variables in use`);
    expect(host.codeSent).toBe(1);
    // The firmware it replaces needs ~2,150 of them after a call; the recovery leaves at least 1,000 free.
    expect(used.length).toBeGreaterThan(0);
    expect(Math.max(...used)).toBeLessThanOrEqual(1950);

    powerOn(dir);
    await until(() => host.done, 'the birth of the new image', 120_000);
  } finally {
    await host.end();
  }
}, 300_000);
