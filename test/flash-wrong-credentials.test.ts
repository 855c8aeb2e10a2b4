// The device is flashed and boots, but never comes online. The flash says
// which way: the broker saw it and refused its credentials (a broker keeping
// a different registry), or the broker never saw it (nothing listens at the
// address the device was given).
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openRegistry } from '../provisioner/registry/index.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';

let f: FlashFixture;
let otherHome = '';
afterEach(async () => {
  await f?.close();
  if (otherHome) rmSync(otherHome, { recursive: true, force: true });
});

test('refused credentials: the broker checks another registry', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  otherHome = mkdtempSync(join(tmpdir(), 'flash-other-'));
  const other = openRegistry(otherHome);
  await other.addStation({ id: 'desk-01', board: 'linux' });
  other.close();
  const wrongBroker = await f.startBroker(otherHome);
  const ours = await f.startBroker();
  const device = await f.addDevice('linux');

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--broker-address', `127.0.0.1:${wrongBroker.tcpPort}`, '--broker-url', ours.url, '--online-timeout', '2');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/the device reached the broker at 127\.0\.0\.1:\d+, which refused it \(rc [45]\)[^\n]*\n\s+fix: make sure the broker uses this data directory's registry/);
});

test('never seen: nothing listens where the device was sent', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const ours = await f.startBroker();
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const deadPort = (closed.address() as net.AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const device = await f.addDevice('linux');

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--broker-address', `127.0.0.1:${deadPort}`, '--broker-url', ours.url, '--online-timeout', '2');

  expect(run.code).toBe(1);
  expect(errorOf(run)).toMatch(/the device could not reach the broker at 127\.0\.0\.1:\d+.*, so the broker never saw it\n\s+fix: check that the broker runs/);
});
