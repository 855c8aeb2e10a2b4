// The real Espruino interpreter (Linux build 2v29, 64-bit) behind a
// pseudo-terminal, flashed like a board on a USB-serial adapter: the flash
// verifies on the interpreter's own Storage and E.CRC32, the interpreter
// boots the bundle through the stub, and the station comes online at the
// embedded broker.
import { afterEach, expect, test } from 'vitest';
import { packageVersion } from '../lib/version.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { ESPRUINO_64 } from './helpers/interpreter.ts';
import { interpreterOnPty, type InterpreterConsole } from './helpers/interpreter-console.ts';
import { until } from './helpers/link-io.ts';
import { requires } from './helpers/requires.ts';

requires('espruino-64', 'socat');

let f: FlashFixture | undefined;
let device: InterpreterConsole | undefined;
afterEach(async () => {
  await device?.close();
  await f?.close();
});

test('the real interpreter on a pty: flashed, verified, booted, online', async () => {
  device = await interpreterOnPty(ESPRUINO_64!);
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const broker = await f.startBroker();

  const run = await f.run('flash', '--port', device.tty, '--station', 'desk-01', '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--online-timeout', '20');

  expect(errorOf(run), device.output().slice(-600)).toBe('');
  expect(run.out).toMatch(new RegExp(`^desk-01 on ${device.tty}: firmware \\d+ B and config written and verified; online with firmware ${packageVersion()}`));
  // The flash saw the birth through a client of its own; the registry learns of it through the presence tracker's.
  const registry = f.registry;
  await until(() => registry.getStation('desk-01')?.online, 'the birth in the registry');
  expect(registry.getStation('desk-01')).toMatchObject({ online: true, firmware: packageVersion(), reportedBoard: 'linux' });
});
