// Ports that are not a flashable Espruino, each with its own message and fix:
// a path that does not exist (listing what does), a TCP port nobody listens
// on, a device that answers nothing, and a serial port another program holds.
import net from 'node:net';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, test } from 'vitest';
import { ptyForRepl, type Bridge } from '../hardware/sim/repl/pty.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { requires } from './helpers/requires.ts';

let f: FlashFixture;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await f?.close();
});

async function flash(port: string) {
  return f.run('flash', '--port', port, '--station', 'desk-01', '--online-timeout', '0');
}

test('a port that does not exist: the ports that do are listed', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const run = await flash('/dev/ttyDESKPHONE-NOPE');
  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/error: desk-01 on \/dev\/ttyDESKPHONE-NOPE: there is no port \/dev\/ttyDESKPHONE-NOPE \(serial ports found: [^)]*\)\n\s+fix: plug the device in, run `deskphone ports`/);
});

test('nothing listening, and a device that never answers', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const accepted: net.Socket[] = [];
  const silent = net.createServer((s) => accepted.push(s.on('error', () => undefined)));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => silent.close(r)));
  cleanups.push(() => accepted.forEach((s) => s.destroy()));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
  const closedPort = (free.address() as net.AddressInfo).port;
  await new Promise((r) => free.close(r));

  const refused = await flash(`tcp://127.0.0.1:${closedPort}`);
  expect(errorOf(refused)).toMatch(/no Espruino answered on tcp:\/\/127\.0\.0\.1:\d+: the connection failed \(ECONNREFUSED[^\n]*\n\s+fix: check that the device is powered .*baud rate/);

  const quiet = await flash(`tcp://127.0.0.1:${silentPort}`);
  expect(quiet.code).toBe(1);
  expect(errorOf(quiet)).toMatch(/is open but nothing answers like an Espruino console \(no reply at all\)\n\s+fix: check that the device runs Espruino and that the baud rate matches/);
});

describe('behind a pty', () => {
  requires('socat');

  test('a serial port another program holds is busy', async () => {
    f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
    const device = await f.addDevice('linux');
    const pty: Bridge = await ptyForRepl(device.repl.port);
    cleanups.push(() => pty.close());
    const holder = new SerialPort({ path: pty.address, baudRate: 9600 });
    await new Promise<void>((resolve, reject) => holder.once('open', () => resolve()).once('error', reject));
    cleanups.push(() => new Promise((r) => holder.close(r)));

    const run = await flash(pty.address);

    expect(run.code).toBe(1);
    expect(errorOf(run)).toMatch(/is in use by another program \(.*\)\n\s+fix: close the other program using it/);
  });
});
