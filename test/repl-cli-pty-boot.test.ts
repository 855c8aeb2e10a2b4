// The simulated device behind a pseudo-terminal, bridged to TCP as a real
// board on a USB-serial adapter would be: the espruino CLI saves the firmware
// bundle to .bootcde through the bridge, loads it, and the simulator boots the
// firmware from its Storage (DP.screen() answers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ptyForRepl, tcpForPty, type Bridge } from '../hardware/sim/repl/pty.ts';
import { REPO, espruinoCli, startReplDevice, type ReplFixture } from './helpers/repl-device.ts';
import { requires } from './helpers/requires.ts';

requires('socat');

let device: ReplFixture;
const bridges: Bridge[] = [];
afterEach(async () => {
  for (const b of bridges.splice(0)) await b.close();
  await device?.close();
});

test('espruino CLI through tcp -> pty -> REPL saves the bundle and the device boots it', async () => {
  device = await startReplDevice('linux');
  const pty = await ptyForRepl(device.repl.port);
  bridges.push(pty);
  const tcp = await tcpForPty(pty.address);
  bridges.push(tcp);
  const bundle = join(REPO, 'firmware', 'dist', 'linux.js');

  const booted = device.sim.console.length;

  // STORAGE_UPLOAD_METHOD=1 drops the CLI's 250 ms pause per Storage.write line, to keep the test short.
  const run = await espruinoCli('linux', tcp.address, ['--config', 'SAVE_ON_SEND=1', '--config', 'STORAGE_UPLOAD_METHOD=1', bundle]);

  expect(run.out).toContain('Upload Complete');
  expect(device.sim.storage.bytes('.bootcde')?.toString('latin1')).toBe(readFileSync(bundle, 'latin1'));
  expect(device.sim.console.slice(booted)).not.toContain('factory firmware');
  expect(device.sim.errors).toEqual([]);
  expect(device.sim.screen().join('\n').trim().length).toBeGreaterThan(0);
});
