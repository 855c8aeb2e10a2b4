// The firmware being replaced misbehaves: it throws every 50 ms, so the
// console keeps printing "Uncaught Error: …" in the middle of the flash's
// answers (over a pty, where each line takes a while to arrive). The flash
// tells those apart from its own and succeeds.
import { afterEach, expect, test } from 'vitest';
import { ptyForRepl, type Bridge } from '../hardware/sim/repl/pty.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { requires } from './helpers/requires.ts';

requires('socat');

let f: FlashFixture;
let pty: Bridge | undefined;
afterEach(async () => {
  await pty?.close();
  await f?.close();
});

test('an old firmware printing errors all the time does not fail the flash', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const noisy = 'setInterval(function () { throw new Error("old firmware trouble"); }, 50);';
  const device = await f.addDevice('linux', { sim: { storage: { '.bootcde': noisy } } });

  pty = await ptyForRepl(device.repl.port);

  const run = await f.run('flash', '--port', pty.address, '--station', 'desk-01', '--online-timeout', '0');

  expect(device.sim.console.filter((l) => l.includes('old firmware trouble')).length).toBeGreaterThan(3);
  expect(errorOf(run)).toBe('');
  expect(run.out).toMatch(/^desk-01 on \/.*ttyDP: firmware \d+ B and config written and verified;/);
});
