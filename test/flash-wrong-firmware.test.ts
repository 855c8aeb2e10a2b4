// A Pixl.js straight from the shop runs Espruino's standard build: it reports
// BOARD "PIXLJS" like the pixljs_wiznet build, but has no WIZnet driver, so
// the desk would never reach the network. The flasher reads the firmware's
// modules first and stops before writing anything, naming the file to install.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('a Pixl.js on the standard firmware: refused before any write, naming pixljs_wiznet', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100', { sim: { firmware: 'pixljs' } });
  const before = device.sim.storage.names();

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(
    /error: desk-01 on tcp:\S+ the device on tcp:\S+ runs Espruino 2v29 without the WIZnet module that board profile pixljs-w5100 needs for its network\n\s+fix: install Espruino's pixljs_wiznet firmware 2v29 on it once \(espruino_2v29_pixljs_wiznet\.zip; hardware\/docs\/firmware-install\.md\), then flash again/,
  );
  expect(device.sim.storage.names()).toEqual(before);
});

test('the same unit on pixljs_wiznet is flashed', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100', { sim: { firmware: 'pixljs_wiznet' } });

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--online-timeout', '0');

  expect(run.code, run.err).toBe(0);
  expect(device.sim.storage.names()).toContain('deskphone.json');
});
