// The cable is pulled half-way through the firmware upload to a Pixl.js, whose
// Storage the flash lays out anew (one slot, hardware/storage-layout.ts): the
// flash fails with "unplugged", the device is left with nothing that boots
// (never a half-written image), and the same command run again finishes.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { serveRepl } from '../hardware/sim/repl/server.ts';
import { SimReplDevice } from '../hardware/sim/repl/sim-device.ts';
import { bootStub } from '../provisioner/flash/procedure.ts';
import { BOOT_STUB_COMPRESSED } from '../hardware/storage-layout.ts';

/** A deskphone firmware flashed earlier: 20 KB, booted through the stub. */
const OLD_BUNDLE = 'dp-0ld0f1e1.js';
const OLD_FIRMWARE = { '.bootcde': bootStub(OLD_BUNDLE), [OLD_BUNDLE]: 'print("old firmware");//' + 'x'.repeat(20_000) };

let f: FlashFixture;
afterEach(() => f?.close());

test('unplugged mid-upload: nothing half-written boots, and a re-run finishes the job', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100', { sim: { storage: OLD_FIRMWARE }, server: { unplugAfterBytes: 12_000 } });
  const storage = device.sim.storage;
  const rotations = () => (f.registry.db.prepare("SELECT COUNT(*) AS n FROM station_changes WHERE account = 'desk-01' AND kind = 'secret'").get() as { n: number }).n;

  const first = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(first.code).not.toBe(0);
  expect(errorOf(first)).toMatch(/dropped during the flash[\s\S]*fix: .*run the same command again/);
  // Old firmware erased with the rest; the new layout's stub still erased: nothing boots (the interpreter stops at the first erased byte).
  expect(storage.bytes(OLD_BUNDLE)).toBeUndefined();
  expect(storage.bytes('.bootcde')!.every((b) => b === 0xff)).toBe(true);
  device.sim.reboot();
  expect(device.sim.eval('typeof DP')).toBe('undefined');
  expect(device.sim.errors).toHaveLength(1);
  device.sim.errors.length = 0;
  // The station's secret is issued only after the firmware verifies: untouched.
  expect(rotations()).toBe(0);

  // Plugged in again: the same device, a fresh connection.
  const again = await serveRepl(new SimReplDevice(device.sim));
  try {
    const second = await f.run('flash', '--port', again.url, '--station', 'desk-01', '--online-timeout', '0');
    expect(errorOf(second)).toBe('');
    expect(second.out).toMatch(/^desk-01 on tcp:\/\/.*: firmware 2\d{4} B and config written and verified/);
    expect(storage.bytes('.bootcde')!.toString('latin1')).toBe(BOOT_STUB_COMPRESSED);
    expect(rotations()).toBe(1);
    device.sim.reboot();
    expect(device.sim.errors).toEqual([]);
    expect(device.sim.screen().join('').trim()).not.toBe('');
  } finally {
    await again.close();
  }
});
