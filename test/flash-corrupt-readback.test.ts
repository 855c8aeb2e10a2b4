// A Storage write that reads back wrong (the device flips a byte in the file,
// as a failing flash cell would): written again once and then verified; when
// it reads back wrong a second time the flash fails with a verification
// mismatch. A one-slot board (the Pixl.js, new bundle written beside the old
// one) still boots the old firmware; a two-slot board, whose Storage the flash
// lays out anew (hardware/storage-layout.ts), boots nothing half-written: its
// boot stub is written only after everything else read back right.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { FACTORY_BOOT } from './helpers/repl-device.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('one bad read-back is retried and the flash succeeds', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const device = await f.addDevice('linux', { faults: { corruptWrites: 1 } });

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(errorOf(run)).toBe('');
  expect(run.out).toMatch(/written and verified, 1 retried;/);
});

test('a second bad read-back fails the flash and leaves the old firmware booting (one slot)', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100', { faults: { corruptWrites: 2 } });

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/error: desk-01 on tcp:.*: dp-[0-9a-f]{8}\.js read back wrong twice \(device CRC [0-9a-f]+, \d+ B; expected [0-9a-f]+, \d+ B\)\n\s+fix: .*cable/);
  expect(device.sim.storage.bytes('.bootcde')!.toString('latin1')).toBe(FACTORY_BOOT);
});

test('a second bad read-back fails the flash and leaves no boot code (two slots)', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  // The layout writes several whole files per try (selector, padding): every one of both tries reads back wrong.
  const device = await f.addDevice('linux', { faults: { corruptWrites: 100 } });

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/error: desk-01 on tcp:.*: dp\.boot read back wrong twice\n\s+fix: .*cable/);
  expect(device.sim.storage.bytes('.bootcde')).toBeUndefined();
});
