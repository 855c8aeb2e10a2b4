// `deskphone flash` and `deskphone ports` on a serial port path: the simulated
// device behind a pseudo-terminal (socat), as a board on a USB-serial adapter
// looks. The port is not in udev's list, and still opens.
import { afterEach, expect, test } from 'vitest';
import { BOOT_STUB_COMPRESSED } from '../hardware/storage-layout.ts';
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

test('ports answers for the pty, and flash writes and verifies through it', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100');
  pty = await ptyForRepl(device.repl.port);

  const ports = await f.run('ports', '--port', pty.address, '--json');
  expect(JSON.parse(ports.out)).toContainEqual(expect.objectContaining({ path: pty.address, answer: 'espruino', board: 'PIXLJS', version: '2v29' }));

  const run = await f.run('flash', '--port', pty.address, '--station', 'desk-01', '--online-timeout', '0');

  expect(errorOf(run)).toBe('');
  expect(run.out).toMatch(/^desk-01 on \/.*ttyDP: firmware \d+ B and config written and verified; not waiting for it to come online/);
  // The Pixl.js's one-slot layout (hardware/storage-layout.ts), booted through its stub.
  expect(device.sim.storage.bytes('.bootcde')!.toString('latin1')).toBe(BOOT_STUB_COMPRESSED);
});
