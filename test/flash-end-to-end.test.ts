// `deskphone flash` against a simulated device on a TCP console, with the
// embedded broker: the device boots the flashed firmware from its Storage,
// connects with the secret the flash issued, sends its birth, and
// `station list` shows it online with that firmware version.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { BOOT_STUB } from '../hardware/storage-layout.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { BrokerHandle } from '../provisioner/broker/index.ts';
import { brokerWithPresence } from './helpers/broker-fixtures.ts';
import { packageVersion } from '../lib/version.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { startReplDevice, type ReplFixture } from './helpers/repl-device.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';
import { until } from './helpers/link-io.ts';
import pino from 'pino';

let home: string;
let broker: BrokerHandle;
let device: ReplFixture;
afterEach(async () => {
  await device?.close();
  await broker?.close();
  rmSync(home, { recursive: true, force: true });
});

test('flash -> boot from Storage -> birth with the new secret -> station list shows it online', async () => {
  home = mkdtempSync(join(tmpdir(), 'flash-e2e-'));
  const registry = openRegistry(home);
  await registry.addStation({ id: 'desk-01', board: 'linux' });
  broker = await brokerWithPresence({ dataDir: home, registry, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  device = await startReplDevice('linux');
  const run = cliIn(home);

  const flash = await run('flash', '--port', device.repl.url, '--station', 'desk-01', '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--online-timeout', '20');

  expect(flash.err.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(flash.code).toBe(0);
  expect(flash.out).toMatch(new RegExp(`^desk-01 on ${device.repl.url}: firmware \\d+ B and config written and verified; online with firmware ${packageVersion()}`));
  // The device runs what the flash wrote: the stub in .bootcde and the bundle in slot A, which it booted.
  const bundle = readFileSync(join(import.meta.dirname, '..', 'firmware', 'dist', 'linux.js'));
  expect(device.sim.storage.bytes('.bootcde')!.toString('latin1')).toBe(BOOT_STUB);
  expect(device.sim.storage.bytes('dp.a')!.subarray(Tr.IMG, Tr.IMG + bundle.length)).toEqual(bundle);
  expect(device.sim.eval('DPB.n')).toBe('dp.a');
  // The secret reached the device and nothing else.
  const secret = JSON.parse(device.sim.storage.bytes('deskphone.json')!.toString('utf8')).pass as string;
  expect(await registry.verifyStation('desk-01', secret)).toBe(true);
  expect(flash.out + flash.err).not.toContain(secret);

  // The flash saw the birth through a client of its own; the registry learns of it through the presence tracker's.
  await until(() => registry.getStation('desk-01')?.online, 'the birth in the registry');
  const list = await run('station', 'list', '--json');
  const station = (JSON.parse(list.out) as { id: string; online: boolean; firmware: string }[]).find((s) => s.id === 'desk-01');
  expect(station).toMatchObject({ online: true, firmware: packageVersion() });
});
