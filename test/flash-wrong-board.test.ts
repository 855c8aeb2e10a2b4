// Flashing a Pixl.js profile onto a device that reports another board stops
// before anything is written, naming both boards.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('wrong board: refused before any write', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('linux');
  const before = device.sim.storage.names();

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/error: desk-01 on tcp:.*is a LINUX \(Espruino 2v29\), not a PIXLJS as board profile pixljs-w5100 needs\n\s+fix: pass the matching --board/);
  expect(device.sim.storage.names()).toEqual(before);
});
