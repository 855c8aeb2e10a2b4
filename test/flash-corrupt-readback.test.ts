// A Storage write that reads back wrong (the device flips a byte in the file,
// as a failing flash cell would): written again once and then verified; when
// it reads back wrong a second time the flash fails with a verification
// mismatch. Storage is laid out anew (hardware/storage-layout.ts), so the
// desk then boots nothing half-written: its boot stub is written (two slots)
// or filled in place (one slot) only after everything else read back right.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('one bad read-back is retried and the flash succeeds', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const device = await f.addDevice('linux', { faults: { corruptWrites: 1 } });

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(errorOf(run)).toBe('');
  expect(run.out).toMatch(/written and verified, 1 retried;/);
});

test('a second bad read-back fails the flash and leaves no boot code (one slot)', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100', { faults: { corruptWrites: 2 } });

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/error: desk-01 on tcp:.*: dp\.boot read back wrong twice\n\s+fix: .*cable/);
  // The stub keeps its place in the first page, erased: filled only once everything else read back right.
  expect(device.sim.storage.bytes('.bootcde')!.every((b) => b === 0xff)).toBe(true);
  // Nor was a secret issued for a device that failed before its config.
  expect(device.sim.storage.bytes('deskphone.json')!.every((b) => b === 0xff)).toBe(true);
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
