// A data directory with registered stations, a simulated device on a TCP
// console, and `deskphone flash` run in-process against them.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { BrokerHandle } from '../../provisioner/broker/index.ts';
import { brokerWithPresence } from './broker-fixtures.ts';
import { openRegistry, type Registry } from '../../provisioner/registry/index.ts';
import { startReplDevice, type ReplFixture } from './repl-device.ts';
import { cliIn, type CliRun } from './station-cli-fixtures.ts';

export interface FlashFixture {
  home: string;
  registry: Registry;
  devices: ReplFixture[];
  broker: BrokerHandle | null;
  run: (...argv: string[]) => Promise<CliRun>;
  addDevice(board: string, opts?: Parameters<typeof startReplDevice>[1]): Promise<ReplFixture>;
  startBroker(dataDir?: string): Promise<BrokerHandle>;
  close(): Promise<void>;
}

export async function flashFixture(stations: { id: string; board: string }[]): Promise<FlashFixture> {
  const home = mkdtempSync(join(tmpdir(), 'flash-'));
  const registry = openRegistry(home);
  for (const s of stations) await registry.addStation(s);
  const cleanups: (() => Promise<void> | void)[] = [];
  // A flashed device boots and dials its broker for the rest of the test. Left
  // to flash's default (this machine's port 1883) it would knock on whatever
  // broker a developer runs there; a port of our own that hangs up keeps it home.
  const nowhere = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => nowhere.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => nowhere.close(() => resolve())));
  const nowhereAddress = `127.0.0.1:${(nowhere.address() as AddressInfo).port}`;
  const cli = cliIn(home);
  const fixture: FlashFixture = {
    home,
    registry,
    devices: [],
    broker: null,
    run: (...argv) => cli(...argv, ...(argv[0] === 'flash' && !argv.includes('--broker-address') ? ['--broker-address', nowhereAddress] : [])),
    async addDevice(board, opts) {
      const device = await startReplDevice(board, opts);
      fixture.devices.push(device);
      cleanups.push(() => device.close());
      return device;
    },
    async startBroker(dataDir = home) {
      const broker = await brokerWithPresence({ dataDir, registry: dataDir === home ? registry : undefined, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
      cleanups.push(() => broker.close());
      fixture.broker ??= broker;
      return broker;
    },
    async close() {
      for (const c of cleanups.reverse()) await c();
      registry.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** The error line and its fix, as `deskphone` prints them. */
export function errorOf(run: CliRun): string {
  return run.err.split('\n').filter((l) => l.startsWith('error:') || l.trimStart().startsWith('fix:')).join('\n');
}
