// A device whose Storage is taken up by other files: the flash says how much
// it needs and how much can be freed, and writes nothing.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { FACTORY_BOOT } from './helpers/repl-device.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('not enough Storage: sizes in the message, nothing written', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100', { sim: { storage: { '.bootcde': FACTORY_BOOT, 'photos.bin': new Uint8Array(20_000) } } });
  const before = device.sim.storage.names();

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/error: .*not enough Storage on the device: firmware \d+ B and config \d+ B need \d+ B with file headers; at most \d+ B of 36864 B can be made free\n\s+fix: erase other files/);
  expect(device.sim.storage.names()).toEqual(before);
});
