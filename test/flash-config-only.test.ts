// --config-only rewrites just deskphone.json (here: a new broker port and a
// fresh secret) and restarts the device; the firmware file stays as it was,
// and the station comes back online at the new broker.
import { afterEach, expect, test } from 'vitest';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('config only: same firmware, new config, online again', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const broker = await f.startBroker();
  const device = await f.addDevice('linux');
  const storage = device.sim.storage;
  const flashed = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--online-timeout', '0');
  expect(errorOf(flashed)).toBe('');
  // A two-slot board: the firmware lies in slots (hardware/storage-layout.ts).
  const firmwareFiles = storage.names().filter((n) => n.startsWith('dp.'));
  const firmware = firmwareFiles.map((n) => storage.bytes(n));
  const firstConfig = JSON.parse(storage.bytes('deskphone.json')!.toString('utf8'));
  expect(firstConfig.port).toBe(broker.tcpPort);

  const moved = await f.run('flash', '--config-only', '--port', device.repl.url, '--station', 'desk-01', '--broker-address', `localhost:${broker.tcpPort}`, '--broker-url', broker.url, '--online-timeout', '20');

  expect(errorOf(moved)).toBe('');
  expect(moved.out).toMatch(/^desk-01 on tcp:.*: config written and verified; online with firmware /);
  const config = JSON.parse(storage.bytes('deskphone.json')!.toString('utf8'));
  expect(config).toMatchObject({ id: 'desk-01', host: 'localhost', port: broker.tcpPort });
  expect(config.v).toBeGreaterThan(firstConfig.v);
  expect(config.pass).not.toBe(firstConfig.pass);
  expect(storage.names().filter((n) => n.startsWith('dp.'))).toEqual(firmwareFiles);
  // Written since: only slot A's healthy word, once the firmware came online after the first flash.
  expect(firmwareFiles.map((n) => storage.bytes(n))).toEqual(firmware);
});
