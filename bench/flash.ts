// Flashing speed against simulated devices on TCP consoles:
// - flash + verify of the Pixl.js bundle (connect, checks, firmware, config,
//   stub, CRC read-backs) next to a plain `espruino --storage` upload of the
//   same bytes, with the CLI's default pacing and with its pauses turned off;
// - devices per minute flashing four at once, up to verified and restarted,
//   and up to each station's birth at the embedded broker.
// Measures only; never fails on a number.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadBoard } from '../hardware/board.ts';
import { deviceConfig } from '../protocol/device-config.ts';
import { brokerWithPresence } from '../test/helpers/broker-fixtures.ts';
import { flashDevice } from '../provisioner/flash/procedure.ts';
import { DIST_DIR, flashAll } from '../provisioner/flash/run.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { espruinoCli, startReplDevice } from '../test/helpers/repl-device.ts';

const BOARD = 'pixljs-w5100';
const RUNS = 3;
/** The CLI's default pacing (250 ms a line) makes an upload slow; the bound only stops a hung run. */
const CLI_TIMEOUT_MS = 300_000;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeFlash(bundle: Uint8Array): Promise<number> {
  const d = await startReplDevice(BOARD, { sim: { clock: 'manual' } });
  const board = loadBoard(BOARD);
  const config = Buffer.from(JSON.stringify(deviceConfig({ id: 'bench', board: BOARD, host: '127.0.0.1', port: 1883, pass: 'x'.repeat(32) })));
  const started = performance.now();
  await flashDevice({ port: d.repl.url, board, firmware: bundle, config: async () => config, configSize: config.length });
  const ms = performance.now() - started;
  await d.close();
  return ms;
}

async function timeCli(bundlePath: string, extra: string[]): Promise<number> {
  const d = await startReplDevice(BOARD, { sim: { clock: 'manual' } });
  const started = performance.now();
  await espruinoCli(BOARD, d.repl.url, [...extra, '--storage', `dp.js:${bundlePath}`, '-e', 'print("stored")'], CLI_TIMEOUT_MS);
  const ms = performance.now() - started;
  const stored = d.sim.storage.bytes('dp.js');
  await d.close();
  if (!stored || !stored.equals(readFileSync(bundlePath))) throw new Error(`the CLI upload stored ${stored?.length ?? 'no'} bytes of ${bundlePath}`);
  return ms;
}

async function fourAtOnce(withBirth: boolean): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'bench-flash-'));
  const registry = openRegistry(home);
  const ids = ['bench-1', 'bench-2', 'bench-3', 'bench-4'];
  for (const id of ids) await registry.addStation({ id, board: 'linux' });
  const broker = withBirth ? await brokerWithPresence({ dataDir: home, registry, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) }) : null;
  const devices = await Promise.all(ids.map(() => startReplDevice('linux')));
  const started = performance.now();
  const results = await flashAll({
    dataDir: home,
    registry,
    ports: devices.map((d) => d.repl.url),
    broker: { host: '127.0.0.1', port: broker?.tcpPort ?? 1883 },
    brokerUrl: broker?.url ?? null,
    lang: 'de',
    configOnly: false,
    onlineTimeoutMs: 30_000,
  });
  const ms = performance.now() - started;
  for (const d of devices) await d.close();
  await broker?.close();
  registry.close();
  rmSync(home, { recursive: true, force: true });
  const bad = results.filter((r) => r.status !== (withBirth ? 'online' : 'flashed'));
  if (bad.length) throw new Error(`four at once: ${bad.map((r) => r.error?.message).join('; ')}`);
  return ms;
}

export async function run(): Promise<void> {
  // A copy: a build running meanwhile must not change the bytes under the CLI.
  const bundle = readFileSync(join(DIST_DIR, BOARD + '.js'));
  const scratch = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const bundlePath = join(scratch, BOARD + '.js');
  writeFileSync(bundlePath, bundle);
  const flash: number[] = [];
  const cli: number[] = [];
  const cliUnpaced: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    flash.push(await timeFlash(bundle));
    cli.push(await timeCli(bundlePath, []));
    cliUnpaced.push(await timeCli(bundlePath, ['--config', 'STORAGE_UPLOAD_METHOD=1']));
  }
  rmSync(scratch, { recursive: true, force: true });
  const f = median(flash);
  console.log(`Pixl.js bundle ${bundle.length} B over tcp:// to the simulator, median of ${RUNS}:`);
  console.log(`  deskphone flash procedure (firmware+config+stub, each CRC-verified): ${f.toFixed(0)} ms`);
  console.log(`  espruino --storage, default pacing (250 ms per line):                ${median(cli).toFixed(0)} ms   ratio ${(f / median(cli)).toFixed(2)}x (goal <= 1.3x)`);
  console.log(`  espruino --storage, STORAGE_UPLOAD_METHOD=1 (no pauses):             ${median(cliUnpaced).toFixed(0)} ms   ratio ${(f / median(cliUnpaced)).toFixed(2)}x`);
  const flashed = await fourAtOnce(false);
  console.log(`four linux devices at once, flashed+verified+restarted: ${flashed.toFixed(0)} ms = ${((4 * 60_000) / flashed).toFixed(0)} devices/min`);
  const online = await fourAtOnce(true);
  console.log(`four linux devices at once, up to each birth at the broker: ${online.toFixed(0)} ms = ${((4 * 60_000) / online).toFixed(0)} devices/min`);
}
