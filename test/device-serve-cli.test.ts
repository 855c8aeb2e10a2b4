// `deskphone device serve` puts a simulated board's console on a TCP port
// until it is told to stop; `deskphone ports --port` finds an Espruino there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { cli } from '../provisioner/cli.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

let home: string;
afterEach(() => rmSync(home, { recursive: true, force: true }));

test('device serve answers as the board it simulates, and stops on request', async () => {
  home = mkdtempSync(join(tmpdir(), 'device-serve-'));
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let out = '';
  const output = { out: (t: string) => void (out += t), err: () => undefined, tty: false };
  const serving = cli(['device', 'serve', '--board', 'pixljs-w5100', '--json'], { output, env: { DESKPHONE_HOME: home }, stopSignal });
  for (let i = 0; i < 200 && !out; i++) await new Promise((r) => setTimeout(r, 10));
  const { url } = JSON.parse(out) as { url: string };

  const ports = await cliIn(home)('ports', '--port', url, '--json');

  expect(JSON.parse(ports.out)).toContainEqual({ path: url, description: 'given with --port', answer: 'espruino', board: 'PIXLJS', version: '2v29' });
  stop();
  expect(await serving).toBe(0);
});

test('device serve refuses an Espruino build for another board', async () => {
  home = mkdtempSync(join(tmpdir(), 'device-serve-'));
  const run = await cliIn(home)('device', 'serve', '--board', 'pixljs-w5100', '--firmware', 'esp32');

  expect(run.code).toBe(1);
  expect(run.err).toMatch(/Espruino build esp32 runs on ESP32 boards, not on the PIXLJS of board pixljs-w5100\n\s+fix: pass a --firmware for a PIXLJS: pixljs, pixljs_wiznet/);
});
